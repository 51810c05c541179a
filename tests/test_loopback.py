"""The loopback wrapper (``kg/sinks/store/bindlocal.c``) is preloaded into the embedded server, so it must
never come from a place another user can write: kg keeps it in a folder it made itself (mode 0700),
and checks the owner and mode of that folder, of the folders above it and of the library before use.

Planting files "by another user" needs root (to hand them to ``nobody``); elsewhere those tests skip,
and under CI a missing requirement fails instead."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

import pytest

from kg.sinks.store import loopback
from kg.sinks.store.embedded import EmbeddedServer
from kg.sinks.store.errors import ServerStartError

NOBODY = 65534
# A library whose constructor leaves a mark: what an attacker would plant.
PLANTED = r"""
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void planted(void) {
    FILE *f = fopen(getenv("KG_PLANTED_MARK"), "w");
    if (f) { fputs("ran", f); fclose(f); }
}
"""


def _requirement(ok: bool, why: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test: {why}")
        pytest.skip(why)


def library_name() -> str:
    """The wrapper's file name, as kg derives it (a predictable name: the digest of its source)."""
    source = (resources.files("kg.sinks.store") / loopback.SOURCE).read_bytes()
    return f"bindlocal-{hashlib.sha256(source + sys.platform.encode()).hexdigest()[:16]}.so"


def plant(folder: Path) -> Path:
    """A shared library at kg's file name in ``folder`` whose constructor writes $KG_PLANTED_MARK."""
    src = folder / "planted.c"
    src.write_text(PLANTED, encoding="utf-8")
    target = folder / library_name()
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(target), str(src)], check=True, capture_output=True)
    src.unlink()
    return target


@pytest.fixture
def no_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """``~/.cache/kg`` cannot be written (XDG_CACHE_HOME under a file), and the temporary folder
    is a fresh world-writable one, like /tmp: kg falls back to ``TMP/kg-<uid>``."""
    _requirement(sys.platform.startswith("linux"), "the wrapper is for Linux")
    _requirement(shutil.which("cc") is not None, "needs a C compiler")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    shared = Path(tempfile.mkdtemp(prefix="kg-shared-"))
    shared.chmod(0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    yield shared
    shutil.rmtree(shared, ignore_errors=True)


@pytest.mark.db
def test_a_library_planted_by_another_user_is_never_loaded(no_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _requirement(os.geteuid() == 0, "needs root (to plant files as another user)")
    folder = no_cache / f"kg-{os.geteuid()}"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    mark = no_cache / "mark"
    planted = plant(folder)
    os.chown(folder, NOBODY, NOBODY)
    os.chown(planted, NOBODY, NOBODY)
    monkeypatch.setenv("KG_PLANTED_MARK", str(mark))
    with pytest.raises(ServerStartError, match=f"{folder}.* belongs to another user"):
        loopback.preload_library()
    # the embedded server refuses to start rather than run with it
    with pytest.raises(ServerStartError, match="belongs to another user"), EmbeddedServer(no_cache / "db"):
        pass
    assert planted.exists() and not mark.exists()


def test_a_planted_library_in_a_folder_of_ours_is_refused(no_cache: Path) -> None:
    """Our own folder, but the library in it is someone else's (or writable by others)."""
    _requirement(os.geteuid() == 0, "needs root (to plant files as another user)")
    folder = no_cache / f"kg-{os.geteuid()}"
    folder.mkdir(mode=0o700)
    planted = plant(folder)
    os.chown(planted, NOBODY, NOBODY)
    with pytest.raises(ServerStartError, match=f"{planted}.* belongs to another user"):
        loopback.preload_library()


def test_a_folder_others_can_write_is_refused(no_cache: Path) -> None:
    folder = no_cache / f"kg-{os.geteuid()}"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(ServerStartError, match=f"{folder}.* writable by other users"):
        loopback.preload_library()
    assert not list(folder.iterdir())


def test_a_symlinked_folder_is_refused(no_cache: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (no_cache / f"kg-{os.geteuid()}").symlink_to(elsewhere)
    with pytest.raises(ServerStartError, match="a symbolic link"):
        loopback.preload_library()
    assert not list(elsewhere.iterdir())


def test_kg_makes_its_own_private_folder(no_cache: Path) -> None:
    library = loopback.preload_library()
    assert library.parent == no_cache / f"kg-{os.geteuid()}"
    assert stat.S_IMODE(library.parent.stat().st_mode) == 0o700
    info = library.stat()
    assert info.st_uid == os.geteuid() and not info.st_mode & 0o022
    assert loopback.preload_library() == library  # the second time, the checked copy is used
