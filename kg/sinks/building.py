"""Building the output folder: extractions, graph, index, page and database, changed together.

``extractions.jsonl`` is the one source of truth: ``graph.json``, the lookup index
(``index.sqlite``), ``graph.html`` and the database are derived from it and from the user's
curation, ``kg-curation.toml`` in the folder (:mod:`kg.graph.curation`), which every operation keeps (a
build given another curation file copies it in; :func:`curate` changes it and rebuilds what
depends on it, without extracting anything again). A full build replaces the extractions;
``add`` extracts new documents and merges them in (a document whose id is already there is
replaced); ``remove`` takes documents out (their evidence, mentions, and the entities and
relations nothing else supports). The formats a build or an add was asked to export (``--export``)
are recorded in ``exports.json`` and written again by every later operation while their files are
there, so they never show an older graph than the rest. Every operation stages all files in the folder
(:class:`kg.sinks.outfolder.OutputFolder`), loads the database in place of the stored graph
(:mod:`kg.sinks.store.replace`) and publishes both together, so an error or an interruption leaves
everything as it was.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ValidationError

from kg.extraction.extractor import Extractor
from kg.extraction.pipeline import RunReport, extraction_doc_id, extraction_lines, read_extractions, write_extractions
from kg.extraction.progress import OnProgress
from kg.graph.curation import CURATION_FILE, Curation
from kg.graph.index import INDEX_FILE, GraphIndex, IndexError_, write_index
from kg.graph.network import build_linked, save_json, stats
from kg.io.outputs import OutputError, check_not_input, replacing
from kg.io.readers import InputProblem, ReadOptions
from kg.models import Extraction
from kg.registry import SINKS
from kg.sinks.outfolder import BUILD_FILES, STATE_FILES, OutputFolder, signals_held_back

if TYPE_CHECKING:
    import networkx as nx

EXTRACTIONS, GRAPH, PAGE, EXPORTS = "extractions.jsonl", "graph.json", "graph.html", "exports.json"


class NothingToDo(Exception):
    """No document could be read, or no document to remove was found; the message says which."""


@dataclass(frozen=True)
class Database:
    """Where the graph is loaded: the embedded server (``uri`` None) or a Bolt server."""

    uri: str | None = None
    user: str = "neo4j"
    password: str | None = None
    database: str | None = None


@dataclass
class BuildResult:
    report: RunReport = field(default_factory=RunReport)
    published: list[Path] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    loaded_into: str | None = None
    removed: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What an operation feeds the shared tail: the documents to extract (read as ``read``
    says) and the earlier extractions to keep."""

    inputs: list[Path] = field(default_factory=list)
    read: ReadOptions = field(default_factory=ReadOptions)
    on_progress: OnProgress | None = None
    keep: Callable[[str], bool] = lambda doc_id: False  # earlier documents that stay
    removing: set[str] = field(default_factory=set)
    # a new curation for the folder, or how to change its own (None: keep it as it is)
    curation: Curation | Callable[[Curation], Curation] | None = None
    #: registered sinks (kg.registry.SINKS) written into the folder besides the page, with their settings
    exports: tuple[tuple[str, BaseModel | None], ...] = ()


def build(out: Path, inputs: list[Path], extractor: Extractor, workers: int = 1, html: bool = True,
          db: Database | None = Database(), on_problem: Callable[[InputProblem], None] | None = None,
          on_done: Callable[[Extraction], None] | None = None, on_wait: Callable[[str], None] | None = None,
          read: ReadOptions | None = None, on_progress: OnProgress | None = None,
          curation: Curation | None = None, exports: tuple[tuple[str, BaseModel | None], ...] = ()) -> BuildResult:
    """Extract ``inputs`` and replace everything in ``out`` with what they give (the folder's
    curation kept, or replaced by ``curation``); ``exports`` are sinks written into ``out`` too."""
    return _run(out, Plan(inputs=inputs, read=_reading(read, out), on_progress=on_progress, curation=curation,
                          exports=exports), extractor, workers, html, db, on_problem, on_done, on_wait)


