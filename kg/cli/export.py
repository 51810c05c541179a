"""``kg export``: the graph in any registered sink's format (:data:`kg.registry.SINKS`): GraphML, GEXF,
CSV for neo4j-admin, JSON Lines, the HTML page, and the formats of installed plugins."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel, ValidationError

from kg.cli.common import DEFAULT_OUT, fail, graph_path, load_graph_or_fail, say, warn
from kg.io.outputs import OutputError, check_folder_exists, check_not_input, describe, is_special, real_target
from kg.registry import SINKS, UnknownComponentError
from kg.sinks.base import Export, ExportError, Sink
from kg.sinks.outfolder import OutputFolder, check_not_state

app = typer.Typer()


def _sink(name: str) -> Sink:
    try:
        return SINKS.get(name)
    except UnknownComponentError:
        fail(f"unknown format {name!r}; choose from {', '.join(SINKS.names())}")


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt is None:
        suffix = output.suffix.lower() if output is not None else None
        guess = next((name for name in SINKS.names() if suffix and suffix in SINKS.get(name).suffixes), None)
        if guess is None:
            fail(f"say which format: --format {', '.join(SINKS.names())}")
        return guess
    if fmt.lower() not in SINKS.names():
        fail(f"unknown format {fmt!r}; choose from {', '.join(SINKS.names())}")
    return fmt.lower()


def settings_of(name: str, sink: Sink, given: dict[str, Any], label: str = "") -> BaseModel:
    """The sink's own settings model filled from ``given`` (options and ``--set``, or a configuration
    file's block, which ``label`` names); one line if wrong."""
    label = label or f"--format {name}"
    try:
        return sink.Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        fail(f"{label}: {where}: {first['msg']}" if where else f"{label}: {first['msg']}")


def parse_sets(pairs: list[str] | None) -> dict[str, str]:
    """``NAME=VALUE`` pairs of ``--set`` as a dict (names with - read as _)."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--set takes NAME=VALUE, not {pair!r}")
        values[name.strip().replace("-", "_")] = value
    return values


def _target(name: str, sink: Sink, output: Path | None, out: Path) -> Path:
    """The file to write (the folder, for a folder sink)."""
    path = output if output is not None else out / sink.target
    if sink.folder:
        if path.exists() and not path.is_dir():
            fail(f"{path} is not a folder; --format {name} writes {' and '.join(sink.files)} into one")
        return path
    return path / sink.target if path.is_dir() else path


def _size(paths: list[Path]) -> str:
    total = 0
    for p in paths:
        with contextlib.suppress(OSError):
            total += p.stat().st_size
    if not total:
        return ""
    return f", {total / 1e6:,.1f} MB" if total >= 1e6 else f", {total / 1e3:,.1f} kB"


def _report_escapes(sink: Sink, export: Export) -> None:
    if export.escaped:
        chars = sorted({c for e in export.escaped for c in e.chars})
        shown = ", ".join(f"U+{ord(c):04X}" for c in chars[:6]) + (" ..." if len(chars) > 6 else "")
        first = export.escaped[0]
        more = f" and {len(export.escaped) - 1} more" if len(export.escaped) > 1 else ""
        warn(f"{len(export.escaped)} values hold characters {sink.unsafe} ({shown}), written as escapes "
             f"such as \\x1b: {first.where} {first.value!r}{more}")
    if export.neutralised:
        first = export.neutralised[0]
        more = f" and {len(export.neutralised) - 1} more" if len(export.neutralised) > 1 else ""
        warn(f"{len(export.neutralised)} values begin as a spreadsheet formula does (=, +, -, @, tab or carriage "
             f"return): written with a leading ' (--format jsonl keeps them exact): {first.where} "
             f"{first.value!r}{more}")


def _formats_help() -> str:
    return "; ".join(f"{r.name}: {text}" if (text := SINKS.help_of(r)) else r.name for r in SINKS.entries())


@app.command("export")
def export_cmd(
    fmt: str = typer.Option(None, "--format", "-f", metavar="FORMAT",
                            help=f"A registered format ({_formats_help()}); default: from the suffix of "
                                 f"--output."),
    output: Path = typer.Option(None, "--output", "-o",
                                help="File to write; for csv a folder (nodes.csv, relationships.csv). Default: "
                                     "graph.graphml, graph.gexf, graph.jsonl or neo4j-import/ in the --out folder."),
    array_delimiter: str = typer.Option(None, "--array-delimiter", metavar="CHAR",
                                        help="csv: the array delimiter (one character, TAB or U+XXXX). Default: "
                                             "';' as neo4j-admin, or another character when a value contains ';'."),
    database: str = typer.Option(None, "--database",
                                 help="csv: the database named in the neo4j-admin command.  [default: neo4j]"),
    sets: list[str] = typer.Option(None, "--set", metavar="NAME=VALUE",
                                   help="A setting of the format's own (repeat for more), e.g. --set max_nodes=0 "
                                        "for html."),
    out: Path = typer.Option(DEFAULT_OUT, "--out", help="Folder of `kg build` holding graph.json.", envvar="KG_OUT"),
) -> None:
    """Export the graph in a registered format: for Gephi, Cytoscape or yEd (GraphML, GEXF), for
    neo4j-admin (CSV), as JSON Lines, as the HTML page, or a plugin's. The output is replaced only
    when the new one is complete; it may not be graph.json."""
    name = _format(fmt, output)
    sink = _sink(name)
    given: dict[str, Any] = {}
    fields = sink.Settings.model_fields
    for option, field, value in (("--array-delimiter", "array_delimiter", array_delimiter),
                                 ("--database", "database", database)):
        if value is None:
            continue
        if field not in fields:
            takers = [n for n in SINKS.names() if field in SINKS.get(n).Settings.model_fields]
            fail(f"{option} is for --format {', '.join(takers)}")
        given[field] = value
    given.update(parse_sets(sets))
    settings = settings_of(name, sink, given)
    target = _target(name, sink, output, out)
    files = [target / f for f in sink.files] if sink.folder else [target]
    if not graph_path(out).exists():
        load_graph_or_fail(out)  # one line saying so, before the folder's lock would create the folder
    try:
        for f in files:
            check_not_input(f, [graph_path(out)])
            check_not_state(f, out, "export")
        check_folder_exists(target)
        # a file inside the output folder is written under its lock, as the files of a build are
        inside = real_target(out) in (real_target(target) / "x").parents if sink.folder else \
            real_target(target).parent == real_target(out)
        with OutputFolder(out).lock(on_wait=warn) if inside else contextlib.nullcontext():
            G = load_graph_or_fail(out)
            export = sink.write(G, target, settings)
    except ExportError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(str(exc) if isinstance(exc, OutputError) else f"cannot write {target}: {describe(exc)}")
    _report_escapes(sink, export)
    written = " and ".join(str(p) for p in export.files)
    streamed = not sink.folder and is_special(target)  # -o /dev/stdout: the data alone on stdout
    say(("wrote", "bold green"), f" {written} ({sink.title}: {export.nodes:,} entities, "
        f"{export.relations:,} relations{'' if streamed else _size(export.files)})", err=streamed)
    for kind, text in sink.notes(export, settings):
        warn(text) if kind == "warning" else say(text)
