"""``kg build``, ``kg remove`` and ``kg extract``: documents in, extractions (and the graph) out.

The work is done by :mod:`kg.sinks.building` and :mod:`kg.extraction.pipeline`, imported when a command runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kg.cli.common import (
    ClassifierOption,
    ConfigOption,
    DatabaseOption,
    DictionaryOption,
    MinConfidenceOption,
    NerModelOption,
    NerOption,
    OutOption,
    PasswordOption,
    RelationModelOption,
    SetOption,
    UriOption,
    UserOption,
    console,
    extractor_from_options,
    fail,
    given_options,
    say,
    warn,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from kg.cli.progress import DocumentBar
    from kg.graph.curation import Curation
    from kg.io.readers import InputProblem, ReadOptions
    from kg.sinks.building import BuildResult, Database


app = typer.Typer()


def _default_inputs() -> list[Path]:
    from kg.resources import seeds_dir

    seeds = seeds_dir()
    if seeds.is_dir():
        return [seeds]
    fail("no input given and the shipped seed articles were not found; pass files or folders")


def _count_docs(paths: list[Path], read: ReadOptions) -> int | None:
    """Number of text files (for the progress bar total); None when JSONL makes it unknown."""
    from kg.io.readers import JSONL_SUFFIXES, list_files

    total = 0
    for p in paths:
        try:
            files = list_files(p, read) if p.is_dir() else [p]
        except OSError:
            return None  # the reader reports the unreadable folder
        if any(f.suffix.lower() in JSONL_SUFFIXES for f in files):
            return None
        total += len(files)
    return total


def _on_problem(p: InputProblem) -> None:
    if p.kind == "note":
        say(("note:", "cyan"), " ", str(p), err=True)
    else:
        warn(f"skipped {p}" if p.skipped else str(p))


def _read_options(recursive: bool, include: list[str] | None, encoding: str | None, max_chars: int,
                  follow_symlinks: bool, exclude: tuple[Path, ...] = ()) -> ReadOptions:
    import codecs

    from kg.io.readers import ReadOptions

    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            fail(f"--encoding: unknown encoding {encoding!r} (e.g. utf-8, gb18030, big5, utf-16)")
    return ReadOptions(recursive, tuple(include or ()), encoding, exclude, max_chars, follow_symlinks)


RecursiveOption = typer.Option(False, "--recursive", "-R", help="Read folders with all their subfolders (hidden "
                                                                "ones skipped); ids then keep the path: 2024/05/a.")
IncludeOption = typer.Option(None, "--include", metavar="GLOB", help="Only files whose name matches, e.g. '*.txt' "
                                                                     "(repeat for more).")
EncodingOption = typer.Option(None, "--encoding", metavar="NAME", help="Read every file in this encoding (default: "
                                                                       "UTF-8, else detected per file and reported).")
FollowSymlinksOption = typer.Option(False, "--follow-symlinks",
                                    help="Read the files that symbolic links in an input folder point to (and, with "
                                         "-R, the folders); without it they are skipped with a warning. FIFOs and "
                                         "devices are never read from a folder.")
MaxCharsOption = typer.Option(5_000_000, "--max-chars", min=1, metavar="N",
                              help="Skip (with a warning) a document longer than N characters; longer ones are read "
                                   "in chunks up to that.")


@contextmanager
def _progress(inputs: list[Path], quiet: bool, read: ReadOptions) -> Iterator[DocumentBar]:
    """A progress bar over the documents of ``inputs`` (and inside long ones)."""
    from kg.cli.progress import DocumentBar

    with Progress(TextColumn("[bold]extracting"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[doc]}", markup=False), TimeElapsedColumn(),
                  console=console, disable=quiet, transient=False) as progress:
        yield DocumentBar(progress, progress.add_task("extract", total=_count_docs(inputs, read), doc=""))


def _check_folder_curation(out: Path) -> None:
    """A one-line error, before any document is read, if the folder's curation file is unreadable."""
    from kg.graph.curation import CURATION_FILE, Curation, CurationError

    try:
        Curation.read(out / CURATION_FILE)
    except CurationError as exc:
        fail(f"{exc}; {out} left as it was")


@contextmanager
def _one_line_errors(out: Path) -> Iterator[None]:
    """What can go wrong in a build, as one line that says the folder is unchanged."""
    from kg.extraction.pipeline import ExtractionsError
    from kg.graph.curation import CurationError
    from kg.io.outputs import OutputError
    from kg.sinks.building import NothingToDo
    from kg.sinks.store.errors import StoreError

    try:
        yield
    except NothingToDo as exc:
        fail(str(exc))
    except ExtractionsError as exc:
        fail(f"{exc}; {out} left as it was")
    except CurationError as exc:
        fail(f"{exc}; {out} left as it was")
    except OutputError as exc:
        fail(f"{exc}; {out} left as it was")
    except StoreError as exc:
        fail(f"{exc}; {out} and the database left as they were (--no-db skips the database)")
    except KeyboardInterrupt:
        fail(f"interrupted; {out} and the database left as they were", code=130)


