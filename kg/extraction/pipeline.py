"""Running the extractor over many documents: streaming, optionally on a process pool.

Documents are read lazily and results written as they arrive, so memory stays flat however large
the corpus: nothing here holds a list of the corpus. With ``workers > 1`` documents go to a process
pool in batches of about ``batch_chars`` characters, with a bounded number of batches in flight, and
results come back in input order, so the output is byte-identical to a single-process run.

Extraction is a pure function of one document (``kg.extraction.extractor.Extractor``, which pickles as its
configuration), which is also what lets it run on a distributed engine (see docs/scale.md).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kg.extraction.extractor import Extractor
from kg.extraction.progress import DocumentProgress, OnProgress, ProgressRelay
from kg.graph.curation import Curation
from kg.io.jsonlimits import loads
from kg.io.outputs import replacing
from kg.io.readers import InputProblem, ReadOptions, iter_documents
from kg.models import Document, Extraction

#: Target characters per batch sent to a worker: big enough that pickling and queueing cost little
#: next to extraction, small enough to balance load and keep the in-flight window small.
BATCH_CHARS = 64_000
#: Most documents per batch (many tiny documents would otherwise make one huge batch of objects).
BATCH_DOCS = 256
#: Batches in flight per worker: enough to keep every worker busy while the head batch finishes.
WINDOW_PER_WORKER = 3


@dataclass
class RunReport:
    """Totals of one run, and the inputs that were skipped (with the reason)."""

    documents: int = 0
    characters: int = 0
    entities: int = 0
    relations: int = 0
    problems: list[InputProblem] = field(default_factory=list)  # inputs skipped
    notices: list[InputProblem] = field(default_factory=list)  # inputs read, with a note (a renamed id)


def default_workers() -> int:
    """The number of CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# --- one document ------------------------------------------------------------------------------


def _extract_one(extractor: Extractor, doc: Document, keep_mentions: bool = True,
                 on_progress: OnProgress | None = None) -> Extraction | InputProblem:
    """Extract one document; an extractor crash becomes a problem for that document, not the run."""
    try:
        ex = _extract(extractor, doc, keep_mentions, on_progress)
    except Exception as exc:  # a bug on one article must not lose a day-long run
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        return InputProblem(doc.source or doc.id, f"extractor failed: {type(exc).__name__}: {exc} ({where})")
    if not keep_mentions:
        # Mentions are most of an extraction's objects and are never written out; unpickling them
        # was the parent's largest cost with a pool.
        ex.mentions = []
    return ex


def _extract(extractor: Extractor, doc: Document, keep_mentions: bool, on_progress: OnProgress | None) -> Extraction:
    """``extractor.extract(doc)``, reporting progress inside a long document (and not keeping the
    mentions of one, if asked); a subclass's own ``extract(doc)`` is called as it was written."""
    if type(extractor).extract is not Extractor.extract:
        return extractor.extract(doc)

    def chunk_done(done: int, total: int) -> None:
        if on_progress is not None:
            on_progress(DocumentProgress(doc.id, doc.source, done, total))

    return extractor.extract(doc, on_progress=chunk_done, keep_mentions=keep_mentions)


# --- worker processes ----------------------------------------------------------------------------

#: The extractor of this worker process, set once by the pool's initializer.
_worker_extractor: Extractor | None = None
#: Where this worker sends progress inside long documents (None: nobody listens).
_worker_progress: ProgressRelay | None = None


def _prepare(extractor: Extractor, batch: list[Document]) -> None:
    """Let the extractor read the batch together (a tagger batches sentences); if that fails, each
    document is read alone and reports its own problem."""
    with contextlib.suppress(Exception):
        extractor.prepare(batch)


def _extract_batch(batch: list[Document], keep_mentions: bool = True) -> list[Extraction | InputProblem]:
    assert _worker_extractor is not None, "the pool's initializer sets the extractor"
    report = _worker_progress.report if _worker_progress is not None else None
    _prepare(_worker_extractor, batch)
    return [_extract_one(_worker_extractor, doc, keep_mentions, report) for doc in batch]


def _warm_up(extractor: Extractor) -> None:
    """Pay the extractor's one-off loading costs (dictionaries, automata, models, jieba's prefix
    dictionary) now rather than inside the first batch."""
    with contextlib.suppress(Exception):
        extractor.warm_up()