def add(out: Path, inputs: list[Path], extractor: Extractor, workers: int = 1, html: bool | None = None,
        db: Database | None = Database(), on_problem: Callable[[InputProblem], None] | None = None,
        on_done: Callable[[Extraction], None] | None = None, on_wait: Callable[[str], None] | None = None,
        read: ReadOptions | None = None, on_progress: OnProgress | None = None,
        curation: Curation | None = None, exports: tuple[tuple[str, BaseModel | None], ...] = ()) -> BuildResult:
    """Extract ``inputs`` and merge them into ``out``'s documents (same id: the new one replaces it).
    ``html`` None keeps the page if the folder has one."""
    return _run(out, Plan(inputs=inputs, read=_reading(read, out), keep=lambda doc_id: True,
                          on_progress=on_progress, curation=curation, exports=exports), extractor, workers, html, db,
                on_problem, on_done, on_wait)


def _reading(read: ReadOptions | None, out: Path) -> ReadOptions:
    """``read`` with the output folder never read (it may lie inside an input tree)."""
    read = read or ReadOptions()
    return dataclasses.replace(read, exclude=(*read.exclude, out))


def remove(out: Path, doc_ids: Iterable[str], html: bool | None = None, db: Database | None = Database(),
           on_wait: Callable[[str], None] | None = None) -> BuildResult:
    """Take the documents ``doc_ids`` out of ``out``: their contribution to entities, relations,
    mentions and evidence goes; what nothing else supports goes with it."""
    gone = set(doc_ids)
    return _run(out, Plan(keep=lambda doc_id: doc_id not in gone, removing=gone), Extractor(), 1, html, db,
                None, None, on_wait)


def curate(out: Path, change: Callable[[Curation], Curation], html: bool | None = None,
           db: Database | None = Database(), on_wait: Callable[[str], None] | None = None) -> BuildResult:
    """Change the folder's curation (``change`` gets the current one and returns the new one,
    reading the folder under its lock) and rebuild the graph, index, page and database from the
    extractions already there: nothing is extracted again."""
    if not (out / EXTRACTIONS).exists():
        raise NothingToDo(f"no {EXTRACTIONS} in {out} (run `kg build` first)")
    return _run(out, Plan(keep=lambda doc_id: True, curation=change), Extractor(), 1, html, db, None, None, on_wait)


def read_curation(out: Path) -> Curation:
    """The curation of the folder ``out`` (empty if it has none); ``CurationError`` if unreadable."""
    return Curation.read(out / CURATION_FILE)


