"""The output folder of ``kg build`` (``kg-out``): replaced all or nothing, under one lock.

A build writes every file into a staging folder inside ``kg-out`` (so on the same file system),
then :meth:`OutputFolder.publish` moves them into place with SIGINT and SIGTERM held back, so an
interruption leaves the folder exactly as it was before or exactly as the build left it, never a
mix. Files an earlier build wrote and this one did not (``graph.html`` after ``--no-html``) go;
the user's curation file stays unless the build stages a new one.
Every command that writes into the folder or its embedded database holds ``kg-out/.lock``. The
last file published is ``.build-id``, the id the embedded database's replacement was marked with.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg.io.outputs import OutputError, error, move_into, real_target
from kg.sinks.store import DB_DIR
from kg.sinks.store.embedded import BUILD_ID_FILE

LOCK_FILE = ".lock"
STAGING_PREFIX = ".staging-"
#: Everything a build may write at the top of the folder, in the order it is published.
BUILD_FILES = ("extractions.jsonl", "graph.json", "index.sqlite", "graph.html", "exports.json")
#: The folder's own state, which no other output may replace: the files the others derive from,
#: the lookup index, the user's curation, the record of the exports kept fresh, the lock and build id;
#: and, as folders, the database and staging folders.
STATE_FILES = ("extractions.jsonl", "graph.json", "index.sqlite", "kg-curation.toml", "exports.json", LOCK_FILE,
               BUILD_ID_FILE)
#: The user's files a build may replace but never removes (kg.graph.curation): published first.
USER_FILES = ("kg-curation.toml",)
_HELD_BACK = {signal.SIGINT, signal.SIGTERM}


class OutputFolder:
    """``kg-out`` and the files of its builds."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextlib.contextmanager
    def lock(self, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the folder's lock (waiting for another kg command to finish; ``on_wait`` is told once)."""
        if not self.path.is_dir() and not Path(os.path.abspath(self.path)).parent.is_dir():
            raise OutputError(errno.ENOENT, f"cannot write to {self.path}: {self.path.parent} does not exist (kg "
                                            f"makes the output folder, not the folders above it)")
        try:
            self.path.mkdir(exist_ok=True)
            fh = open(self.path / LOCK_FILE, "a+")  # noqa: SIM115 - held for the block
        except OSError as exc:
            raise error(self.path, exc, "write to") from None
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait:
                    on_wait(f"waiting for another kg command using {self.path} to finish ...")
                fcntl.flock(fh, fcntl.LOCK_EX)
            self._remove_stale_staging()  # ours alone now: any staging folder left is a dead build's
            yield
        finally:
            fh.close()

    def _remove_stale_staging(self) -> None:
        for old in self.path.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(old, ignore_errors=True)

    @contextlib.contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh staging folder inside the output folder, removed when the block ends."""
        try:
            folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.path))
        except OSError as exc:
            raise error(self.path, exc, "write to") from None
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def publish(self, staging: Path, build_id: str, extra: Iterable[str] = ()) -> list[Path]:
        """Move the build files of ``staging`` into the folder and remove the ones it lacks, then the
        ``extra`` files (sinks the build was asked for: relative paths, kept when not written again);
        write ``build_id`` last (the embedded database settles an interrupted replacement against it).
        Call it with signals held back (:func:`signals_held_back`). Returns the files published."""
        published = []
        for name in USER_FILES:
            if (staging / name).exists():
                move_into(staging / name, self.path / name)
                published.append(self.path / name)
        for name in BUILD_FILES:
            src, dest = staging / name, self.path / name
            if src.exists():
                move_into(src, dest)
                published.append(dest)
            elif dest.exists() or dest.is_symlink():
                try:
                    dest.unlink()
                except OSError as exc:
                    raise error(dest, exc, "remove") from None
        for name in extra:
            dest = self.path / name
            try:
                dest.parent.mkdir(exist_ok=True)
            except OSError as exc:
                raise error(dest.parent, exc, "write to") from None
            move_into(staging / name, dest)
            published.append(dest)
        (staging / BUILD_ID_FILE).write_text(build_id + "\n", encoding="utf-8")
        move_into(staging / BUILD_ID_FILE, self.path / BUILD_ID_FILE)
        return published


@contextlib.contextmanager
def signals_held_back() -> Iterator[None]:
    """SIGINT and SIGTERM wait (pending) until the block ends, then arrive as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_BACK)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def check_not_state(target: Path, out: Path | None, what: str = "output") -> None:
    """``OutputError`` if writing ``target`` (symlinks followed) would replace a file of an output
    folder's state (:data:`STATE_FILES`) or write inside its database or staging folders: of ``out``,
    or of any build folder (one with a build id) the target lands in."""
    real = real_target(target)
    folders = {real_target(out): out} if out is not None else {}
    folders.update({p: p for p in real.parents if (p / BUILD_ID_FILE).exists() and p not in folders})
    # say it in the user's terms: the path as given, and where it leads if a link is on the way
    shown = str(target) if Path(os.path.abspath(target)) == real else f"{target} (which leads to {real})"
    for folder, name in folders.items():
        if real.parent == folder and real.name in STATE_FILES:
            raise OutputError(errno.EEXIST, f"{shown} is {real.name} of the output folder {name}, which kg keeps; "
                                            f"write the {what} elsewhere")
        for inner in (folder / DB_DIR, *folder.glob(f"{STAGING_PREFIX}*")):
            if real == inner or inner in real.parents:
                raise OutputError(errno.EEXIST, f"{shown} is inside {name / inner.name}, a folder kg keeps for "
                                                f"{name}; write the {what} elsewhere")