def _init_worker(extractor: Extractor, progress: ProgressRelay | None = None) -> None:
    """Runs once in each worker: signals, then the extractor's one-off loading costs."""
    global _worker_extractor, _worker_progress
    _worker_extractor, _worker_progress = extractor, progress
    # Ctrl-C in a terminal goes to the whole process group; only the parent should react (it
    # terminates the workers), so a worker never dies half-way through writing to a pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM (from the parent's shutdown, or from Linux when the parent dies) must kill a worker
    # outright: a Python-level handler inherited through fork would raise inside a batch, and the
    # pool's worker loop catches that and waits for more work from a parent that is gone.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    # A no-op when the parent warmed up before forking; otherwise (spawn, forkserver) once per
    # worker, here, instead of inside the first batch.
    _warm_up(extractor)


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM this worker if the parent dies (even by SIGKILL): no orphans."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork: workers start instantly with the parent's imports, and share its hash seed, so any
    # set-ordering in the extractor matches the single-process run byte for byte.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now (not after their queued batches): used on errors and Ctrl-C."""
    terminate_workers = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate_workers is not None:
        terminate_workers()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


# --- streaming ------------------------------------------------------------------------------------


def _batches(docs: Iterator[Document], max_chars: int, max_docs: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    size = 0
    for doc in docs:
        batch.append(doc)
        size += len(doc.text)
        if size >= max_chars or len(batch) >= max_docs:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _in_batches(extractor: Extractor, docs: Iterator[Document], max_chars: int, max_docs: int, keep_mentions: bool,
                on_progress: OnProgress | None) -> Iterator[Extraction | InputProblem]:
    """One process: the documents read a batch at a time (see ``_prepare``), results in order."""
    for batch in _batches(docs, max_chars, max_docs):
        _prepare(extractor, batch)
        for doc in batch:
            yield _extract_one(extractor, doc, keep_mentions, on_progress)


def _pooled(docs: Iterator[Document], extractor: Extractor, workers: int, max_chars: int, max_docs: int,
            keep_mentions: bool = True, on_progress: OnProgress | None = None) -> Iterator[Extraction | InputProblem]:
    """Results of ``docs`` from a process pool, in input order, with a bounded in-flight window."""
    context = _pool_context()
    if context.get_start_method() == "fork":
        # Load once here and let every forked worker inherit it (copy-on-write): one ~1 s load on
        # one core instead of one per worker competing for the same cores.
        _warm_up(extractor)
    relay = ProgressRelay(context, on_progress) if on_progress is not None else None
    result = relay.result if relay is not None else Future.result
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                               initargs=(extractor, relay))
    pending: deque[Future[list[Extraction | InputProblem]]] = deque()
    window = workers * WINDOW_PER_WORKER
    try:
        for batch in _batches(docs, max_chars, max_docs):
            pending.append(pool.submit(_extract_batch, batch, keep_mentions))
            while len(pending) >= window:
                yield from result(pending.popleft())
        while pending:
            yield from result(pending.popleft())
    except BaseException:
        # Error, Ctrl-C or the consumer stopped early: don't wait for queued work.
        _terminate(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if relay is not None:
            relay.close()


def extract_stream(
    items: Iterable[Document | InputProblem],
    extractor: Extractor | None = None,
    workers: int = 1,
    on_problem: Callable[[InputProblem], None] | None = None,
    batch_size: int = BATCH_DOCS,
    batch_chars: int = BATCH_CHARS,
    keep_mentions: bool = True,
    on_progress: OnProgress | None = None,
) -> Iterator[Extraction]:
    """Extract each document with ``extractor`` (default: ``Extractor()``), in input order; problems go
    to ``on_problem`` and are skipped.

    ``items`` is consumed lazily (at most a few batches ahead with ``workers > 1``). A batch sent to
    a worker holds at most ``batch_size`` documents and about ``batch_chars`` characters. Input
    problems and documents the extractor fails on are both reported through ``on_problem``.
    ``keep_mentions=False`` empties ``Extraction.mentions`` (cheaper to pass between processes).
    ``on_progress`` gets a report after each chunk of a long document (see :mod:`kg.extraction.progress`), in
    this process also from the workers of the pool.
    """

    def report(problem: InputProblem) -> None:
        if on_problem:
            on_problem(problem)

    def documents() -> Iterator[Document]:
        for item in items:
            if isinstance(item, InputProblem):
                report(item)
            else:
                yield item

    extractor = extractor or Extractor()
    if workers <= 1:
        results: Iterator[Extraction | InputProblem] = _in_batches(extractor, documents(), batch_chars, batch_size,
                                                                   keep_mentions, on_progress)
    else:
        results = _pooled(documents(), extractor, workers, batch_chars, batch_size, keep_mentions, on_progress)
    try:
        for result in results:
            if isinstance(result, InputProblem):
                report(result)
            else:
                yield result
    finally:
        close = getattr(results, "close", None)
        if close:
            close()  # tears the pool down at once if our consumer stops early


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While active, SIGTERM raises SystemExit so ``finally`` blocks run (temp file removed,
    workers stopped) instead of the process vanishing mid-write."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


class _NothingWritten(Exception):
    """Leaves the output untouched: no document could be read."""


def write_extractions(
    inputs: list[Path],
    out_path: Path,
    workers: int = 1,
    on_problem: Callable[[InputProblem], None] | None = None,
    on_done: Callable[[Extraction], None] | None = None,
    extractor: Extractor | None = None,
    keep_empty: bool = True,
    read_options: ReadOptions | None = None,
    on_progress: OnProgress | None = None,
    curation: Curation | None = None,
) -> RunReport:
    """Stream ``inputs`` through the extractor into ``out_path`` (JSON Lines, all or nothing: the
    previous file stays intact until the new one is complete; see :func:`kg.io.outputs.replacing`).

    ``keep_empty=False`` leaves ``out_path`` as it was when no document could be read;
    ``read_options`` says how folders are walked and files decoded (:class:`kg.io.readers.ReadOptions`;
    a document longer than its ``max_chars`` is a problem, skipped); ``on_progress`` gets the
    progress inside long documents. ``on_done`` gets each extraction as written: without
    ``mentions``, which the file omits. ``curation`` (:mod:`kg.graph.curation`) is applied to each
    document before it is written. Write errors raise :class:`kg.io.outputs.OutputError` (one line)."""
    report = RunReport()

    def record_problem(p: InputProblem) -> None:
        (report.problems if p.skipped else report.notices).append(p)
        if on_problem:
            on_problem(p)

    try:
        with _sigterm_raises(), replacing(out_path) as fh:
            for ex in extract_stream(iter_documents(inputs, read_options), extractor, workers, record_problem,
                                     keep_mentions=False, on_progress=on_progress):
                if curation:
                    ex = curation.apply(ex)
                fh.write(json.dumps(to_score_record(ex), ensure_ascii=False) + "\n")
                report.documents += 1
                report.characters += ex.chars
                report.entities += len(ex.entities)
                report.relations += len(ex.relations)
                if on_done:
                    on_done(ex)
            if not report.documents and not keep_empty:
                raise _NothingWritten
    except _NothingWritten:
        pass
    return report


def to_score_record(ex: Extraction) -> dict:
    """The JSONL line for one document: the gold scorer's shape plus our extra fields (an entity's
    ``merged_from`` only where something was merged into it)."""
    record = ex.model_dump(mode="json", exclude={"mentions"})
    for entity in record["entities"]:
        if not entity["merged_from"]:
            del entity["merged_from"]
    return record


class ExtractionsError(ValueError):
    """A line of an extractions file that holds no extraction; the message names the file and line."""


def read_extractions(path: Path) -> Iterator[Extraction]:
    """Stream extractions back from a JSONL file written by ``write_extractions``;
    :class:`ExtractionsError` (``file:line: reason``) at a line that is none (cut short by a crash,
    edited by hand). ``OSError`` if the file cannot be read."""
    for lineno, line in extraction_lines(path):
        try:
            ex = Extraction.model_validate_json(line)
        except ValidationError as exc:
            raise ExtractionsError(f"{path}:{lineno}: not an extraction record ({_reason(line, exc)})") from None
        yield ex


def extraction_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) of each non-blank line of an extractions file, each ending with a newline;
    :class:`ExtractionsError` at a line that is not UTF-8."""
    lineno = 0
    with path.open(encoding="utf-8") as fh:
        try:
            for lineno, line in enumerate(fh, 1):  # noqa: B007 - the number is reported after the loop too
                if line.strip():
                    yield lineno, line if line.endswith("\n") else line + "\n"
        except UnicodeDecodeError:
            raise ExtractionsError(f"{path}:{lineno + 1}: not UTF-8") from None


def extraction_doc_id(path: Path, lineno: int, line: str) -> str:
    """The ``doc_id`` of one line of an extractions file, or :class:`ExtractionsError`."""
    try:
        record = loads(line)
    except ValueError as exc:  # malformed, or TooDeep
        raise ExtractionsError(f"{path}:{lineno}: not an extraction record ({_json_reason(exc)})") from None
    doc_id = record.get("doc_id") if isinstance(record, dict) else None
    if not isinstance(doc_id, str):
        raise ExtractionsError(f"{path}:{lineno}: not an extraction record (no string \"doc_id\")")
    return doc_id


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        if exc.pos >= len(exc.doc.rstrip()):
            return "cut short: the line ends inside its JSON"
        return f"malformed JSON: {exc.msg} at column {exc.colno}"
    return str(exc)


def _reason(line: str, exc: ValidationError) -> str:
    """Why ``line`` is no extraction, in a few words: its JSON, or the first field that is wrong."""
    try:
        loads(line)
    except ValueError as err:
        return _json_reason(err)
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]
