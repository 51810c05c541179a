"""Running the extractor over many documents: streaming, optionally on a process pool.

Documents are read lazily and results written as they arrive, so memory stays flat however large
the corpus. With ``workers > 1`` extraction runs in a process pool (``imap``, order kept), so the
output is identical to a single-process run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from kg.extract import extract_document
from kg.models import Document, Extraction
from kg.readers import InputProblem, iter_documents


@dataclass
class RunReport:
    documents: int = 0
    characters: int = 0
    entities: int = 0
    relations: int = 0
    problems: list[InputProblem] = field(default_factory=list)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _batched(items: Iterable[Document], size: int) -> Iterator[list[Document]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


def _extract_batch(batch: list[Document]) -> list[Extraction]:
    return [extract_document(doc) for doc in batch]


def extract_stream(
    items: Iterable[Document | InputProblem],
    workers: int = 1,
    on_problem: Callable[[InputProblem], None] | None = None,
    batch_size: int = 16,
) -> Iterator[Extraction]:
    """Extract each document, in input order; problems go to ``on_problem`` and are skipped."""

    def documents() -> Iterator[Document]:
        for item in items:
            if isinstance(item, InputProblem):
                if on_problem:
                    on_problem(item)
            else:
                yield item

    if workers <= 1:
        for doc in documents():
            yield extract_document(doc)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # A bounded window of in-flight batches keeps memory flat on huge inputs.
        window = workers * 4
        pending = []
        for batch in _batched(documents(), batch_size):
            pending.append(pool.submit(_extract_batch, batch))
            if len(pending) >= window:
                yield from pending.pop(0).result()
        for fut in pending:
            yield from fut.result()


def write_extractions(
    inputs: list[Path],
    out_path: Path,
    workers: int = 1,
    on_problem: Callable[[InputProblem], None] | None = None,
    on_done: Callable[[Extraction], None] | None = None,
) -> RunReport:
    """Stream ``inputs`` through the extractor into ``out_path`` (JSON Lines, written atomically:
    the previous file stays intact until the new one is complete)."""
    report = RunReport()

    def record_problem(p: InputProblem) -> None:
        report.problems.append(p)
        if on_problem:
            on_problem(p)

    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for ex in extract_stream(iter_documents(inputs), workers, record_problem):
                fh.write(json.dumps(to_score_record(ex), ensure_ascii=False) + "\n")
                report.documents += 1
                report.characters += ex.chars
                report.entities += len(ex.entities)
                report.relations += len(ex.relations)
                if on_done:
                    on_done(ex)
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return report


def to_score_record(ex: Extraction) -> dict:
    """The JSONL line for one document: the gold scorer's shape plus our extra fields."""
    return ex.model_dump(mode="json", exclude={"mentions"})


def read_extractions(path: Path) -> Iterator[Extraction]:
    """Stream extractions back from a JSONL file written by ``write_extractions``."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Extraction.model_validate_json(line)
