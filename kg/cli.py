"""The ``kg`` command line: build, extract, explore."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg import __version__
from kg.cli_common import (
    DatabaseOption,
    OutOption,
    PasswordOption,
    UriOption,
    UserOption,
    console,
    fail,
    graph_path,
    load_graph_or_fail,
    warn,
)
from kg.graph import UnknownEntityError, build_graph, neighbours, save_json, shortest_path, stats
from kg.models import Extraction
from kg.pipeline import default_workers, read_extractions, write_extractions
from kg.readers import InputProblem
from kg.schema import EntityType, RelationType

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

app = typer.Typer(
    name="kg",
    help="Knowledge graphs from Chinese news: extract entities and relations, explore, query, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Knowledge graphs from Chinese news."""


def _default_inputs() -> list[Path]:
    if SEEDS.is_dir():
        return [SEEDS]
    fail("no input given and the shipped seeds/ folder was not found; pass files or folders")


def _count_docs(paths: list[Path]) -> int | None:
    """Number of text files (for the progress bar total); None when JSONL makes it unknown."""
    total = 0
    for p in paths:
        if p.is_dir():
            files = [f for f in p.iterdir() if f.is_file()]
            if any(f.suffix.lower() in (".jsonl", ".ndjson") for f in files):
                return None
            total += sum(f.suffix.lower() in (".txt", ".md") for f in files)
        elif p.suffix.lower() in (".jsonl", ".ndjson"):
            return None
        else:
            total += 1
    return total


def _run_extraction(inputs: list[Path], out_jsonl: Path, workers: int, quiet: bool = False):
    def on_problem(p: InputProblem) -> None:
        warn(f"skipped {p}")

    with Progress(TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[doc]}"), TimeElapsedColumn(),
                  console=console, disable=quiet, transient=False) as progress:
        task = progress.add_task("extract", total=_count_docs(inputs), doc="")

        def on_done(ex: Extraction) -> None:
            progress.update(task, advance=1, doc=ex.doc_id)

        # Write beside the target and swap only when something was extracted, so a run over
        # unreadable input never replaces earlier results with an empty file.
        staged = out_jsonl.with_name(f".{out_jsonl.name}.staged")
        report = write_extractions(inputs, staged, workers=workers, on_problem=on_problem,
                                   on_done=on_done)
    if report.documents:
        os.replace(staged, out_jsonl)
    else:
        staged.unlink(missing_ok=True)
    return report


WorkersOption = typer.Option(None, "--workers", "-w", min=1,
                             help="Worker processes for extraction (default: all cores).")


@app.command()
def build(
    paths: list[Path] = typer.Argument(None, help="Files or folders of .txt/.md/.jsonl (default: the shipped seeds)."),
    out: Path = OutOption,
    workers: int | None = WorkersOption,
    html: bool = typer.Option(True, "--html/--no-html", help="Also write graph.html."),
    db: bool = typer.Option(True, "--db/--no-db",
                            help="Also load the graph into the database: the embedded FalkorDB in OUT/db, "
                                 "or the Bolt server of --uri / NEO4J_URI."),
    uri: str | None = UriOption,
    user: str = UserOption,
    password: str | None = PasswordOption,
    database: str | None = DatabaseOption,
) -> None:
    """Extract every document and write extractions.jsonl, graph.json and graph.html into OUT,
    then load the graph into the database (so `kg query` works straight away)."""
    inputs = list(paths) if paths else _default_inputs()
    out_jsonl = out / "extractions.jsonl"
    report = _run_extraction(inputs, out_jsonl, workers or default_workers())
    if report.documents == 0:
        fail(f"no document could be read from {', '.join(map(str, inputs))}")
    G = build_graph(read_extractions(out_jsonl))
    save_json(G, graph_path(out))
    written = [out_jsonl, graph_path(out)]
    if html:
        from kg.html_export import write_html

        write_html(G, out / "graph.html")
        written.append(out / "graph.html")
    s = stats(G)
    console.print(
        f"[bold green]built[/] {report.documents} documents ({report.characters:,} chars): "
        f"{s['nodes']} entities, {s['edges']} relations"
        + (f", {len(report.problems)} inputs skipped" if report.problems else "")
    )
    console.print("wrote " + ", ".join(str(p) for p in written))
    if db:
        from kg.cli_db import load_built_graph

        load_built_graph(G, out, uri, user, password, database)
    if report.problems:
        raise typer.Exit(1)


