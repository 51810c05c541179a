"""``kg build`` and ``kg extract``: documents in, extractions (and the graph) out."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg.cli.common import (
    DatabaseOption,
    DictionaryOption,
    NerOption,
    OutOption,
    PasswordOption,
    UriOption,
    UserOption,
    console,
    extractor_from_options,
    fail,
    graph_path,
    warn,
)
from kg.cli.progress import DocumentBar
from kg.extract import Extractor
from kg.graph import build_graph, save_json, stats
from kg.pipeline import RunReport, default_workers, read_extractions, write_extractions
from kg.readers import MAX_CHARS, InputProblem

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

app = typer.Typer()


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


def _run_extraction(inputs: list[Path], out_jsonl: Path, workers: int, extractor: Extractor,
                    quiet: bool = False, max_chars: int = MAX_CHARS) -> RunReport:
    def on_problem(p: InputProblem) -> None:
        warn(f"skipped {p}")

    with Progress(TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[doc]}"), TimeElapsedColumn(),
                  console=console, disable=quiet, transient=False) as progress:
        task = progress.add_task("extract", total=_count_docs(inputs), doc="")
        bar = DocumentBar(progress, task)
        # Write beside the target and swap only when something was extracted, so a run over
        # unreadable input never replaces earlier results with an empty file.
        staged = out_jsonl.with_name(f".{out_jsonl.name}.staged")
        report = write_extractions(inputs, staged, workers=workers, on_problem=on_problem, on_done=bar.on_done,
                                   extractor=extractor, max_chars=max_chars, on_progress=bar.on_chunk)
    if report.documents:
        os.replace(staged, out_jsonl)
    else:
        staged.unlink(missing_ok=True)
    return report


WorkersOption = typer.Option(None, "--workers", "-w", min=1,
                             help="Worker processes for extraction (default: all cores).")
MaxCharsOption = typer.Option(MAX_CHARS, "--max-chars", min=1, metavar="N",
                              help="Skip (with a warning) any document longer than N characters.")


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
    ner: str = NerOption,
    dictionary: list[Path] | None = DictionaryOption,
    max_chars: int = MaxCharsOption,
) -> None:
    """Extract every document and write extractions.jsonl, graph.json and graph.html into OUT,
    then load the graph into the database (so `kg query` works straight away)."""
    extractor = extractor_from_options(ner, dictionary)
    inputs = list(paths) if paths else _default_inputs()
    out_jsonl = out / "extractions.jsonl"
    report = _run_extraction(inputs, out_jsonl, workers or default_workers(), extractor, max_chars=max_chars)
    if report.documents == 0:
        fail(f"no document could be read from {', '.join(map(str, inputs))}")
    G = build_graph(read_extractions(out_jsonl))
    save_json(G, graph_path(out))
    written = [out_jsonl, graph_path(out)]
    if html:
        from kg.html_export import write_html  # pyvis, jinja2: only when a page is written

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
        from kg.cli.database import load_built_graph

        load_built_graph(G, out, uri, user, password, database)
    if report.problems:
        raise typer.Exit(1)


@app.command()
def extract(
    input: Path = typer.Argument(..., help="A folder of .txt/.md files, one file, or JSONL of {id, text}."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the extractions (JSONL)."),
    workers: int | None = WorkersOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ner: str = NerOption,
    dictionary: list[Path] | None = DictionaryOption,
    max_chars: int = MaxCharsOption,
) -> None:
    """Extract entities and relations from INPUT, one JSON line per document."""
    extractor = extractor_from_options(ner, dictionary)
    report = _run_extraction([input], output, workers or default_workers(), extractor, quiet=quiet,
                             max_chars=max_chars)
    if report.documents == 0:
        fail(f"no document could be read from {input}; {output} left as it was")
    console.print(f"[bold green]extracted[/] {report.documents} documents: {report.entities} entities, "
                  f"{report.relations} relations -> {output}")
    if report.problems:
        raise typer.Exit(1)
