"""The keeper: a small detached process that runs one data folder's embedded server between commands.

    python -m kg.sinks.store.keeper DATA_DIR --idle SECONDS

Started by :func:`kg.sinks.store.running.start` (``kg db start``, or ``kg query`` on demand) in a session of
its own, so Ctrl-C in the terminal that started it does not reach it. It starts the
:class:`~kg.sinks.store.embedded.EmbeddedServer` (which holds the data folder's lock, listens on the loopback
address only and dies with the keeper), publishes ``DATA_DIR/server.json``, prints ``ready`` (or
``error: REASON``) on its standard output for the command waiting on it, and then only watches:
every second it checks whether the server has been idle for SECONDS (nobody holds ``DATA_DIR/.use``
and nobody has touched it since), has died, or has lost its folder (then it stops without saving).
SIGTERM (``kg db stop``) or SIGHUP ends it at once; either way it takes ``.use`` for itself (waiting
for the commands still using the server), removes the state file, then saves the graph and stops
the server.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import signal
import sys
import time
from pathlib import Path
from typing import IO

from kg.sinks.store.embedded import EmbeddedServer
from kg.sinks.store.errors import StoreError
from kg.sinks.store.running import STATE_FILE, USE_FILE, write_state

#: How often the keeper looks at its server (seconds).
TICK = 1.0


def _report(line: str) -> None:
    """Tell the command that started us, once, then let go of the pipe (it may be gone later)."""
    with contextlib.suppress(OSError):
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)


def _idle(use: IO[str], data_dir: Path, since: float, idle: float) -> bool:
    """True (holding ``.use`` alone) when nobody uses the server and nobody has for ``idle`` seconds."""
    try:
        fcntl.flock(use, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a command is using it right now
    try:
        last = max(since, (data_dir / USE_FILE).stat().st_mtime)
    except OSError:
        last = since
    if time.time() - last >= idle:
        return True
    fcntl.flock(use, fcntl.LOCK_UN)
    return False


def _why(exc: BaseException | None) -> str:
    """One short reason for a stop before ``ready``."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror.lower()}: {exc.filename2 or exc.filename}" if exc.filename else exc.strerror.lower()
    return str(exc) if exc is not None and not isinstance(exc, SystemExit) else "asked to stop"


def keep(data_dir: Path, idle: float) -> int:
    server = EmbeddedServer(data_dir)
    try:
        server.start()  # from here SIGTERM and SIGHUP raise SystemExit (see EmbeddedServer._catch_signals)
    except StoreError as exc:
        _report(f"error: {exc}")
        return 1
    use = open(data_dir / USE_FILE, "a")  # noqa: SIM115 - held for the keeper's life
    reported = False
    try:
        started = time.time()
        write_state(data_dir, {"pid": os.getpid(), "redis_port": server.redis_port, "bolt_port": server.bolt_port,
                               "started": started, "idle_timeout": idle})
        _report("ready")
        reported = True
        while server.running and data_dir.is_dir() and not _idle(use, data_dir, started, idle):
            time.sleep(TICK)
    except SystemExit:
        pass  # asked to stop: below, like an idle stop
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping already; a second request changes nothing
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if not reported:  # the command waiting for us may hold .use: answer it before waiting for that lock
            _report(f"error: the database server stopped before it was ready ({_why(sys.exc_info()[1])})")
        fcntl.flock(use, fcntl.LOCK_EX)  # the commands still using the server finish first
        with contextlib.suppress(OSError):
            (data_dir / STATE_FILE).unlink()
        if not data_dir.is_dir():  # its folder was removed: nowhere to save, and nothing to save for
            with contextlib.suppress(OSError):
                server.redis.command("SHUTDOWN", "NOSAVE", timeout=2.0)
        server.stop()
        use.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.sinks.store.keeper", description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--idle", type=float, required=True, help="Stop after this many seconds unused.")
    args = parser.parse_args(argv)
    return keep(args.data_dir, args.idle)


if __name__ == "__main__":
    sys.exit(main())