@app.command()
def extract(
    input: Path = typer.Argument(..., help="A folder of .txt/.md files, one file, or JSONL of {id, text}."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the extractions (JSONL)."),
    workers: int | None = WorkersOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Extract entities and relations from INPUT, one JSON line per document."""
    report = _run_extraction([input], output, workers or default_workers(), quiet=quiet)
    if report.documents == 0:
        fail(f"no document could be read from {input}; {output} left as it was")
    console.print(f"[bold green]extracted[/] {report.documents} documents: {report.entities} entities, "
                  f"{report.relations} relations -> {output}")
    if report.problems:
        raise typer.Exit(1)


def _evidence_text(evidence: list[dict], width: int = 48) -> str:
    """The first evidence sentence, shortened, and how many more there are."""
    if not evidence:
        return ""
    first = evidence[0]["text"].strip()
    text = first if len(first) <= width else first[: width - 1] + "…"
    more = len({e["text"] for e in evidence}) - 1
    return f"{text} (+{more})" if more else text


ARROWS = {"out": "->", "in": "<-", "both": "<->"}


@app.command("neighbours")
def neighbours_cmd(
    name: str = typer.Argument(..., help="Any name or alias, in either script or English."),
    depth: int = typer.Option(1, "--depth", "-d", min=1, max=6, help="How many hops to walk."),
    types: list[EntityType] = typer.Option(None, "--type", "-t", help="Only show entities of this type."),
    relations: list[RelationType] = typer.Option(None, "--relation", "-r", help="Only walk these relations."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    out: Path = OutOption,
) -> None:
    """Entities related to NAME, with relation, direction and evidence."""
    G = load_graph_or_fail(out)
    try:
        rows = neighbours(G, name, depth=depth, types=types or None, relations=relations or None)
    except UnknownEntityError as exc:
        fail(str(exc))
    from kg.graph import resolve

    centre = resolve(G, name)
    if as_json:
        console.print_json(json.dumps({"entity": centre, "type": G.nodes[centre]["type"],
                                       "neighbours": rows}, ensure_ascii=False))
        return
    deep = depth > 1
    table = Table(title=f"{centre} ({G.nodes[centre]['type']}): {len(rows)} neighbours", expand=False)
    if deep:
        table.add_column("depth", justify="right")
        table.add_column("via", overflow="fold")
    table.add_column("relation", overflow="fold")
    table.add_column("entity", overflow="fold")
    table.add_column("type", overflow="fold")
    table.add_column("evidence", overflow="fold", ratio=1)
    for r in rows:
        cells = [f"{ARROWS[r['direction']]} {r['relation']}", r["name"], r["type"], _evidence_text(r["evidence"])]
        table.add_row(*([str(r["depth"]), r["via"]] if deep else []), *cells)
    console.print(table)


@app.command("path")
def path_cmd(
    a: str = typer.Argument(..., help="First entity (any alias)."),
    b: str = typer.Argument(..., help="Second entity (any alias)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    out: Path = OutOption,
) -> None:
    """The shortest chain of relations between two entities."""
    G = load_graph_or_fail(out)
    try:
        steps = shortest_path(G, a, b)
    except UnknownEntityError as exc:
        fail(str(exc))
    if as_json:
        console.print_json(json.dumps(steps, ensure_ascii=False))
        return
    if not steps:
        console.print(f"no path between {a} and {b}")
        raise typer.Exit(1)
    for s in steps:
        arrow = {"out": f"-{s['relation']}->", "in": f"<-{s['relation']}-", "both": f"<-{s['relation']}->"}
        console.print(f"{s['from']} {arrow[s['direction']]} {s['to']}    [dim]{_evidence_text(s['evidence'])}[/]",
                      highlight=False)


@app.command("stats")
def stats_cmd(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    out: Path = OutOption,
) -> None:
    """Counts of entities and relations by type, and the best-connected entities."""
    G = load_graph_or_fail(out)
    s = stats(G)
    if as_json:
        console.print_json(json.dumps(s, ensure_ascii=False))
        return
    console.print(f"[bold]{s['nodes']}[/] entities, [bold]{s['edges']}[/] relations, "
                  f"{s['documents']} documents  ({graph_path(out)})")
    for title, counts in (("entity type", s["entity_types"]), ("relation type", s["relation_types"])):
        t = Table(show_header=True)
        t.add_column(title)
        t.add_column("count", justify="right")
        for k, v in counts.items():
            t.add_row(k, str(v))
        console.print(t)
    t = Table(title="most connected")
    t.add_column("entity")
    t.add_column("degree", justify="right")
    for row in s["top_degree"]:
        t.add_row(row["name"], str(row["degree"]))
    console.print(t)


def _register_plugins() -> None:
    """Commands that live in their own modules (database, HTML, evaluation)."""
    from kg import cli_db, cli_eval, cli_html

    for module in (cli_db, cli_eval, cli_html):
        module.register(app)


_register_plugins()


def main() -> None:
    app()
