"""``kg neighbours``, ``kg path``, ``kg stats``: the build folder's graph opened read-only through the
Python API (``kg.open``, see :mod:`kg.graph.indexed`), which answers from the lookup index ``OUT/index.sqlite``
and reads only what a question needs. An index that is missing or older than graph.json is rebuilt
from it first (kept if the folder can be written). Neither networkx nor the pydantic models are
imported here: a lookup is a process of a tenth of a second, whatever the size of the graph."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from rich.text import Text

from kg.cli.common import OutOption, console, fail, graph_path, plain, print_json, say
from kg.extraction.evidence import EndMark, end_marks, segments, window
from kg.schema import EntityType, RelationType

if TYPE_CHECKING:
    from kg.graph.indexed import IndexedGraph

app = typer.Typer()


def open_graph_or_fail(out: Path) -> IndexedGraph:
    """The folder's graph (see :func:`kg.graph.indexed.open_graph`), or a one-line error."""
    from kg.graph.indexed import GraphUnavailable, open_graph

    try:
        return open_graph(out)
    except GraphUnavailable as exc:
        fail(str(exc))


#: How an end of a relation shows in its evidence: in brackets (plain text, so also without colour).
END_STYLE = "bold"


def _evidence_text(evidence: list[dict], width: int = 48) -> Text:
    """The first evidence sentence, shortened around the relation's two ends (each in 【】), and
    how many more sentences there are. The sentence stays plain text (see :func:`plain`)."""
    line = Text()
    if not evidence:
        return line
    first = evidence[0]
    raw = str(first.get("text", ""))
    text, lead = raw.strip(), len(raw) - len(raw.lstrip())
    marks = [EndMark(m.role, m.start - lead, m.end - lead) for m in end_marks(first)
             if m.start >= lead and m.end <= lead + len(text)]
    text, marks = window(text, marks, width)
    for piece, role in segments(text, marks):
        line.append_text(plain(piece) if role is None else plain(f"【{piece}】", END_STYLE))
    more = len({e["text"] for e in evidence}) - 1
    if more:
        line.append(f" (+{more})")
    return line


ARROWS = {"out": "->", "in": "<-", "both": "<->"}


@app.command("neighbours")
def neighbours_cmd(
    name: str = typer.Argument(..., help="Any name or alias, in either script or English."),
    depth: int = typer.Option(1, "--depth", "-d", min=1, max=6, help="How many hops to walk."),
    types: list[EntityType] = typer.Option(None, "--type", "-t", help="Only show entities of this type."),
    relations: list[RelationType] = typer.Option(None, "--relation", "-r", help="Only walk these relations."),
    limit: int = typer.Option(100, "--limit", "-n", min=0, help="Show at most this many (0: all); the rest is "
                                                                 "counted."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    out: Path = OutOption,
) -> None:
    """Entities related to NAME, with relation, direction and evidence."""
    from kg.graph.index import UnknownName

    graph = open_graph_or_fail(out)
    try:
        found = graph.neighbours(name, depth=depth, types=types or None, relations=relations or None,
                                 limit=limit or None)
    except UnknownName as exc:
        fail(str(exc))
    rows = found.rows
    if as_json:
        print_json({"entity": found.entity, "type": found.type, "neighbours": rows, "omitted": found.omitted})
        return
    deep = depth > 1
    total = len(rows) + found.omitted
    table = Table(title=plain(f"{found.entity} ({found.type}): {total} neighbours"), expand=False)
    if deep:
        table.add_column("depth", justify="right")
        table.add_column("via", overflow="fold")
    table.add_column("relation", overflow="fold")
    table.add_column("entity", overflow="fold")
    table.add_column("type", overflow="fold")
    table.add_column("evidence", overflow="fold", ratio=1)
    for r in rows:
        cells = [f"{ARROWS[r['direction']]} {r['relation']}", r["name"], r["type"]]
        table.add_row(*map(plain, [*([r["depth"], r["via"]] if deep else []), *cells]), _evidence_text(r["evidence"]))
    console.print(table)
    if found.omitted:
        say((f"… and {found.omitted} more (--limit {limit} shown; --limit 0 shows all)", "dim"))


@app.command("path")
def path_cmd(
    a: str = typer.Argument(..., help="First entity (any alias)."),
    b: str = typer.Argument(..., help="Second entity (any alias)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    out: Path = OutOption,
) -> None:
    """The shortest chain of relations between two entities (exit code 1 when there is none)."""
    from kg.graph.index import UnknownName

    graph = open_graph_or_fail(out)
    try:
        same = graph.resolve(a) == graph.resolve(b)
        steps = graph.path(a, b)
    except UnknownName as exc:
        fail(str(exc))
    if as_json:
        print_json(steps)
    elif same:
        say(f"{a} and {b} are one entity: {graph.resolve(a)}")
    elif not steps:
        say(f"no path between {a} and {b}")
    for s in [] if as_json else steps:
        arrow = {"out": f"-{s['relation']}->", "in": f"<-{s['relation']}-", "both": f"<-{s['relation']}->"}
        evidence = _evidence_text(s["evidence"])
        evidence.stylize("dim")
        say(f"{s['from']} {arrow[s['direction']]} {s['to']}    ", evidence)
    if not steps and not same:
        raise typer.Exit(1)


@app.command("stats")
def stats_cmd(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    out: Path = OutOption,
) -> None:
    """Counts of entities and relations by type, and the best-connected entities."""
    s = open_graph_or_fail(out).stats()
    if as_json:
        print_json(s)
        return
    say((f"{s['nodes']}", "bold"), " entities, ", (f"{s['edges']}", "bold"), " relations, ",
        f"{s['documents']} documents  ({graph_path(out)})")
    for title, counts in (("entity type", s["entity_types"]), ("relation type", s["relation_types"])):
        t = Table(show_header=True)
        t.add_column(title)
        t.add_column("count", justify="right")
        for k, v in counts.items():
            t.add_row(plain(k), plain(v))
        console.print(t)
    t = Table(title="most connected")
    t.add_column("entity")
    t.add_column("degree", justify="right")
    for row in s["top_degree"]:
        t.add_row(plain(row["name"]), plain(row["degree"]))
    console.print(t)
