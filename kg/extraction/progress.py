"""Progress inside long documents, from the extractor (one report per chunk) to whoever shows it,
also from the workers of a process pool.

A worker puts its reports on a pipe shared with the parent (:class:`ProgressRelay`); the parent
reads them while it waits for results, and every report of a batch before that batch's results, so
a document's progress never arrives after the document itself.
"""

from __future__ import annotations

import multiprocessing.context
from collections.abc import Callable
from concurrent.futures import Future, wait
from typing import Any, NamedTuple, TypeVar

T = TypeVar("T")

#: How often the parent looks for reports while it waits for a result, in seconds.
POLL_SECONDS = 0.2


class DocumentProgress(NamedTuple):
    """How far the extractor is through one document."""

    doc_id: str
    source: str  # where the document came from (file and line): unique, unlike ids
    done: int  # characters extracted so far
    total: int  # characters in the document


#: Receives the progress reports (in the parent process).
OnProgress = Callable[[DocumentProgress], None]


class ProgressRelay:
    """Carries progress reports from the workers of a pool to ``on_progress`` in the parent.

    Pickles as its pipe only (it travels to the workers when they start)."""

    def __init__(self, context: multiprocessing.context.BaseContext, on_progress: OnProgress) -> None:
        self._queue = context.SimpleQueue()
        self._on_progress: OnProgress | None = on_progress

    def __getstate__(self) -> dict[str, Any]:
        return {"_queue": self._queue, "_on_progress": None}

    def report(self, progress: DocumentProgress) -> None:
        """In a worker: send one report to the parent."""
        self._queue.put(progress)

    def result(self, future: Future[T]) -> T:
        """In the parent: ``future.result()``, passing on the reports that arrive meanwhile, and all
        those sent before the result was (a worker reports before it returns)."""
        while True:
            finished = bool(wait([future], timeout=POLL_SECONDS).done)
            self._pass_on()
            if finished:
                return future.result()

    def _pass_on(self) -> None:
        while not self._queue.empty():
            progress = self._queue.get()
            if self._on_progress is not None:
                self._on_progress(progress)

    def close(self) -> None:
        self._queue.close()
