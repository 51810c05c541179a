"""Where a sink writes: a path, replaced all or nothing (:func:`kg.io.outputs.replacing`), or an open file."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kg.io.outputs import replacing
from kg.sinks.base import PathOrFile


@contextlib.contextmanager
def binary(target: PathOrFile) -> Iterator[IO[bytes]]:
    if hasattr(target, "write"):
        yield target  # type: ignore[misc]
        return
    with replacing(Path(target), binary=True) as fh:  # type: ignore[arg-type]
        yield fh


@contextlib.contextmanager
def text_stream(target: PathOrFile) -> Iterator[IO[str]]:
    """UTF-8 text without newline translation (CSV and JSON Lines choose their own line ends)."""
    if isinstance(target, io.TextIOBase):
        yield target
        return
    with binary(target) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")  # type: ignore[arg-type]
        try:
            yield text
            text.flush()
        finally:
            text.detach()


def files_of(target: PathOrFile) -> list[Path]:
    return [] if hasattr(target, "write") else [Path(target)]  # type: ignore[arg-type]

