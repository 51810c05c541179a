"""The progress bar of ``kg extract`` and ``kg build``, inside long documents too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.progress import Progress, TaskID

from kg.io.textsafety import visible

if TYPE_CHECKING:
    from kg.extraction.progress import DocumentProgress
    from kg.models import Extraction


class DocumentBar:
    """The bar counts documents; inside a long one it moves by the share of its characters read so
    far (one report per chunk, also from the workers of a pool) and says how far it is."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress, self._task = progress, task
        self._shown: dict[str, float] = {}  # the share of each unfinished long document on the bar

    def on_chunk(self, p: DocumentProgress) -> None:
        key, share = p.source or p.doc_id, p.done / max(1, p.total)
        self._progress.update(self._task, advance=share - self._shown.get(key, 0.0),
                              doc=f"{visible(p.doc_id)} ({p.done:,}/{p.total:,} characters)")
        self._shown[key] = share

    def on_done(self, ex: Extraction) -> None:
        self._progress.update(self._task, advance=1 - self._shown.pop(ex.source or ex.doc_id, 0.0),
                              doc=visible(ex.doc_id))
