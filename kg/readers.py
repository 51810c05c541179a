"""Reading documents from folders, text files and JSON Lines, one at a time (streaming).

Bad input never stops the run: each problem becomes an ``InputProblem`` naming the file (and
line) and the reason, yielded in place of the document, so callers report it and go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.models import Document

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class InputProblem:
    """Why one input (or one line of it) could not be read (``skipped``), or a note about one that
    was read all the same (``skipped=False``: a duplicate id made distinct)."""

    where: str
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def iter_documents(paths: Iterable[Path]) -> Iterator[Document | InputProblem]:
    """Documents from each path: a folder (its .txt/.md/.jsonl files, sorted), a file, or JSONL.

    Ids are unique in what it yields: a repeated id (``a.txt`` and ``a.md``, the same JSONL id
    twice) gets ``#2``, ``#3`` ... and a note saying so."""
    seen: dict[str, str] = {}
    for item in _raw_documents(paths):
        if isinstance(item, Document):
            if item.id in seen:
                n = 2
                while f"{item.id}#{n}" in seen:
                    n += 1
                new_id = f"{item.id}#{n}"
                yield InputProblem(item.source or item.id, f"id {item.id!r} was already used by {seen[item.id]}; "
                                                           f"kept as {new_id!r}", skipped=False)
                item = item.model_copy(update={"id": new_id})
            seen[item.id] = item.source or item.id
        yield item


def _raw_documents(paths: Iterable[Path]) -> Iterator[Document | InputProblem]:
    for path in paths:
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists()
        except OSError as exc:
            yield InputProblem(str(path), f"cannot read ({exc.strerror})")
            continue
        if not exists:
            yield InputProblem(str(path), "no such file or folder")
        elif is_dir:
            try:
                files = sorted(p for p in path.iterdir()
                               if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES)
            except OSError as exc:
                yield InputProblem(str(path), f"cannot read folder ({exc.strerror})")
                continue
            if not files:
                yield InputProblem(str(path), "folder holds no .txt, .md or .jsonl files")
            for f in files:
                yield from _read_file(f)
        else:
            yield from _read_file(path)


def _read_file(path: Path) -> Iterator[Document | InputProblem]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl(path)
        return
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield InputProblem(str(path), f"cannot read ({exc.strerror})")
        return
    problem = _check_text_bytes(raw)
    if problem:
        yield InputProblem(str(path), problem)
        return
    text = raw.decode("utf-8-sig")
    if not text.strip():
        yield InputProblem(str(path), "empty file")
        return
    yield Document(id=path.stem, text=text, source=str(path))


def _check_text_bytes(raw: bytes) -> str | None:
    if b"\x00" in raw[:65536]:
        return "binary file (NUL bytes), not text"
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return f"line {line}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
    return None


def _read_jsonl(path: Path) -> Iterator[Document | InputProblem]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputProblem(str(path), f"cannot read ({exc.strerror})")
        return
    seen_any = False
    with fh:
        for lineno, raw in enumerate(fh, start=1):
            where = f"{path}:{lineno}"
            if not raw.strip():
                continue
            seen_any = True
            try:
                record = json.loads(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                yield InputProblem(where, "not UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield InputProblem(where, f"malformed JSON ({exc.msg} at column {exc.colno})")
                continue
            doc = _record_to_document(record, path, lineno)
            yield doc
    if not seen_any:
        yield InputProblem(str(path), "empty file")


def _record_to_document(record: object, path: Path, lineno: int) -> Document | InputProblem:
    where = f"{path}:{lineno}"
    if not isinstance(record, dict):
        return InputProblem(where, "expected a JSON object with \"id\" and \"text\"")
    text = record.get("text")
    if not isinstance(text, str):
        return InputProblem(where, "missing string field \"text\"")
    if not text.strip():
        return InputProblem(where, "empty \"text\"")
    doc_id = record.get("id", record.get("doc_id"))
    if doc_id is None:
        doc_id = f"{path.stem}:{lineno}"
    elif not isinstance(doc_id, str | int):
        return InputProblem(where, "\"id\" must be a string or a number")
    return Document(id=str(doc_id), text=text, source=where)
