"""``kg load`` and ``kg query``: the graph in a Bolt database (Neo4j, or the embedded FalkorDB).

``kg query`` on the embedded database uses the server kept running for the folder (``kg db``), and
starts one if none runs, which then stays up for the next queries until ``kg db stop`` or its idle
timeout (``KG_DB_IDLE``; see :mod:`kg.sinks.store.running`): a query then costs its own time only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from kg.cli.common import (
    DatabaseOption,
    OutOption,
    PasswordOption,
    UriOption,
    UserOption,
    console,
    fail,
    graph_path,
    plain,
    print_json,
    say,
    warn,
)
from kg.sinks.store import DB_DIR, DEFAULT_BATCH_SIZE, saved_queries
from kg.sinks.store.errors import StoreError

if TYPE_CHECKING:  # the driver and networkx are imported when a command runs
    import networkx as nx

    from kg.sinks.store.bolt import Store

app = typer.Typer()


@contextmanager
def store_for(out: Path, uri: str | None, user: str, password: str | None, database: str | None,
              lock: bool = True, keep: bool = False) -> Iterator[Store]:
    """The store for a command; database and folder errors and Ctrl-C become one-line messages.
    The embedded server's folder is locked for the command (``lock=False``: the caller holds it);
    ``keep``: an embedded server started now stays up after the command (see :mod:`kg.sinks.store.running`)."""
    from kg.io.outputs import OutputError
    from kg.sinks.outfolder import OutputFolder
    from kg.sinks.store.connect import open_store

    try:
        with ExitStack() as stack:
            if lock and not uri:
                stack.enter_context(OutputFolder(out).lock(on_wait=warn))
            yield stack.enter_context(open_store(uri, user, password, database, data_dir=out / DB_DIR, keep=keep))
    except (StoreError, OutputError) as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", code=130)


def describe(store: Store, out: Path) -> str:
    """Where a command's data went, for its closing line."""
    return f"embedded FalkorDB ({out / DB_DIR})" if store.embedded else store.description


def _read_source(path: Path) -> nx.MultiDiGraph:
    """graph.json from ``kg build``, or extractions (.jsonl) from ``kg extract``."""
    from pydantic import ValidationError

    from kg.graph.network import GraphFormatError, build_graph, load_json

    if path.suffix.lower() in (".jsonl", ".ndjson"):
        from kg.extraction.pipeline import ExtractionsError, read_extractions

        try:
            return build_graph(read_extractions(path))
        except ExtractionsError as exc:
            fail(str(exc))
        except FileNotFoundError:
            fail(f"{path}: no such file")
        except OSError as exc:
            fail(f"{path}: cannot read ({(exc.strerror or str(exc)).lower()})")
        except (ValidationError, ValueError) as exc:
            fail(f"{path}: not an extractions file ({str(exc).splitlines()[0]})")
    try:
        return load_json(path)
    except GraphFormatError as exc:
        fail(str(exc))


