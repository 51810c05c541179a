"""``kg merge``, ``kg rename``, ``kg forget``: the user's corrections of the entities of a build.

Each appends a block to ``OUT/kg-curation.toml`` (:mod:`kg.graph.curation`) and rebuilds what depends on
it (graph.json, index.sqlite, graph.html, the database) from the extractions already there, all or
nothing under the folder's lock (:func:`kg.sinks.building.curate`); nothing is extracted again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kg.cli.build import DbOption, HtmlOption, _database, _one_line_errors
from kg.cli.common import DatabaseOption, OutOption, PasswordOption, UriOption, UserOption, fail, say, warn

if TYPE_CHECKING:
    from kg.graph.curation import Curation

app = typer.Typer()


class _Unchanged(Exception):
    """Nothing to change; the message says why."""


def _node(out: Path, name: str) -> str:
    """The node ``name`` stands for in the folder's graph (its name, or any alias); a one-line
    error with the closest names otherwise."""
    from kg.cli.explore import open_graph_or_fail
    from kg.graph.index import UnknownName

    with open_graph_or_fail(out) as graph:
        try:
            return graph.resolve(name)
        except UnknownName as exc:
            raise _NoSuchEntity(str(exc)) from None


class _NoSuchEntity(LookupError):
    pass


@contextmanager
def _curating(out: Path) -> Iterator[None]:
    """One-line errors of a curation command: the curation file, an unknown name, and a build's."""
    from kg.graph.curation import CurationError

    if not (out / "graph.json").exists():
        fail(f"no graph in {out} (run `kg build` first, or give the folder with --out)")
    try:
        with _one_line_errors(out):
            yield
    except CurationError as exc:
        fail(f"{exc}; {out} left as it was")
    except _NoSuchEntity as exc:
        fail(f"{exc}; {out} left as it was")


def _run(out: Path, change: Callable[[Curation], Curation], done: str, html: bool | None, db: bool, uri: str | None,
         user: str, password: str | None, database: str | None) -> None:
    from kg.sinks import building

    try:
        with _curating(out):
            result = building.curate(out, change, html, _database(db, uri, user, password, database), on_wait=warn)
    except _Unchanged as exc:
        say(("unchanged:", "cyan"), f" {exc}")
        return
    s = result.stats
    say(("curated", "bold green"), f" {done}: {s['nodes']} entities, {s['edges']} relations")
    say("wrote " + ", ".join(str(p) for p in result.published))
    if result.loaded_into:
        say(f"loaded {s['nodes']} entities and {s['edges']} relations into {result.loaded_into}")


@app.command("merge")
def merge(
    first: str = typer.Argument(..., metavar="FIRST",
                                help="An entity (its name or any alias); the merged entity keeps its name."),
    others: list[str] = typer.Argument(..., metavar="OTHER...", help="The entities that are the same as FIRST."),
    out: Path = OutOption,
    html: bool | None = HtmlOption,
    db: bool = DbOption,
    uri: str | None = UriOption,
    user: str = UserOption,
    password: str | None = PasswordOption,
    database: str | None = DatabaseOption,
) -> None:
    """Make FIRST and each OTHER one entity: a merge block in OUT/kg-curation.toml, and the
    graph, index, page and database rebuilt from the extractions (nothing extracted again)."""
    def change(curation: Curation) -> Curation:
        nodes = list(dict.fromkeys(_node(out, name) for name in [first, *others]))
        if len(nodes) == 1:
            raise _Unchanged(f"{' and '.join([first, *others])} are already one entity ({nodes[0]})")
        return curation.with_block("merge", names=nodes)

    _run(out, change, f"{' and '.join([first, *others])} are one entity", html, db, uri, user, password, database)


@app.command("rename")
def rename(
    old: str = typer.Argument(..., help="An entity (its name or any alias)."),
    new: str = typer.Argument(..., help="Its new name."),
    out: Path = OutOption,
    html: bool | None = HtmlOption,
    db: bool = DbOption,
    uri: str | None = UriOption,
    user: str = UserOption,
    password: str | None = PasswordOption,
    database: str | None = DatabaseOption,
) -> None:
    """Name the entity OLD as NEW (OLD stays an alias): a rename block in OUT/kg-curation.toml,
    and everything rebuilt from the extractions."""
    from kg.io.normalize import key

    if not new.strip() or not key(new):
        fail("the new name is empty")

    def change(curation: Curation) -> Curation:
        node = _node(out, old)
        if node == new:
            raise _Unchanged(f"{old} is already named {new}")
        try:
            other = _node(out, new)
        except _NoSuchEntity:
            other = None
        if other is not None and other != node:
            raise _NoSuchEntity(f"{new!r} is already the entity {other}; to make them one, use "
                                f"`kg merge {other} {node}`")
        return curation.with_block("rename", **{"from": node, "to": new.strip()})

    _run(out, change, f"{old} is named {new}", html, db, uri, user, password, database)


@app.command("forget")
def forget(
    names: list[str] = typer.Argument(..., metavar="NAME...", help="Entities that are none (a name or any alias)."),
    out: Path = OutOption,
    html: bool | None = HtmlOption,
    db: bool = DbOption,
    uri: str | None = UriOption,
    user: str = UserOption,
    password: str | None = PasswordOption,
    database: str | None = DatabaseOption,
) -> None:
    """Each NAME is no entity: a never block in OUT/kg-curation.toml, and the entities and their
    relations gone from the graph, index, page and database (the extractions keep them)."""
    def change(curation: Curation) -> Curation:
        return curation.with_block("never", names=list(dict.fromkeys(_node(out, name) for name in names)))

    _run(out, change, f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} no entity", html, db, uri, user,
         password, database)