class _Extractions:
    """The extractions of a JSONL file, read again each time they are iterated (linking reads them twice)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[Extraction]:
        return read_extractions(self.path)


def _run(out: Path, plan: Plan, extractor: Extractor, workers: int, html: bool | None, db: Database | None,
         on_problem: Callable[[InputProblem], None] | None, on_done: Callable[[Extraction], None] | None,
         on_wait: Callable[[str], None] | None) -> BuildResult:
    folder = OutputFolder(out)
    for name in (EXTRACTIONS, GRAPH, PAGE, INDEX_FILE, CURATION_FILE, EXPORTS):
        check_not_input(out / name, plan.inputs)
    result = BuildResult()
    with folder.lock(on_wait=on_wait), folder.staging() as stage:
        curation = _curation(out, stage, plan)
        earlier = out / EXTRACTIONS
        if plan.inputs:
            result.report = write_extractions(plan.inputs, stage / "new.jsonl", workers=workers,
                                              on_problem=on_problem, on_done=on_done, extractor=extractor,
                                              keep_empty=False, read_options=plan.read,
                                              on_progress=plan.on_progress)
            if result.report.documents == 0:
                raise NothingToDo(f"no document could be read from {', '.join(map(str, plan.inputs))}; "
                                  f"{out} left as it was")
        new_ids = _ids(stage / "new.jsonl")
        kept, replaced = _merge(earlier, stage / "new.jsonl", stage / EXTRACTIONS, plan.keep, new_ids)
        result.removed = sorted(plan.removing & kept.missing) if plan.removing else []
        if plan.removing and not result.removed:
            raise NothingToDo(f"no document {', '.join(sorted(plan.removing))} in {earlier}; {out} left as it was")
        G, linking = build_linked(_Extractions(stage / EXTRACTIONS), curation)
        save_json(G, stage / GRAPH)
        _write_index(G, stage / INDEX_FILE, stage / GRAPH)
        # the page (its settings, if a build was given any, from the exports), then the other sinks: those
        # asked for now and those recorded by earlier operations whose files are still there
        asked_now = dict(plan.exports)
        asked = {**_recorded_exports(out), **asked_now}
        page = html or (html is None and (out / PAGE).exists()) or "html" in asked_now
        page_settings = asked.pop("html", None)
        sinks = ((("html", page_settings),) if page else ()) + tuple(asked.items())
        extra = [name for name, settings in sinks for name in _write_sink(G, stage, name, settings)]
        _record_exports(stage / EXPORTS, sinks)
        build_id = secrets.token_hex(8)
        # Only new documents: merge their part of the graph. Replaced or removed ones, a new
        # curation, or nodes the new documents renamed or merged: reload it all.
        merge_only = bool(plan.inputs) and not replaced and kept.count > 0 and plan.curation is None \
            and _names_kept(out / INDEX_FILE, G)
        touched = _touched(G, linking.node_of, new_ids) if merge_only else None
        if db is None:
            with signals_held_back():
                result.published = folder.publish(stage, build_id, extra)
        else:
            result.published, result.loaded_into = _load_and_publish(folder, stage, build_id, G, db, touched, extra)
    result.stats = stats(G)
    return result


def _write_sink(G: nx.MultiDiGraph, stage: Path, name: str, settings: BaseModel | None) -> list[str]:
    """Write the registered sink ``name`` into the staging folder; the files it wrote (relative to
    the folder) that are not among the build's own files (graph.html is)."""
    sink = SINKS.get(name)
    if sink.target in STATE_FILES or (sink.target in BUILD_FILES and sink.target != PAGE):
        raise OutputError(errno.EEXIST, f"the format {name!r} would write {sink.target}, a file kg keeps; "
                                        f"use kg export -o FILE")
    if sink.folder:
        (stage / sink.target).mkdir(exist_ok=True)
    sink.write(G, stage / sink.target, settings if settings is not None else sink.Settings())
    written = [f"{sink.target}/{f}" for f in sink.files] if sink.folder else [sink.target]
    return [f for f in written if f != PAGE]


