"""Keeping the embedded server on 127.0.0.1: a tiny ``bind()`` wrapper preloaded into redis-server.

FalkorDB's Bolt endpoint always listens on every interface (it has no bind option, and its login is
not enforced: see ``kg.sinks.store.embedded``), so anyone on the network could read and write the graph
while kg runs. ``bindlocal.c`` (shipped with kg) rewrites wildcard binds to the loopback address;
it is compiled with the system C compiler the first time it is needed and kept in
``$XDG_CACHE_HOME/kg`` (else ``~/.cache/kg``, else ``$TMPDIR/kg-<uid>``).

Whatever is preloaded runs as the kg user, so the library must never come from a place another
user can write: kg makes that folder itself (mode 0700) and, before every use, checks that it, the
folders above it and the library belong to this user (or root) and that no other user can write
them, without following symbolic links. A folder that fails is refused with the reason, never used.
After start-up, :func:`listening_addresses` lets the server check from ``/proc/net`` that the ports
really are on the loopback address.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from importlib import resources
from pathlib import Path

from kg.sinks.store.errors import ServerStartError

SOURCE = "bindlocal.c"


class UnsafePath(Exception):
    """A folder or file another user could have written; the message says which and why."""


def _cache_dirs() -> list[Path]:
    """Where the library may live, in order of preference."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return [Path(base) / "kg", Path(tempfile.gettempdir()) / f"kg-{os.geteuid()}"]


def _compiler() -> list[str] | None:
    for cc in (os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc", "clang"):
        if cc and shutil.which(cc.split()[0]):
            return cc.split()
    return None


def _check_owned(path: Path, info: os.stat_result, what: str, sticky_ok: bool = False) -> None:
    """``UnsafePath`` unless ``path`` is this user's (or root's) and no other user can write it
    (``sticky_ok``: a sticky folder such as /tmp, where others cannot rename what is ours, is fine)."""
    if info.st_uid not in (os.geteuid(), 0):
        raise UnsafePath(f"{what} {path} belongs to another user (uid {info.st_uid})")
    if info.st_mode & 0o022 and not (sticky_ok and info.st_mode & stat.S_ISVTX):
        raise UnsafePath(f"{what} {path} is writable by other users (mode {stat.S_IMODE(info.st_mode):o})")


def private_folder(folder: Path) -> Path:
    """``folder``, made with mode 0700 if missing, once checked: a real folder (no symbolic link)
    of this user that no one else can write, below folders only this user or root can change (a
    sticky one such as /tmp excepted). ``UnsafePath`` or ``OSError`` if it cannot be used."""
    folder = Path(os.path.abspath(folder))
    if not folder.parent.exists():
        folder.parent.mkdir(parents=True, mode=0o700)
    with contextlib.suppress(FileExistsError):  # an existing one is checked like a new one
        folder.mkdir(mode=0o700)
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode):
        raise UnsafePath(f"the folder {folder} is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafePath(f"{folder} is not a folder")
    _check_owned(folder, info, "the folder")
    for above in folder.parents:
        _check_owned(above, os.stat(above), "the folder above", sticky_ok=True)
    return folder


def _checked_library(target: Path) -> Path | None:
    """``target`` if it is a library this user (or root) built, a regular file no one else can
    write; None if there is none; ``UnsafePath`` for anything else."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(f"{target} is not a regular file")
    _check_owned(target, info, "the library")
    return target


def preload_library() -> Path:
    """The compiled wrapper (built now if there is no checked copy); ``ServerStartError`` if impossible."""
    if not sys.platform.startswith("linux"):
        raise ServerStartError("the embedded database runs on Linux only here (it must keep its Bolt port on "
                               "127.0.0.1); pass --uri to use another server")
    source = (resources.files("kg.sinks.store") / SOURCE).read_bytes()
    digest = hashlib.sha256(source + sys.platform.encode()).hexdigest()[:16]
    refused = []
    for candidate in _cache_dirs():
        try:
            folder = private_folder(candidate)
            target = folder / f"bindlocal-{digest}.so"
            return _checked_library(target) or _build(source, target)
        except UnsafePath as exc:
            refused.append(str(exc))
        except OSError:
            continue
    if refused:
        raise ServerStartError(f"refusing the embedded database's loopback wrapper: {refused[-1]} (kg loads it "
                               f"into the server, so only you may write it; remove that, or set XDG_CACHE_HOME "
                               f"to a folder of yours, or pass --uri to use another server)")
    raise ServerStartError("cannot write the embedded database's loopback wrapper to a cache folder "
                           f"({_cache_dirs()[0]}); set XDG_CACHE_HOME to a folder of yours, or pass --uri to use "
                           f"another server")


def _build(source: bytes, target: Path) -> Path:
    cc = _compiler()
    if cc is None:
        raise ServerStartError("the embedded database needs a C compiler once (cc or gcc) to keep its Bolt port "
                               "on 127.0.0.1, and none was found: install one (e.g. apt-get install gcc), or "
                               "pass --uri to use another server (or --no-db)")
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        src = Path(work) / SOURCE
        src.write_bytes(source)
        out = Path(work) / target.name
        done = subprocess.run([*cc, "-shared", "-fPIC", "-O2", "-o", str(out), str(src), "-ldl"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            detail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise ServerStartError(f"building the embedded database's loopback wrapper failed: {detail}")
        os.chmod(out, 0o755)
        os.replace(out, target)  # atomic: a concurrent build of the same file is harmless
    return target


def listening_addresses(port: int) -> list[str]:
    """The local addresses with a socket listening on TCP ``port`` (Linux /proc/net)."""
    found = []
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, _, hex_port = local.partition(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # /proc prints each 32-bit word in host (little-endian) order
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4)) if size == 16 else raw[::-1]
            found.append(str(ipaddress.ip_address(words)))
    return found


def is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback
