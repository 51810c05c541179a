"""The embedded server kept running between commands (``kg db start``, or ``kg query`` on demand), as
seen by the commands that use it: find it, use it, start it, stop it.

One keeper process (:mod:`kg.sinks.store.keeper`) runs the :class:`~kg.sinks.store.embedded.EmbeddedServer` of a
data folder and says where it listens in ``DATA/server.json`` (owner-only, like the password file). A
command that finds it valid (the keeper alive, ours, holding the data folder's lock, and its Redis
port accepting the folder's password) uses it instead of starting a server of its own, and holds a
shared lock on ``DATA/.use`` meanwhile; the keeper stops the server when it can take that lock
alone and nobody has used it for its idle timeout, or when ``kg db stop`` asks (after the commands
using it have finished). A keeper that died leaves a state file that fails those checks: it is
removed and ignored.

While it runs, the server is reachable as it is while any kg command uses it: on the loopback
address only, its Redis port behind the generated password, its Bolt port taking logins that
FalkorDB checks but does not enforce (see :mod:`kg.sinks.store.embedded`). The idle timeout bounds how
long that lasts after the last command (``KG_DB_IDLE`` seconds, default :data:`DEFAULT_IDLE`; 0
keeps no server between commands: each one starts and stops its own, as before).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.sinks.store.embedded import LOCK_FILE, PASSWORD_FILE, ServerAddress
from kg.sinks.store.errors import ServerStartError

STATE_FILE = "server.json"
USE_FILE = ".use"
#: Seconds a kept server waits unused before it stops, unless ``KG_DB_IDLE`` says otherwise.
DEFAULT_IDLE = 300.0
IDLE_ENV = "KG_DB_IDLE"
#: How long ``kg db stop`` waits for the commands using the server, then for it to save and exit.
STOP_TIMEOUT = 150.0
_KEEPER_MODULE = "kg.sinks.store.keeper"


@dataclass(frozen=True)
class Running(ServerAddress):
    """A kept server: its keeper's pid, its ports, its password, when it started, its idle timeout."""

    data_dir: Path
    pid: int
    redis_port: int
    bolt_port: int
    password: str
    started: float
    idle_timeout: float

    def idle_for(self) -> float:
        """Seconds since a command last used it (or since it started)."""
        try:
            last = max(self.started, (self.data_dir / USE_FILE).stat().st_mtime)
        except OSError:
            last = self.started
        return max(0.0, time.time() - last)


def idle_timeout() -> float:
    """The idle timeout ``KG_DB_IDLE`` asks for (seconds; 0: keep no server), else the default."""
    raw = os.environ.get(IDLE_ENV, "").strip()
    if not raw:
        return DEFAULT_IDLE
    try:
        value = float(raw)
    except ValueError:
        raise ServerStartError(f"{IDLE_ENV}={raw!r} is not a number of seconds") from None
    if not value >= 0 or value == float("inf"):
        raise ServerStartError(f"{IDLE_ENV}={raw!r} must be 0 or more seconds")
    return value


def write_state(data_dir: Path, state: dict[str, float | int]) -> None:
    """Publish the keeper's state (owner-only, replaced whole)."""
    tmp = data_dir / f".{STATE_FILE}.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(state, fh)
    os.replace(tmp, data_dir / STATE_FILE)


