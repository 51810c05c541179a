"""Writing outputs without destroying anything: never an input, never a half-written file, never
a replaced symlink or device.

* :func:`check_not_input` refuses an output that is one of the inputs (the same file, through
  links and relative paths too).
* :func:`replacing` writes a file all or nothing: a temporary file beside the real target (symlinks
  followed, so the link stays a link), renamed over it when complete, with the permissions a new
  file would get (or the old file's). Devices, FIFOs and sockets are written through instead,
  as ``cat > /dev/null`` would.
* No folder is made to put an output in: the commands check first that an output's folder exists
  (:func:`check_folder_exists`; for a symlink, its target's folder), and :func:`replacing` never
  makes the folder of a symlink's target (a dangling link to /nonexistent/x would make /nonexistent);
  for a plain path it still makes missing folders, for library callers that write into a new one.
* Every ``OSError`` becomes an :class:`OutputError`: one line naming the path and the reason
  (permission denied, no space left on device, read-only file system ...).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO


class OutputError(OSError):
    """An output that cannot or must not be written; the message is one line for the user."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def describe(exc: OSError) -> str:
    """The reason of an ``OSError`` in a few words (``no space left on device``)."""
    if exc.errno is not None and exc.errno in errno.errorcode:
        return (exc.strerror or os.strerror(exc.errno)).lower()
    return str(exc) or type(exc).__name__


def error(path: Path | str, exc: OSError, doing: str = "write") -> OutputError:
    return OutputError(exc.errno, f"cannot {doing} {path}: {describe(exc)}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_not_input(output: Path, inputs: Iterable[Path]) -> None:
    """Refuse ``output`` if it is one of ``inputs``, or a file an input folder's listing would read.

    >>> check_not_input(Path("out.jsonl"), [Path("in.jsonl")])
    """
    if output.is_dir():
        raise OutputError(errno.EISDIR, f"{output} is a folder; give a file name for the output")
    for given in inputs:
        if _same_file(output, given):
            raise OutputError(errno.EEXIST, f"{output} is also an input; write the output to another file")
        from kg.io.readers import JSONL_SUFFIXES, TEXT_SUFFIXES  # the readers (and pydantic) only when it matters

        readable = output.suffix.lower() in TEXT_SUFFIXES + JSONL_SUFFIXES
        if given.is_dir() and readable and _same_file(output.parent, given):
            raise OutputError(errno.EEXIST, f"{output} is inside the input folder {given}, which would read it "
                                            f"as an input; write the output elsewhere")


def real_target(path: Path) -> Path:
    """Where writing ``path`` really lands: symlinks followed (a dangling link's target too)."""
    return Path(os.path.realpath(path))


def _leads_elsewhere(path: Path, target: Path) -> bool:
    """Does ``path`` reach ``target`` through a symlink (itself, or a folder on the way)?"""
    return Path(os.path.abspath(path)) != target


def missing_folder(path: Path) -> OutputError | None:
    """The error to give if the folder ``path`` lands in (symlinks followed) does not exist, else None."""
    target = real_target(path)
    if target.parent.is_dir():
        return None
    if _leads_elsewhere(path, target):
        return OutputError(errno.ENOENT, f"cannot write {path}: it leads to {target}, and {target.parent} does not "
                                         f"exist (kg creates no folders for an output)")
    return OutputError(errno.ENOENT, f"cannot write {path}: {path.parent} does not exist (kg creates no folders "
                                     f"for an output)")


def check_folder_exists(path: Path) -> None:
    """``OutputError`` unless the folder an output (file, or CSV folder) lands in exists."""
    problem = missing_folder(path)
    if problem is not None:
        raise problem


def is_special(path: Path) -> bool:
    """A device, FIFO or socket: something to write through, never to replace."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _new_file_mode(existing: Path) -> int:
    """The old file's permissions, or those a new file gets under the umask."""
    try:
        return stat.S_IMODE(os.stat(existing).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


@contextlib.contextmanager
def replacing(path: Path, binary: bool = False) -> Iterator[IO]:
    """Open ``path`` for writing all or nothing (see the module docstring); yields the file.

    The previous content stays until the block ends without an exception; an exception (or
    Ctrl-C) removes the temporary file and leaves ``path`` as it was.
    """
    mode = "wb" if binary else "w"
    encoding = None if binary else "utf-8"
    if is_special(path):
        try:
            with open(path, mode, encoding=encoding) as fh:
                yield fh
        except OSError as exc:
            raise error(path, exc) from None
        return
    target = real_target(path)
    if not target.parent.is_dir() and _leads_elsewhere(path, target):
        raise missing_folder(path) or OutputError(errno.ENOENT, f"cannot write {path}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)  # a plain path only (library callers)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise error(path, exc) from None
    try:
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
        os.chmod(tmp, _new_file_mode(target))
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``, all or nothing."""
    with replacing(path) as fh:
        fh.write(text)


def move_into(src: Path, dest: Path) -> None:
    """Put the finished file ``src`` at ``dest`` (an atomic rename where possible): through a
    symlink at ``dest`` to its target, by copying into a special file or across file systems."""
    if is_special(dest):
        with replacing(dest, binary=True) as out, open(src, "rb") as fh:
            while block := fh.read(1 << 20):
                out.write(block)
        src.unlink()
        return
    target = real_target(dest)
    try:
        os.chmod(src, _new_file_mode(target))
        os.replace(src, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise error(dest, exc) from None
        with replacing(target, binary=True) as out, open(src, "rb") as fh:
            while block := fh.read(1 << 20):
                out.write(block)
        src.unlink()
