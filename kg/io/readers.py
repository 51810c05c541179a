"""Reading documents from folders, text files and JSON Lines, one at a time (streaming).

Bad input never stops the run: each problem becomes an ``InputProblem`` naming the file (and
line) and the reason, yielded in place of the document, so callers report it and go on.

In a folder only regular files are read: a symbolic link is not followed (a link to
/proc/self/environ or to another user's file is skipped with a warning) unless
``ReadOptions.follow_symlinks``, and a FIFO, device or socket is skipped with a warning, even
through a followed link. Files are opened without following a link (``O_NOFOLLOW``) and checked
once open, so a file swapped for a link or a FIFO meanwhile is refused too. A path named on the
command line is the user's choice: a link is followed, a FIFO read (up to ``max_chars``); a device
is still skipped.
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import io
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from kg.io.decoding import DecodeError, decode, detect_encoding
from kg.io.jsonlimits import TooDeep, loads
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
    follow_symlinks: bool = False  #: read what links in a folder point to (never a device or FIFO)


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


NOT_FOLLOWED = "symbolic link, not followed (--follow-symlinks reads it)"


def list_files(folder: Path, options: ReadOptions) -> list[Path]:
    """The files of ``folder`` that are read, in order (``OSError`` if it cannot be listed)."""
    return scan_folder(folder, options)[0]


def scan_folder(folder: Path, options: ReadOptions) -> tuple[list[Path], list[InputProblem]]:
    """The files of ``folder`` that are read, in order, and the entries skipped for what they are
    (links not followed, special files); ``OSError`` if it cannot be listed."""
    excluded = {os.path.realpath(p) for p in options.exclude}
    found: list[Path] = []
    skipped: list[InputProblem] = []
    if options.recursive:
        walked: set[str] = set()
        for root, dirs, files in os.walk(folder, onerror=_raise, followlinks=options.follow_symlinks):
            real = os.path.realpath(root)
            if real in walked:  # a followed link back up the tree: once is enough
                dirs[:] = []
                continue
            walked.add(real)
            kept = []
            # hidden folders (.git, kg-out's staging) and excluded ones are not walked
            for d in sorted(dirs):
                path = os.path.join(root, d)
                if d.startswith(".") or os.path.realpath(path) in excluded:
                    continue
                if os.path.islink(path) and not options.follow_symlinks:
                    skipped.append(InputProblem(path, NOT_FOLLOWED))
                    continue
                kept.append(d)
            dirs[:] = kept
            found += [Path(root) / f for f in files if not f.startswith(".")]
    else:
        found = list(folder.iterdir())
    files = []
    for p in sorted(found):
        if not _wanted(p, options) or os.path.realpath(p) in excluded:
            continue
        problem = _not_a_file(p, options.follow_symlinks)
        if problem is None:
            files.append(p)
        elif problem:
            skipped.append(InputProblem(str(p), problem))
    return files, skipped


def _not_a_file(path: Path, follow: bool) -> str | None:
    """Why the folder entry ``path`` is not read (a link, a special file), "" for a folder (not a
    file, nothing to say), or None: it is read (what cannot even be looked at, reading reports)."""
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            if not follow:
                return NOT_FOLLOWED
            mode = os.stat(path).st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return ""
    return None if stat.S_ISREG(mode) else f"not a regular file ({_kind(mode)})"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a file"


class NotRegular(OSError):
    """An input that is a device, socket or FIFO; ``str()`` says which."""


def open_input(path: Path, listed: bool, follow: bool = False) -> BinaryIO:
    """``path`` opened for reading as :mod:`kg.io.readers` reads inputs: a file found in a folder
    (``listed``) must be a regular file, and is not opened through a link unless ``follow``; a path
    named by the user may be a link or a FIFO, never a device or socket. ``NotRegular`` or another
    ``OSError`` (``ELOOP``: a link not followed)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (os.O_NOFOLLOW if listed and not follow else 0)
    fd = os.open(path, flags)  # non-blocking: opening a FIFO does not wait for a writer
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode) and (listed or not stat.S_ISFIFO(mode)):
            raise NotRegular(errno.EINVAL, f"not a regular file ({_kind(mode)})")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _open_problem(path: Path, exc: OSError) -> str:
    if isinstance(exc, NotRegular):
        return exc.strerror or "not a regular file"
    if exc.errno == errno.ELOOP and path.is_symlink():
        return NOT_FOLLOWED
    return f"cannot read ({exc.strerror})"


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
                files, skipped = scan_folder(path, options)
            except OSError as exc:
                yield InputProblem(str(exc.filename or path), f"cannot read folder ({exc.strerror})")
                continue
            yield from skipped
            if not files and not skipped:
                what = f"files matching {', '.join(options.include)}" if options.include \
                    else ".txt, .md or .jsonl files"
                yield InputProblem(str(path), f"folder holds no {what}")
            for f in files:
                # in a tree, the id says where the file is: 2024/05/a (a flat folder: the file's name, a)
                doc_id = f.relative_to(path).with_suffix("").as_posix() if options.recursive else f.stem
                yield from _read_file(f, options, doc_id, listed=True)
        else:
            yield from _read_file(path, options, path.stem, listed=False)


def too_long(chars: str, max_chars: int) -> str:
    """The reason a document is skipped for its length, saying how to read it anyway."""
    return f"{chars}, more than --max-chars {max_chars:,} (raise --max-chars to read it)"


def _read_file(path: Path, options: ReadOptions, doc_id: str, listed: bool) -> Iterator[Document | InputProblem]:
    """One file's document(s); ``listed``: found in a folder (see the module docstring)."""
    try:
        fh = open_input(path, listed, options.follow_symlinks)
    except OSError as exc:
        yield InputProblem(str(path), _open_problem(path, exc))
        return
    with fh:
        if path.suffix.lower() in JSONL_SUFFIXES:
            yield from _read_jsonl(path, fh, options.encoding, options.max_chars)
            return
        yield from _read_text(path, fh, options, doc_id)


def _read_text(path: Path, fh: BinaryIO, options: ReadOptions, doc_id: str) -> Iterator[Document | InputProblem]:
    max_chars = options.max_chars
    try:
        size = os.fstat(fh.fileno()).st_size
        # no encoding takes more than 4 bytes a character: a big enough file is too long, unread
        if max_chars is not None and size // 4 > max_chars:
            yield InputProblem(str(path), too_long(f"at least {size // 4:,} characters ({size:,} bytes)", max_chars))
            return
        # a FIFO has no size: read no more than the longest document allowed could take
        raw = fh.read() if max_chars is None else fh.read(4 * max_chars + 4)
        if max_chars is not None and len(raw) > 4 * max_chars:
            yield InputProblem(str(path), too_long(f"more than {max_chars:,} characters", max_chars))
            return
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


def _read_jsonl(path: Path, fh: BinaryIO, encoding: str | None,
                max_chars: int | None) -> Iterator[Document | InputProblem]:
    """Line by line (a JSONL file may be large): UTF-8 lines are decoded one by one, so one bad line
    is one problem; another encoding (named, or detected from the start of the file) decodes the
    stream. A line too long to hold a document of ``max_chars`` is skipped without being read."""
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
