"""``kg build`` and ``kg extract``: documents in, extractions (and the graph) out."""

from __future__ import annotations

import secrets
from pathlib import Path

import networkx as nx
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
    say,
    warn,
)
from kg.extract import Extractor
from kg.graph import build_graph, save_json, stats
from kg.models import Extraction
from kg.outfolder import BUILD_FILES, OutputFolder, signals_held_back
from kg.outputs import OutputError, check_not_input
from kg.pipeline import RunReport, default_workers, read_extractions, write_extractions
from kg.readers import InputProblem
from kg.textsafety import visible

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
            try:
                files = [f for f in p.iterdir() if f.is_file()]
            except OSError:
                return None  # the reader reports the unreadable folder
            if any(f.suffix.lower() in (".jsonl", ".ndjson") for f in files):
                return None
            total += sum(f.suffix.lower() in (".txt", ".md") for f in files)
        elif p.suffix.lower() in (".jsonl", ".ndjson"):
            return None
        else:
            total += 1
    return total


def _run_extraction(inputs: list[Path], out_jsonl: Path, workers: int, extractor: Extractor,
                    quiet: bool = False) -> RunReport:
    """Extract ``inputs`` into ``out_jsonl`` with a progress bar; the file is left as it was when
    no document could be read. Write errors end the command with one line."""
    def on_problem(p: InputProblem) -> None:
        warn(f"skipped {p}" if p.skipped else str(p))

    with Progress(TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[doc]}", markup=False), TimeElapsedColumn(),
                  console=console, disable=quiet, transient=False) as progress:
        task = progress.add_task("extract", total=_count_docs(inputs), doc="")

        def on_done(ex: Extraction) -> None:
            progress.update(task, advance=1, doc=visible(ex.doc_id))

        try:
            return write_extractions(inputs, out_jsonl, workers=workers, on_problem=on_problem, on_done=on_done,
                                     extractor=extractor, keep_empty=False)
        except OutputError as exc:
            fail(f"{exc.strerror}; nothing was changed" if exc.strerror else str(exc))


WorkersOption = typer.Option(None, "--workers", "-w", min=1,
                             help="Worker processes for extraction (default: all cores).")


@app.command()
def build(
    paths: list[Path] = typer.Argument(None, readable=False,  # our readers skip what they cannot read
                                       help="Files or folders of .txt/.md/.jsonl (default: the shipped seeds)."),
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
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Extract every document and write extractions.jsonl, graph.json and graph.html into OUT,
    then load the graph into the database (so `kg query` works straight away).

    All or nothing: the files and the database change together when the build is complete; an
    error or Ctrl-C leaves OUT and the database as they were. Builds on one OUT take turns."""
    extractor = extractor_from_options(ner, dictionary)
    inputs = list(paths) if paths else _default_inputs()
    folder = OutputFolder(out)
    try:
        for name in BUILD_FILES:
            check_not_input(out / name, inputs)
        with folder.lock(on_wait=warn), folder.staging() as stage:
            report = _run_extraction(inputs, stage / "extractions.jsonl", workers or default_workers(), extractor,
                                     quiet=quiet)
            if report.documents == 0:
                fail(f"no document could be read from {', '.join(map(str, inputs))}; {out} left as it was")
            G = build_graph(read_extractions(stage / "extractions.jsonl"))
            save_json(G, stage / "graph.json")
            if html:
                from kg.html_export import write_html  # pyvis, jinja2: only when a page is written

                write_html(G, stage / "graph.html")
            build_id = secrets.token_hex(8)
            if db:
                loaded = _load_and_publish(folder, stage, build_id, G, uri, user, password, database)
            else:
                with signals_held_back():
                    loaded = folder.publish(stage, build_id), None
    except OutputError as exc:
        fail(f"{exc.strerror}; {out} left as it was" if exc.strerror else str(exc))
    published, where = loaded
    s = stats(G)
    say(("built", "bold green"), f" {report.documents} documents ({report.characters:,} chars): "
        f"{s['nodes']} entities, {s['edges']} relations"
        + (f", {len(report.problems)} inputs skipped" if report.problems else ""))
    say("wrote " + ", ".join(str(p) for p in published))
    if where:
        say(f"loaded {s['nodes']} entities and {s['edges']} relations into {where}")
    if report.problems:
        raise typer.Exit(1)


def _load_and_publish(folder: OutputFolder, stage: Path, build_id: str, G: nx.MultiDiGraph, uri: str | None,
                      user: str, password: str | None, database: str | None) -> tuple[list[Path], str]:
    """Load ``G`` in place of the stored graph, then publish the staged files and the database
    together, with SIGINT/SIGTERM held back. Returns the published files and where the graph went."""
    from kg.cli.database import describe, store_for
    from kg.store.replace import replacing

    published: list[Path] = []
    with store_for(folder.path, uri, user, password, database, lock=False) as store:
        with replacing(store, build_id) as replacement:
            replacement.load(G)
            with signals_held_back():
                replacement.finish(lambda: published.extend(folder.publish(stage, build_id)))
        return published, describe(store, folder.path)


@app.command()
def extract(
    input: Path = typer.Argument(..., readable=False,
                                 help="A folder of .txt/.md files, one file, or JSONL of {id, text}."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the extractions (JSONL)."),
    workers: int | None = WorkersOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ner: str = NerOption,
    dictionary: list[Path] | None = DictionaryOption,
) -> None:
    """Extract entities and relations from INPUT, one JSON line per document.

    OUTPUT is replaced only when the new one is complete; it may not be one of the inputs. A
    symlink is written through to its target, a device or FIFO (such as /dev/stdout) is written to."""
    extractor = extractor_from_options(ner, dictionary)
    try:
        check_not_input(output, [input])
    except OutputError as exc:
        fail(str(exc))
    report = _run_extraction([input], output, workers or default_workers(), extractor, quiet=quiet)
    if report.documents == 0:
        fail(f"no document could be read from {input}; {output} left as it was")
    say(("extracted", "bold green"), f" {report.documents} documents: {report.entities} entities, "
        f"{report.relations} relations -> {output}")
    if report.problems:
        raise typer.Exit(1)
