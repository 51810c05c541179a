"""Reading documents from folders, text files and JSON Lines, one at a time (streaming).

Bad input never stops the run: each problem becomes an ``InputProblem`` naming the file (and
line) and the reason, yielded in place of the document, so callers report it and go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.models import Document

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Longest document read by default, in characters (``--max-chars``): a longer one is skipped.
MAX_CHARS = 5_000_000


@dataclass(frozen=True)
class InputProblem:
    """Why one input (or one line of it) could not be read."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def iter_documents(paths: Iterable[Path], max_chars: int | None = MAX_CHARS) -> Iterator[Document | InputProblem]:
    """Documents from each path: a folder (its .txt/.md/.jsonl files, sorted), a file, or JSONL.

    A document longer than ``max_chars`` characters (None: no limit) is a problem, found from the
    file's size where that suffices, before the file is read."""
    for path in paths:
        if not path.exists():
            yield InputProblem(str(path), "no such file or folder")
        elif path.is_dir():
            files = sorted(p for p in path.iterdir()
                           if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES)
            if not files:
                yield InputProblem(str(path), "folder holds no .txt, .md or .jsonl files")
            for f in files:
                yield from _read_file(f, max_chars)
        else:
            yield from _read_file(path, max_chars)


def too_long(chars: str, max_chars: int) -> str:
    """The reason a document is skipped for its length, saying how to read it anyway."""
    return f"{chars}, more than --max-chars {max_chars:,} (raise --max-chars to read it)"


def _read_file(path: Path, max_chars: int | None = None) -> Iterator[Document | InputProblem]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl(path, max_chars)
        return
    try:
        size = path.stat().st_size
        # UTF-8 takes at most 4 bytes a character: a big enough file is too long, unread
        if max_chars is not None and size // 4 > max_chars:
            yield InputProblem(str(path), too_long(f"at least {size // 4:,} characters ({size:,} bytes)", max_chars))
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield InputProblem(str(path), f"cannot read ({exc.strerror})")
        return
    text = _decode_text(raw)
    del raw  # not held while the document is extracted
    if not isinstance(text, str):
        yield InputProblem(str(path), text.reason)
        return
    if not text.strip():
        yield InputProblem(str(path), "empty file")
        return
    if max_chars is not None and len(text) > max_chars:
        yield InputProblem(str(path), too_long(f"{len(text):,} characters", max_chars))
        return
    yield Document(id=path.stem, text=text, source=str(path))


@dataclass(frozen=True)
class _NotText:
    reason: str


def _decode_text(raw: bytes) -> str | _NotText:
    """The text of a file's bytes, or why they are not text (decoded once: a file may be large)."""
    if b"\x00" in raw[:65536]:
        return _NotText("binary file (NUL bytes), not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return _NotText(f"line {line}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})")


def _jsonl_lines(fh: BinaryIO, limit: int | None) -> Iterator[bytes | int]:
    """The lines of ``fh``; one longer than ``limit`` bytes is skipped unread, given as its length."""
    if limit is None:
        yield from fh
        return
    while line := fh.readline(limit):
        if len(line) < limit or line.endswith(b"\n"):
            yield line
            continue
        size = len(line)
        while not line.endswith(b"\n") and (line := fh.readline(1 << 20)):
            size += len(line)
        yield size


def _read_jsonl(path: Path, max_chars: int | None = None) -> Iterator[Document | InputProblem]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputProblem(str(path), f"cannot read ({exc.strerror})")
        return
    seen_any = False
    # A record of a document within max_chars takes at most 12 bytes a character (a \ud83d\ude00
    # escape), and some room for its other fields: a longer line is not even read.
    limit = None if max_chars is None else 12 * max_chars + (1 << 20)
    with fh:
        for lineno, raw in enumerate(_jsonl_lines(fh, limit), start=1):
            if isinstance(raw, bytes) and not raw.strip():
                continue
            seen_any = True
            item = _parse_line(raw, path, lineno, max_chars)
            del raw  # a long line is not held while its document is extracted
            yield item
    if not seen_any:
        yield InputProblem(str(path), "empty file")


def _parse_line(raw: bytes | int, path: Path, lineno: int, max_chars: int | None) -> Document | InputProblem:
    """The document of one JSONL line (``raw``: the line, or the length of one too long to read)."""
    where = f"{path}:{lineno}"
    if isinstance(raw, int):
        return InputProblem(where, too_long(f"a record of {raw:,} bytes", max_chars or 0))
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return InputProblem(where, "not UTF-8")
    except json.JSONDecodeError as exc:
        return InputProblem(where, f"malformed JSON ({exc.msg} at column {exc.colno})")
    return _record_to_document(record, path, lineno, max_chars)


def _record_to_document(record: object, path: Path, lineno: int,
                        max_chars: int | None = None) -> Document | InputProblem:
    where = f"{path}:{lineno}"
    if not isinstance(record, dict):
        return InputProblem(where, "expected a JSON object with \"id\" and \"text\"")
    text = record.get("text")
    if not isinstance(text, str):
        return InputProblem(where, "missing string field \"text\"")
    if not text.strip():
        return InputProblem(where, "empty \"text\"")
    if max_chars is not None and len(text) > max_chars:
        return InputProblem(where, too_long(f"{len(text):,} characters", max_chars))
    doc_id = record.get("id", record.get("doc_id"))
    if doc_id is None:
        doc_id = f"{path.stem}:{lineno}"
    elif not isinstance(doc_id, str | int):
        return InputProblem(where, "\"id\" must be a string or a number")
    return Document(id=str(doc_id), text=text, source=where)
