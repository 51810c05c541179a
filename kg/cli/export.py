"""``kg export``: the graph as GraphML, GEXF, CSV for neo4j-admin, or JSON Lines."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer

from kg.cli.common import DEFAULT_OUT, fail, graph_path, load_graph_or_fail, say, warn
from kg.io.outputs import OutputError, check_folder_exists, check_not_input, describe, is_special, real_target
from kg.sinks.export import FORMATS, NEO4J_CONSTRAINT, NODES_FILE, RELATIONSHIPS_FILE, WRITERS, Export, ExportError
from kg.sinks.outfolder import OutputFolder, check_not_state

app = typer.Typer()

NAMES = {"graphml": "GraphML", "gexf": "GEXF", "csv": "CSV for neo4j-admin", "jsonl": "JSON Lines"}
SUFFIXES = {".graphml": "graphml", ".gexf": "gexf", ".jsonl": "jsonl", ".ndjson": "jsonl"}
#: Where each format goes without -o: a file in the --out folder (a folder for CSV).
DEFAULTS = {"graphml": "graph.graphml", "gexf": "graph.gexf", "jsonl": "graph.jsonl", "csv": "neo4j-import"}


def _format(fmt: str | None, output: Path | None) -> str:
    if fmt is None:
        guess = SUFFIXES.get(output.suffix.lower()) if output is not None else None
        if guess is None:
            fail(f"say which format: --format {', '.join(FORMATS)}")
        return guess
    if fmt.lower() not in FORMATS:
        fail(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return fmt.lower()


def _target(fmt: str, output: Path | None, out: Path) -> Path:
    """The file to write (the folder, for CSV)."""
    path = output if output is not None else out / DEFAULTS[fmt]
    if fmt == "csv":
        if path.exists() and not path.is_dir():
            fail(f"{path} is not a folder; --format csv writes {NODES_FILE} and {RELATIONSHIPS_FILE} into one")
        return path
    return path / DEFAULTS[fmt] if path.is_dir() else path


def _size(paths: list[Path]) -> str:
    total = 0
    for p in paths:
        with contextlib.suppress(OSError):
            total += p.stat().st_size
    if not total:
        return ""
    return f", {total / 1e6:,.1f} MB" if total >= 1e6 else f", {total / 1e3:,.1f} kB"


def _report_escapes(export: Export) -> None:
    if export.escaped:
        chars = sorted({c for e in export.escaped for c in e.chars})
        shown = ", ".join(f"U+{ord(c):04X}" for c in chars[:6]) + (" ..." if len(chars) > 6 else "")
        kind = {"graphml": "XML 1.0 cannot carry", "gexf": "XML 1.0 cannot carry"}.get(
            export.format, "a terminal would hide or obey (or UTF-8 cannot carry)")
        first = export.escaped[0]
        more = f" and {len(export.escaped) - 1} more" if len(export.escaped) > 1 else ""
        warn(f"{len(export.escaped)} values hold characters {kind} ({shown}), written as escapes "
             f"such as \\x1b: {first.where} {first.value!r}{more}")
    if export.neutralised:
        first = export.neutralised[0]
        more = f" and {len(export.neutralised) - 1} more" if len(export.neutralised) > 1 else ""
        warn(f"{len(export.neutralised)} values begin as a spreadsheet formula does (=, +, -, @, tab or carriage "
             f"return): written with a leading ' (--format jsonl keeps them exact): {first.where} "
             f"{first.value!r}{more}")


@app.command("export")
def export_cmd(
    fmt: str = typer.Option(None, "--format", "-f", metavar="FORMAT",
                            help="graphml, gexf, csv (for neo4j-admin database import) or jsonl; "
                                 "default: from the suffix of --output."),
    output: Path = typer.Option(None, "--output", "-o",
                                help="File to write; for csv a folder (nodes.csv, relationships.csv). Default: "
                                     "graph.graphml, graph.gexf, graph.jsonl or neo4j-import/ in the --out folder."),
    array_delimiter: str = typer.Option(None, "--array-delimiter", metavar="CHAR",
                                        help="csv: the array delimiter (one character, TAB or U+XXXX). Default: "
                                             "';' as neo4j-admin, or another character when a value contains ';'."),
    database: str = typer.Option("neo4j", "--database", help="csv: the database named in the neo4j-admin command."),
    out: Path = typer.Option(DEFAULT_OUT, "--out", help="Folder of `kg build` holding graph.json.", envvar="KG_OUT"),
) -> None:
    """Export the graph for Gephi, Cytoscape or yEd (GraphML, GEXF), for neo4j-admin (CSV), or as
    JSON Lines. The output is replaced only when the new one is complete; it may not be graph.json."""
    fmt = _format(fmt, output)
    if array_delimiter is not None and fmt != "csv":
        fail("--array-delimiter is for --format csv")
    target = _target(fmt, output, out)
    files = [target / NODES_FILE, target / RELATIONSHIPS_FILE] if fmt == "csv" else [target]
    if not graph_path(out).exists():
        load_graph_or_fail(out)  # one line saying so, before the folder's lock would create the folder
    try:
        for f in files:
            check_not_input(f, [graph_path(out)])
            check_not_state(f, out, "export")
        check_folder_exists(target)
        # a file inside the output folder is written under its lock, as the files of a build are
        inside = real_target(out) in (real_target(target) / "x").parents if fmt == "csv" else \
            real_target(target).parent == real_target(out)
        with OutputFolder(out).lock(on_wait=warn) if inside else contextlib.nullcontext():
            G = load_graph_or_fail(out)
            if fmt == "csv":
                export = WRITERS[fmt](G, target, array_delimiter=array_delimiter)
            else:
                export = WRITERS[fmt](G, target)
    except ExportError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(str(exc) if isinstance(exc, OutputError) else f"cannot write {target}: {describe(exc)}")
    _report_escapes(export)
    written = " and ".join(str(p) for p in export.files)
    streamed = fmt != "csv" and is_special(target)  # -o /dev/stdout: the data alone on stdout
    say(("wrote", "bold green"), f" {written} ({NAMES[fmt]}: {export.nodes:,} entities, "
        f"{export.relations:,} relations{'' if streamed else _size(export.files)})", err=streamed)
    if fmt == "csv":
        if export.array_delimiter != ";" and array_delimiter is None:
            warn(f"some list values contain ';', neo4j-admin's default array delimiter: the lists are separated "
                 f"by {export.array_delimiter!r} (U+{ord(export.array_delimiter or ';'):04X}) instead, as the "
                 f"command below says")
        say("import into a new database (the Neo4j server stopped) with:")
        say(export.neo4j_admin_command(database))
        say(f"then, with the server started, create the constraint kg load would: {NEO4J_CONSTRAINT}")