@app.command("load")
def load(
    source: Path | None = typer.Argument(None, readable=False,
                                         help="graph.json of `kg build` or extractions .jsonl of `kg extract` "
                                              "(default: OUT/graph.json)."),
    out: Path = OutOption,
    uri: str | None = UriOption,
    user: str = UserOption,
    password: str | None = PasswordOption,
    database: str | None = DatabaseOption,
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, "--batch-size", min=1, help="Rows per UNWIND statement."),
    replace: bool = typer.Option(False, "--replace", help="Replace the stored graph with this one (the old graph "
                                                         "stays until the new one is completely loaded)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Load the graph into a Bolt database (merging: loading twice changes nothing)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.sinks.outfolder import signals_held_back
    from kg.sinks.store.loader import counts, load_graph
    from kg.sinks.store.replace import replacing

    path = source or graph_path(out)
    G = _read_source(path)
    if G.number_of_nodes() == 0:
        warn(f"{path} holds no entities: nothing to load")
    started = time.monotonic()
    with store_for(out, uri, user, password, database) as store:
        before = counts(store)["nodes"] if replace else 0
        with Progress(TextColumn("[bold]loading"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("rows"), TimeElapsedColumn(), console=console, disable=quiet) as progress:
            task = progress.add_task("load", total=G.number_of_nodes() + G.number_of_edges())

            def advance(n: int) -> None:
                progress.advance(task, n)

            if replace:
                with replacing(store) as replacement:
                    report = replacement.load(G, batch_size, on_progress=advance)
                    with signals_held_back():
                        replacement.finish()
            else:
                report = load_graph(store, G, batch_size, on_progress=advance)
        now = counts(store)
        where = describe(store, out)
    if replace:
        say(f"replaced {before} entities in {where}", err=True)
    say(("loaded", "bold green"), f" {report.entities} entities and {report.relations} relations from {path} "
        f"into {where} in {time.monotonic() - started:.1f} s; the database now holds "
        f"{now['nodes']} entities and {now['relationships']} relations")


def _print_saved_list() -> None:
    queries = saved_queries.list_queries()
    if not queries:
        fail(f"no saved queries in {saved_queries.query_dir()}")
    table = Table(title=plain(f"saved queries ({saved_queries.query_dir()})"), show_lines=False)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("parameters (defaults)", overflow="fold")
    table.add_column("answers", overflow="fold")
    for q in queries:
        params = ", ".join(p.name if p.required else f"{p.name}={p.default}" for p in q.params.values())
        table.add_row(plain(q.name), plain(params), plain(q.title))
    console.print(table)
    say("run one with: kg query NAME [--param k=v ...]   e.g. kg query partners-of --param name=科大讯飞")


@app.command("query")
def query(
    cypher_or_file: str | None = typer.Argument(None, metavar="CYPHER_OR_FILE",
                                         help="A saved query's name (see --list), a .cypher file, or Cypher."),
    param: list[str] | None = typer.Option(None, "--param", "-p", metavar="NAME=VALUE",
                                    help="A query parameter, as text (NAME=VALUE) or as JSON (NAME:=JSON, e.g. "
                                         "limit:=5, ok:=true, names:='[\"a\", \"b\"]'); repeat for more."),
    write: bool = typer.Option(False, "--write", help="Allow a statement that changes the database (CREATE, MERGE, "
                                                     "SET, DELETE ...); without it kg query only reads."),
    as_json: bool = typer.Option(False, "--json", help="Rows as JSON."),
    list_saved: bool = typer.Option(False, "--list", help="List the saved queries and exit."),
    out: Path = OutOption,
    uri: str | None = UriOption,
    user: str = UserOption,
    password: str | None = PasswordOption,
    database: str | None = DatabaseOption,
) -> None:
    """Run Cypher against the database and print the rows as a table (or JSON)."""
    from kg.sinks.store.results import to_plain

    if list_saved:
        _print_saved_list()
        return
    if not cypher_or_file:
        fail("give a saved query name, a .cypher file or a Cypher statement (`kg query --list` shows the "
             "saved queries)")
    try:
        saved = saved_queries.resolve(cypher_or_file)
        values = saved_queries.bind(saved, saved_queries.parse_assignments(param or []))
    except StoreError as exc:
        fail(str(exc))
    clause = saved_queries.write_clause(saved.cypher)
    if clause and not write:
        fail(f"this statement changes the database ({clause}); kg query only reads unless you pass --write")
    with store_for(out, uri, user, password, database, keep=True) as store:
        result = store.run(saved.cypher, values, write=write)
        description = store.description
        empty = not uri and not result.records and _holds_nothing(store)
    if empty:
        warn(f"the embedded database in {out / DB_DIR} is empty: run `kg load` first")
    if write and result.counters:
        warn(f"the database now differs from {graph_path(out)}; `kg load --replace` (or `kg build`) makes them "
             f"agree again")
    if as_json:
        print_json([{k: to_plain(r[k]) for k in result.keys} for r in result.records])
        return
    _print_table(saved, result.keys, result.records, result.counters, description)


def _holds_nothing(store: Store) -> bool:
    """No entity in the database (a query's empty answer then says more about the database)."""
    from kg.sinks.store.loader import counts  # networkx and the models: only when a query found nothing

    return counts(store)["nodes"] == 0


def _print_table(saved: saved_queries.SavedQuery, keys: list[str], records: list, counters: dict[str, int],
                 description: str) -> None:
    from kg.sinks.store.results import to_cell

    rows = [[to_cell(record[k]) for k in keys] for record in records]
    shortened = any(row != [to_cell(record[k], short=False) for k in keys] for row, record in zip(
        rows, records, strict=True))
    # Rules between rows only when cells run over several lines (evidence), else they are noise.
    multiline = any("\n" in cell or len(cell) > 40 for row in rows for cell in row)
    table = Table(show_lines=multiline)
    for key in keys:
        table.add_column(plain(key), overflow="fold")
    for row in rows:
        table.add_row(*map(plain, row))
    caption = f"{len(records)} row{'s' * (len(records) != 1)} · {description}"
    if shortened:
        caption += " · long values shortened, --json shows them whole"
    if saved.path is not None and saved.title:
        say((saved.name, "bold"), ": ", saved.title)
    if keys:
        console.print(table)
        say((caption, "dim"))
    if counters:
        say(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counters.items()))
    elif not keys:
        say(f"done · {description}")