def _database(db: bool, uri: str | None, user: str, password: str | None, database: str | None) -> Database | None:
    from kg.sinks.building import Database

    return Database(uri, user, password, database) if db else None


def _report(result: BuildResult, verb: str, documents: str) -> None:
    s, report = result.stats, result.report
    say((verb, "bold green"), f" {documents}: {s['nodes']} entities, {s['edges']} relations"
        + (f", {len(report.problems)} inputs skipped" if report.problems else ""))
    say("wrote " + ", ".join(str(p) for p in result.published))
    if result.loaded_into:
        say(f"loaded {s['nodes']} entities and {s['edges']} relations into {result.loaded_into}")


WorkersOption = typer.Option(None, "--workers", "-w", min=1,
                             help="Worker processes for extraction (default: all cores).")
HtmlOption = typer.Option(None, "--html/--no-html",
                          help="Write graph.html (default: yes for a build; with --add or remove, if there is one).")
DbOption = typer.Option(True, "--db/--no-db", help="Also load the graph into the database: the embedded FalkorDB in "
                                                   "OUT/db, or the Bolt server of --uri / NEO4J_URI.")
QuietOption = typer.Option(False, "--quiet", "-q", help="No progress bar.")


def _export_help() -> str:
    from kg.registry import SINKS

    return ("Also write this registered format into OUT with the build, at its usual name (repeat for more; "
            f"{', '.join(n for n in SINKS.names() if n != 'html')}; see kg export).")


def _exports(names: list[str] | None, config: Path | None) -> tuple[tuple[str, BaseModel | None], ...]:
    """The sinks to write with the build: ``exports`` of the configuration file, then those ``--export``
    names, each checked and with its settings from the file's ``[sinks.NAME]`` (one line if wrong)."""
    from kg.cli.export import settings_of
    from kg.extraction.config import ConfigError, read_config_file
    from kg.registry import SINKS

    data: dict = {}
    if config is not None:
        try:
            data = read_config_file(config)
        except ConfigError as exc:
            fail(str(exc))
    blocks = data.get("sinks", {})
    wanted = [*data.get("exports", []), *(names or [])]
    for name in [*wanted, *blocks]:
        if name not in SINKS.names():
            where = "--export" if name in (names or []) else f"{config}"
            fail(f"{where}: unknown format {name!r}; choose from {', '.join(SINKS.names())}")
    settings = {name: settings_of(name, SINKS.get(name), block, f"{config}: [sinks.{name}]")
                for name, block in blocks.items()}
    return tuple((name, settings.get(name)) for name in dict.fromkeys(wanted + (["html"] if "html" in blocks else [])))


CurationOption = typer.Option(None, "--curation", metavar="FILE", readable=False,
                              help="A curation file (kg-curation.toml: merge, split, never, type, rename; see the "
                                   "README) to apply.")


def _read_curation(path: Path | None) -> Curation | None:
    """The curation of ``path`` (None: none given); a one-line error naming file and line."""
    if path is None:
        return None
    from kg.graph.curation import Curation, CurationError

    if not path.is_file():
        fail(f"--curation: {path}: no such file")
    try:
        return Curation.read(path)
    except CurationError as exc:
        fail(str(exc))


@app.command()
def build(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(None, readable=False,  # our readers skip what they cannot read
                                       help="Files or folders of .txt/.md/.jsonl (default: the shipped seeds)."),
    out: Path = OutOption,
    add: bool = typer.Option(False, "--add", help="Add PATHS to the documents already in OUT (a document with an "
                                                  "id already there replaces it) instead of starting afresh."),
    workers: int | None = WorkersOption,
    html: bool | None = HtmlOption,
    db: bool = DbOption,
    uri: str | None = UriOption,
    user: str = UserOption,
    password: str | None = PasswordOption,
    database: str | None = DatabaseOption,
    ner: str = NerOption,
    dictionary: list[Path] | None = DictionaryOption,
    ner_model: Path | None = NerModelOption,
    relation_model: Path | None = RelationModelOption,
    min_confidence: float = MinConfidenceOption,
    classifier: bool = ClassifierOption,
    config: Path | None = ConfigOption,
    settings: list[str] | None = SetOption,
    recursive: bool = RecursiveOption,
    include: list[str] | None = IncludeOption,
    encoding: str | None = EncodingOption,
    max_chars: int = MaxCharsOption,
    follow_symlinks: bool = FollowSymlinksOption,
    quiet: bool = QuietOption,
    export: list[str] | None = typer.Option(None, "--export", metavar="FORMAT", help=_export_help()),
    curation: Path | None = typer.Option(None, "--curation", metavar="FILE", readable=False,
                                         help="Use this curation file (see the README) from now on: copied to "
                                              "OUT/kg-curation.toml (default: the one OUT has, if any)."),
) -> None:
    """Extract every document and write extractions.jsonl, graph.json, index.sqlite and graph.html
    into OUT, then load the graph into the database (so `kg query` works straight away). The
    folder's curation (OUT/kg-curation.toml: kg merge, kg rename, kg forget) is applied and kept.

    All or nothing: the files and the database change together when the build is complete; an
    error or Ctrl-C leaves OUT and the database as they were. Builds on one OUT take turns."""
    from kg.extraction.pipeline import default_workers
    from kg.sinks import building

    extractor = extractor_from_options(ner, dictionary, ner_model, relation_model, min_confidence,
                                       classifier=classifier, config_file=config, given=given_options(ctx),
                                       settings=settings)
    if add and not paths:
        fail("--add needs the files or folders to add")
    exports = _exports(export, config)
    curated = _read_curation(curation)
    if curated is None:
        _check_folder_curation(out)
    inputs = list(paths) if paths else _default_inputs()
    read = _read_options(recursive, include, encoding, max_chars, follow_symlinks)
    run = building.add if add else building.build
    with _one_line_errors(out), _progress(inputs, quiet, read) as bar:
        result = run(out, inputs, extractor, workers or default_workers(), html if add else html is not False,
                     _database(db, uri, user, password, database), on_problem=_on_problem, on_done=bar.on_done,
                     on_wait=warn, read=read, on_progress=bar.on_chunk, curation=curated, exports=exports)
    report = result.report
    _report(result, "added" if add else "built", f"{report.documents} documents ({report.characters:,} chars)")
    if report.problems:
        raise typer.Exit(1)