def _holds_lock(data_dir: Path) -> bool:
    """Does some process hold the data folder's server lock (taken by every running server)?"""
    try:
        with open(data_dir / LOCK_FILE, "a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def _is_our_keeper(pid: int, data_dir: Path) -> bool:
    """Is ``pid`` a keeper of ``data_dir`` run by this user (not a recycled pid)?"""
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():
        try:
            if proc.stat().st_uid != os.getuid():
                return False
            args = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return _KEEPER_MODULE.encode() in args and str(data_dir.resolve()).encode() in args
    try:  # no /proc: the pid is alive and ours to signal
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def find(data_dir: Path, answering: bool = True) -> Running | None:
    """The server kept for ``data_dir``, if one runs (a stale state file is removed). ``answering``: it
    must answer too, else ``ServerStartError`` says so (``kg db stop`` still stops it)."""
    path = data_dir / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        password = (data_dir / PASSWORD_FILE).read_text(encoding="utf-8").strip()
        running = Running(data_dir, int(state["pid"]), int(state["redis_port"]), int(state["bolt_port"]), password,
                          float(state["started"]), float(state["idle_timeout"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _is_our_keeper(running.pid, data_dir):
        with contextlib.suppress(OSError):
            path.unlink()  # its keeper is gone
        return None
    if not _holds_lock(data_dir):
        return None  # its server is gone (the keeper is on its way out)
    if answering and not _answers(running):
        raise ServerStartError(f"the embedded database kept running for {data_dir} (pid {running.pid}) does not "
                               f"answer; `kg db stop` stops it")
    return running


def _answers(running: Running) -> bool:
    """Does its Redis port answer PING with the folder's password? (Asked past the dead slots a Bolt
    client leaves: :meth:`kg.sinks.store.wire.RedisPort.ask`.)"""
    reply = running.redis.ask("PING")
    return reply is not None and reply.startswith(b"+PONG")


@contextlib.contextmanager
def using(data_dir: Path, start_idle: float = 0.0) -> Iterator[Running | None]:
    """The kept server of ``data_dir`` (None if there is none), which will not stop while the block runs;
    with ``start_idle`` > 0 and none running, one is started now (see :func:`start`) with that idle timeout."""
    running: Running | None = None
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fh = open(data_dir / USE_FILE, "a")  # noqa: SIM115 - held for the block
    except OSError:
        yield None
        return
    try:
        fcntl.flock(fh, fcntl.LOCK_SH)  # waits while a keeper is stopping (it holds the lock alone)
        running = find(data_dir)
        if running is None and start_idle > 0:
            # Interrupted while it starts, the keeper is stopped, and it waits for its users' locks: ours first.
            running = start(data_dir, start_idle, release=lambda: fcntl.flock(fh, fcntl.LOCK_UN))
        yield running
    finally:
        if running is not None:
            with contextlib.suppress(OSError):
                os.utime(data_dir / USE_FILE)  # used now: the idle timeout starts again
        fh.close()


def start(data_dir: Path, idle: float, release: Callable[[], None] | None = None) -> Running:
    """Start a keeper for ``data_dir`` (detached: it outlives this command) and wait until its server
    answers; ``ServerStartError`` with the keeper's reason if it cannot. Interrupted meanwhile, the
    keeper is stopped before the interruption goes on; ``release`` first lets go of the caller's
    shared lock on ``DATA/.use``, which a stopping keeper waits for."""
    cmd = [sys.executable, "-m", _KEEPER_MODULE, str(data_dir.resolve()), "--idle", repr(float(idle))]
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                start_new_session=True, close_fds=True)  # its own session: Ctrl-C here is not its
    except OSError as exc:
        raise ServerStartError(f"cannot start the embedded database for {data_dir}: "
                               f"{(exc.strerror or str(exc)).lower()}") from None
    assert proc.stdout is not None
    try:
        line = proc.stdout.readline().decode("utf-8", "replace").strip()
    except BaseException:
        _terminate(proc, release)
        raise
    finally:
        proc.stdout.close()
    if line != "ready":
        _terminate(proc, release)
        reason = line.removeprefix("error: ") or f"the keeper exited with code {proc.returncode}"
        raise ServerStartError(reason)
    running = find(data_dir)
    if running is None:
        raise ServerStartError(f"the database server started for {data_dir} did not answer")
    return running


def _terminate(proc: subprocess.Popen[bytes], release: Callable[[], None] | None = None) -> None:
    """Stop a keeper this command started (it saves and stops its server on SIGTERM), after ``release``
    has let go of the caller's lock on ``DATA/.use``: the keeper waits for that lock before it stops."""
    if release is not None:
        release()
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def stop(data_dir: Path, timeout: float = STOP_TIMEOUT) -> Running | None:
    """Ask the keeper of ``data_dir`` to stop, and wait until it has (the commands using the server
    finish first); the server it stopped, or None if none ran. ``ServerStartError`` if it outlives
    ``timeout``."""
    running = find(data_dir, answering=False)
    if running is None:
        return None
    with contextlib.suppress(ProcessLookupError):
        os.kill(running.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _is_our_keeper(running.pid, data_dir):
        if time.monotonic() > deadline:
            raise ServerStartError(f"the database server of {data_dir} (pid {running.pid}) did not stop within "
                                   f"{timeout:.0f} s")
        time.sleep(0.05)
    return running
