"""Keeping the embedded server on 127.0.0.1: a tiny ``bind()`` wrapper preloaded into redis-server.

FalkorDB's Bolt endpoint always listens on every interface and has no authentication, so anyone
on the network could read and write the graph while kg runs. ``bindlocal.c`` (shipped with kg)
rewrites wildcard binds to the loopback address; it is compiled with the system C compiler the
first time it is needed and cached (``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``). After start-up,
:func:`listening_addresses` lets the server check from ``/proc/net`` that it really is so.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from importlib import resources
from pathlib import Path

from kg.store.errors import ServerStartError

SOURCE = "bindlocal.c"


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kg"


def _compiler() -> list[str] | None:
    for cc in (os.environ.get("CC"), sysconfig.get_config_var("CC"), "cc", "gcc", "clang"):
        if cc and shutil.which(cc.split()[0]):
            return cc.split()
    return None


def preload_library() -> Path:
    """The compiled wrapper (built now if it is not cached); ``ServerStartError`` if impossible."""
    if not sys.platform.startswith("linux"):
        raise ServerStartError("the embedded database runs on Linux only here (it must keep its Bolt port on "
                               "127.0.0.1); pass --uri to use another server")
    source = (resources.files("kg.store") / SOURCE).read_bytes()
    digest = hashlib.sha256(source + sys.platform.encode()).hexdigest()[:16]
    for folder in (_cache_dir(), Path(tempfile.gettempdir()) / f"kg-{os.getuid()}"):
        target = folder / f"bindlocal-{digest}.so"
        if target.exists():
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            return _build(source, target)
        except OSError:
            continue
    raise ServerStartError("cannot write the embedded database's loopback wrapper to a cache folder "
                           f"({_cache_dir()}); pass --uri to use another server")


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
