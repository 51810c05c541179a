"""Reading documents from folders, text files and JSON Lines, one at a time (streaming).

Bad input never stops the run: each problem becomes an ``InputProblem`` naming the file (and
line) and the reason, yielded in place of the document, so callers report it and go on.
"""

from __future__ import annotations

import codecs
import fnmatch
import io
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from kg.decoding import DecodeError, decode, detect_encoding
from kg.jsonlimits import TooDeep, loads
from kg.models import Document

TEXT_SUFFIXES = (".txt", ".md")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Longest document read by default, in characters (``--max-chars``): a longer one is skipped.
MAX_CHARS = 5_000_000


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are read: folders walked recursively or not, which file names (glob patterns,
    e.g. ``*.txt``; empty: every .txt/.md/.jsonl file), the encoding (None: UTF-8, else detected),
    paths never to read (an output folder inside an input tree), and the longest document read
    (``max_chars`` characters; None: no limit), found from a file's size where that suffices,
    before the file is read."""

    recursive: bool = False
    include: tuple[str, ...] = ()
    encoding: str | None = None
    exclude: tuple[Path, ...] = field(default_factory=tuple)
    max_chars: int | None = MAX_CHARS


@dataclass(frozen=True)
class InputProblem:
    """Why one input (or one line of it) could not be read (``kind`` "skipped"), or something worth
    saying about one that was read all the same: a warning (a duplicate id made distinct) or a note
    (the encoding a file was read with)."""

    where: str
    reason: str
    kind: str = "skipped"

    @property
    def skipped(self) -> bool:
        return self.kind == "skipped"

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


def iter_documents(paths: Iterable[Path], options: ReadOptions | None = None) -> Iterator[Document | InputProblem]:
    """Documents from each path: a folder (its .txt/.md/.jsonl files, sorted; with ``recursive`` its
    whole tree), a file, or JSONL.

    Ids are unique in what it yields: a repeated id (``a.txt`` and ``a.md``, the same JSONL id
    twice) gets ``#2``, ``#3`` ... and a warning saying so."""
    seen: dict[str, str] = {}
    for item in _raw_documents(paths, options or ReadOptions()):
        if isinstance(item, Document):
            if item.id in seen:
                n = 2
                while f"{item.id}#{n}" in seen:
                    n += 1
                new_id = f"{item.id}#{n}"
                yield InputProblem(item.source or item.id, f"id {item.id!r} was already used by {seen[item.id]}; "
                                                           f"kept as {new_id!r}", kind="warning")
                item = item.model_copy(update={"id": new_id})
            seen[item.id] = item.source or item.id
        yield item


def list_files(folder: Path, options: ReadOptions) -> list[Path]:
    """The files of ``folder`` that are read, in order (``OSError`` if it cannot be listed)."""
    excluded = {os.path.realpath(p) for p in options.exclude}
    if options.recursive:
        found = []
        for root, dirs, files in os.walk(folder, onerror=_raise):
            # hidden folders (.git, kg-out's staging) and excluded ones are not walked
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                             and os.path.realpath(os.path.join(root, d)) not in excluded)
            found += [Path(root) / f for f in files if not f.startswith(".")]
    else:
        found = [p for p in folder.iterdir() if p.is_file()]
    return sorted(p for p in found if _wanted(p, options) and os.path.realpath(p) not in excluded)


def _raise(exc: OSError) -> None:
    raise exc


def _wanted(path: Path, options: ReadOptions) -> bool:
    if path.suffix.lower() not in TEXT_SUFFIXES + JSONL_SUFFIXES:
        return False
    return not options.include or any(fnmatch.fnmatch(path.name, pattern) for pattern in options.include)


def _raw_documents(paths: Iterable[Path], options: ReadOptions) -> Iterator[Document | InputProblem]:
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
                files = list_files(path, options)
            except OSError as exc:
                yield InputProblem(str(exc.filename or path), f"cannot read folder ({exc.strerror})")
                continue
            if not files:
                what = f"files matching {', '.join(options.include)}" if options.include \
                    else ".txt, .md or .jsonl files"
                yield InputProblem(str(path), f"folder holds no {what}")
            for f in files:
                # in a tree, the id says where the file is: 2024/05/a (a flat folder: the file's name, a)
                doc_id = f.relative_to(path).with_suffix("").as_posix() if options.recursive else f.stem
                yield from _read_file(f, options, doc_id)
        else:
            yield from _read_file(path, options, path.stem)


def too_long(chars: str, max_chars: int) -> str:
    """The reason a document is skipped for its length, saying how to read it anyway."""
    return f"{chars}, more than --max-chars {max_chars:,} (raise --max-chars to read it)"


def _read_file(path: Path, options: ReadOptions, doc_id: str) -> Iterator[Document | InputProblem]:
    if path.suffix.lower() in JSONL_SUFFIXES:
        yield from _read_jsonl(path, options.encoding, options.max_chars)
        return
    max_chars = options.max_chars
    try:
        size = path.stat().st_size
        # no encoding takes more than 4 bytes a character: a big enough file is too long, unread
        if max_chars is not None and size // 4 > max_chars:
            yield InputProblem(str(path), too_long(f"at least {size // 4:,} characters ({size:,} bytes)", max_chars))
            return
        raw = path.read_bytes()
    except OSError as exc:
        yield InputProblem(str(path), f"cannot read ({exc.strerror})")
        return
    try:
        decoded = decode(raw, options.encoding)
    except DecodeError as exc:
        yield InputProblem(str(path), str(exc))
        return
    del raw  # not held while the document is extracted
    if decoded.detected:
        yield InputProblem(str(path), f"read as {decoded.encoding} (detected; --encoding to choose)", kind="note")
    text = decoded.text
    if not text.strip():
        yield InputProblem(str(path), "empty file")
        return
    if max_chars is not None and len(text) > max_chars:
        yield InputProblem(str(path), too_long(f"{len(text):,} characters", max_chars))
        return
    yield Document(id=doc_id, text=text, source=str(path))


def _read_jsonl(path: Path, encoding: str | None, max_chars: int | None) -> Iterator[Document | InputProblem]:
    """Line by line (a JSONL file may be large): UTF-8 lines are decoded one by one, so one bad line
    is one problem; another encoding (named, or detected from the start of the file) decodes the
    stream. A line too long to hold a document of ``max_chars`` is skipped without being read."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        yield InputProblem(str(path), f"cannot read ({exc.strerror})")
        return
    with fh:
        try:
            stream = encoding or detect_encoding(fh.read(1 << 16))
            fh.seek(0)
            source: BinaryIO | io.TextIOWrapper = fh
            if stream is not None:
                codecs.lookup(stream)
                if not encoding:
                    yield InputProblem(str(path), f"read as {stream} (detected; --encoding to choose)", kind="note")
                source = io.TextIOWrapper(fh, encoding=stream, newline="")
            # A record of a document within max_chars takes at most 12 bytes a character (a
            # \ud83d\ude00 escape), and some room for its other fields: a longer line is not even read.
            lines = _lines(source, None if max_chars is None else 12 * max_chars + (1 << 20))
        except DecodeError as exc:  # several encodings fit the start of the file, none clearly
            yield InputProblem(str(path), str(exc))
            return
        except (LookupError, OSError) as exc:
            yield InputProblem(str(path), f"unknown encoding {encoding!r}" if isinstance(exc, LookupError)
                               else f"cannot read ({exc.strerror})")
            return
        yield from _jsonl_records(path, lines, stream, max_chars)


def _lines(source: BinaryIO | io.TextIOWrapper, limit: int | None) -> Iterator[bytes | str | int]:
    """The lines of ``source``; one longer than ``limit`` is skipped unread, given as its length."""
    if limit is None:
        yield from source
        return
    while line := source.readline(limit):
        if len(line) < limit or line[-1:] in (b"\n", "\n"):
            yield line
            continue
        size = len(line)
        while line[-1:] not in (b"\n", "\n") and (line := source.readline(1 << 20)):
            size += len(line)
        yield size


def _jsonl_records(path: Path, lines: Iterator[bytes | str | int], stream: str | None,
                   max_chars: int | None) -> Iterator[Document | InputProblem]:
    seen_any = False
    lineno = 0
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            break
        except UnicodeDecodeError:
            yield InputProblem(f"{path}:{lineno + 1}", f"not {stream}; the rest of the file is skipped")
            return
        lineno += 1
        where = f"{path}:{lineno}"
        if isinstance(raw, int):
            seen_any = True
            yield InputProblem(where, too_long(f"a record of {raw:,} bytes", max_chars or 0))
            continue
        if not raw.strip():
            continue
        seen_any = True
        try:
            record = loads(raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff"))
        except UnicodeDecodeError:
            yield InputProblem(where, "not UTF-8")
            continue
        except json.JSONDecodeError as exc:
            yield InputProblem(where, f"malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        except TooDeep as exc:
            yield InputProblem(where, str(exc))
            continue
        del raw  # a long line is not held while its document is extracted
        yield _record_to_document(record, path, lineno, max_chars)
    if not seen_any:
        yield InputProblem(str(path), "empty file")


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