@app.command()
def remove(
    doc_ids: list[str] = typer.Argument(..., metavar="DOC_ID...", help="Ids of the documents to take out."),
    out: Path = OutOption,
    html: bool | None = HtmlOption,
    db: bool = DbOption,
    uri: str | None = UriOption,
    user: str = UserOption,
    password: str | None = PasswordOption,
    database: str | None = DatabaseOption,
) -> None:
    """Take documents out of OUT: their evidence and mentions go, and the entities and relations
    nothing else supports, from extractions.jsonl, graph.json, the index, the page and the database."""
    from kg.sinks import building

    _check_folder_curation(out)
    with _one_line_errors(out):
        result = building.remove(out, doc_ids, html, _database(db, uri, user, password, database), on_wait=warn)
    missing = sorted(set(doc_ids) - set(result.removed))
    if missing:
        warn(f"no document {', '.join(missing)} in {out}")
    _report(result, "removed", f"{len(result.removed)} documents ({', '.join(result.removed)})")


@app.command()
def extract(
    ctx: typer.Context,
    input: Path = typer.Argument(..., readable=False,
                                 help="A folder of .txt/.md files, one file, or JSONL of {id, text}."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the extractions (JSONL)."),
    workers: int | None = WorkersOption,
    quiet: bool = QuietOption,
    ner: str = NerOption,
    dictionary: list[Path] | None = DictionaryOption,
    ner_model: Path | None = NerModelOption,
    relation_model: Path | None = RelationModelOption,
    min_confidence: float = MinConfidenceOption,
    classifier: bool = ClassifierOption,
    config: Path | None = ConfigOption,
    settings: list[str] | None = SetOption,
    recursive: bool = RecursiveOption,
    include: list[str] | None = IncludeOption,
    encoding: str | None = EncodingOption,
    max_chars: int = MaxCharsOption,
    follow_symlinks: bool = FollowSymlinksOption,
    curation: Path | None = CurationOption,
) -> None:
    """Extract entities and relations from INPUT, one JSON line per document.

    OUTPUT is replaced only when the new one is complete; it may not be one of the inputs. A
    symlink is written through to its target, a device or FIFO (such as /dev/stdout) is written to."""
    from kg.extraction.pipeline import default_workers, write_extractions
    from kg.io.outputs import OutputError, check_folder_exists, check_not_input
    from kg.sinks.outfolder import check_not_state
    extractor = extractor_from_options(ner, dictionary, ner_model, relation_model, min_confidence,
                                       classifier=classifier, config_file=config, given=given_options(ctx),
                                       settings=settings)
    curated = _read_curation(curation)
    read = _read_options(recursive, include, encoding, max_chars, follow_symlinks,
                         exclude=(output,))  # never read the output
    try:
        check_not_input(output, [input])
        check_not_state(output, None, "extractions")
        check_folder_exists(output)
        with _progress([input], quiet, read) as bar:
            report = write_extractions([input], output, workers=workers or default_workers(), on_problem=_on_problem,
                                       on_done=bar.on_done, extractor=extractor, keep_empty=False, read_options=read,
                                       on_progress=bar.on_chunk, curation=curated)
    except OutputError as exc:
        fail(f"{exc}; {output} left as it was")
    if report.documents == 0:
        fail(f"no document could be read from {input}; {output} left as it was")
    say(("extracted", "bold green"), f" {report.documents} documents: {report.entities} entities, "
        f"{report.relations} relations -> {output}")
    if report.problems:
        raise typer.Exit(1)