def _recorded_exports(out: Path) -> dict[str, BaseModel | None]:
    """The sinks earlier operations exported into ``out`` (``exports.json``) whose files are still there
    and whose format is still registered, with their settings (defaults if they no longer validate)."""
    try:
        recorded = json.loads((out / EXPORTS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: nothing to refresh (the record is written anew)
    sinks: dict[str, BaseModel | None] = {}
    for name, raw in (recorded.items() if isinstance(recorded, dict) else ()):
        if name not in SINKS.names():
            continue
        sink = SINKS.get(name)
        if not (out / sink.target).exists():
            continue  # the user removed it: no longer kept
        try:
            sinks[name] = sink.Settings.model_validate(raw)
        except ValidationError:
            sinks[name] = None
    return sinks


def _record_exports(path: Path, sinks: tuple[tuple[str, BaseModel | None], ...]) -> None:
    """Write ``exports.json``: the sinks written and their settings (none: no file; the page is
    recorded only with settings of its own, as without them every operation writes it the same)."""
    record = {name: (settings.model_dump(mode="json") if settings is not None else {}) for name, settings in sinks
              if name != "html" or settings is not None}
    if record:
        path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _write_index(G: nx.MultiDiGraph, path: Path, graph: Path) -> None:
    try:
        write_index(G, path, source=graph).close()
    except sqlite3.Error as exc:
        full = "full" in str(exc)
        raise OutputError(errno.ENOSPC if full else errno.EIO,
                          f"cannot write {path.name}: {'no space left on device' if full else exc}") from None


def _ids(path: Path) -> set[str]:
    return {ex.doc_id for ex in read_extractions(path)} if path.exists() else set()


@dataclass
class _Kept:
    count: int = 0
    missing: set[str] = field(default_factory=set)  # earlier ids not kept


def _merge(earlier: Path, new: Path, target: Path, keep: Callable[[str], bool],
           new_ids: set[str]) -> tuple[_Kept, set[str]]:
    """Write the earlier extractions that stay, then the new ones, to ``target``. Returns what was
    kept and the ids whose earlier extraction a new one replaced."""
    kept, replaced = _Kept(), set()
    with replacing(target) as fh:
        for lineno, line in _lines(earlier):
            doc_id = extraction_doc_id(earlier, lineno, line)
            if doc_id in new_ids:
                replaced.add(doc_id)
            elif keep(doc_id):
                fh.write(line)
                kept.count += 1
            else:
                kept.missing.add(doc_id)
        for _, line in _lines(new):
            fh.write(line)
    return kept, replaced


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of an extractions file; none if there is no file yet."""
    if path.exists():
        yield from extraction_lines(path)


def _curation(out: Path, stage: Path, plan: Plan) -> Curation:
    """The curation this operation builds with: the plan's new one (staged, to be published with
    the rest), else the folder's own."""
    if plan.curation is None:
        return read_curation(out)
    new = plan.curation(read_curation(out)) if callable(plan.curation) else plan.curation
    new.write(stage / CURATION_FILE)
    return new


def _names_kept(index: Path, G: nx.MultiDiGraph) -> bool:
    """True when every node of the stored graph (read from its index) is still a node of ``G``: no
    new document renamed a node or joined two (the database could then merge in the new part only)."""
    try:
        with closing(GraphIndex.open(index).db) as old:
            names = [row[0] for row in old.execute("SELECT name FROM nodes")]
    except (IndexError_, sqlite3.Error, OSError):
        return False
    return all(n in G for n in names)


def _touched(G: nx.MultiDiGraph, node_of: dict[tuple[str, str], str], new_ids: set[str]) -> nx.MultiDiGraph:
    """The part of the combined graph the new documents touch: their entities' nodes and every
    relation among them, with combined attributes (so merging it makes the database equal the graph)."""
    names = {node for (doc_id, _), node in node_of.items() if doc_id in new_ids}
    return G.subgraph(n for n in names if n in G).copy()


def _load_and_publish(folder: OutputFolder, stage: Path, build_id: str, G: nx.MultiDiGraph, db: Database,
                      touched: nx.MultiDiGraph | None, extra: list[str]) -> tuple[list[Path], str]:
    """Load the graph (all of ``G``, or only ``touched`` merged into what is stored) and publish
    the staged files with it, SIGINT/SIGTERM held back. Returns the files and where it went."""
    from kg.sinks.store.connect import DB_DIR, open_store
    from kg.sinks.store.replace import replacing

    published: list[Path] = []
    with open_store(db.uri, db.user, db.password, db.database, data_dir=folder.path / DB_DIR) as store, \
            replacing(store, build_id, keep=touched is not None) as replacement:
        replacement.load(touched if touched is not None else G)
        with signals_held_back():
            replacement.finish(lambda: published.extend(folder.publish(stage, build_id, extra)))
        where = f"embedded FalkorDB ({folder.path / DB_DIR})" if store.embedded else store.description
    return published, where
