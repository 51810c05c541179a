"""The embedded database kept running between commands (kg db start|stop|status, kg query on demand):
reused by the next commands, stopped by kg db stop or when idle, never left behind half-alive, on the
loopback address only with its files private, and waited for by a stop while a command uses it."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from interrupting import signal_after_main
from test_store_cli import server_pids

import kg
from kg.sinks.store import loopback, running
from kg.sinks.store.wire import RedisPort

pytestmark = pytest.mark.db


def kg_cmd(*args: str, idle: str = "60", timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_DB_IDLE": idle}
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture()
def folder(tmp_path: Path, sample_graph) -> Iterator[Path]:
    """A build folder with the sample graph loaded into its embedded database; its kept server (if any)
    is stopped afterwards."""
    out = kg.save(sample_graph, tmp_path / "out")
    loaded = kg_cmd("load", "-q", "--out", str(out), idle="0")
    assert loaded.returncode == 0, loaded.stderr
    try:
        yield out
    finally:
        running.stop(out / "db")


def status(out: Path) -> dict | None:
    done = kg_cmd("db", "status", "--json", "--out", str(out))
    return json.loads(done.stdout)


def entity_types(out: Path, idle: str = "60") -> dict[str, int]:
    done = kg_cmd("query", "entity-types", "--json", "--out", str(out), idle=idle)
    assert done.returncode == 0, done.stderr
    return {row["type"]: row["entities"] for row in json.loads(done.stdout)}


def test_a_query_starts_a_server_the_next_queries_use(folder: Path, sample_graph) -> None:
    assert status(folder) is None
    first = entity_types(folder)
    assert sum(first.values()) == sample_graph.number_of_nodes()
    kept = status(folder)
    assert kept is not None and kept["uri"].startswith("bolt://127.0.0.1:")
    assert entity_types(folder) == first
    assert status(folder)["pid"] == kept["pid"]  # the same server answered
    stopped = kg_cmd("db", "stop", "--out", str(folder))
    assert stopped.returncode == 0 and stopped.stdout.startswith("stopped the embedded database")
    assert status(folder) is None and server_pids(folder / "db") == []
    assert not Path(f"/proc/{kept['pid']}").exists() or b"kg.sinks.store.keeper" not in \
        Path(f"/proc/{kept['pid']}/cmdline").read_bytes()


def test_without_keeping_a_query_leaves_no_server(folder: Path) -> None:
    entity_types(folder, idle="0")
    assert status(folder) is None and server_pids(folder / "db") == []


def test_start_status_and_stop_say_what_they_did(folder: Path) -> None:
    started = kg_cmd("db", "start", "--idle-timeout", "120", "--out", str(folder))
    assert started.returncode == 0 and started.stdout.startswith("started the embedded database")
    assert "stops after 2 min unused" in started.stdout
    again = kg_cmd("db", "start", "--out", str(folder))
    assert again.returncode == 0 and again.stdout.startswith("already running")
    shown = kg_cmd("db", "status", "--out", str(folder))
    assert shown.returncode == 0 and shown.stdout.startswith("running: bolt://127.0.0.1:")
    assert kg_cmd("db", "stop", "--out", str(folder)).returncode == 0
    shown = kg_cmd("db", "status", "--out", str(folder))
    assert shown.returncode == 1 and "is not running" in shown.stdout
    again = kg_cmd("db", "stop", "--out", str(folder))
    assert again.returncode == 0 and "is not running" in again.stdout


def test_an_idle_server_stops_by_itself(folder: Path) -> None:
    entity_types(folder, idle="1")
    assert status(folder) is not None
    deadline = time.monotonic() + 20
    while status(folder) is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status(folder) is None and server_pids(folder / "db") == []
    assert entity_types(folder, idle="0")  # the graph was saved: the next command reads it


def test_the_kept_server_is_private(folder: Path) -> None:
    assert kg_cmd("db", "start", "--out", str(folder)).returncode == 0
    kept = running.find(folder / "db")
    assert kept is not None
    for port in (kept.redis_port, kept.bolt_port):
        addresses = loopback.listening_addresses(port)
        assert addresses and all(loopback.is_loopback(a) for a in addresses), addresses
    for name in ("server.json", "password"):
        assert stat.S_IMODE((folder / "db" / name).stat().st_mode) == 0o600
    assert RedisPort(kept.redis_port).command("PING", timeout=2).startswith(b"-NOAUTH")  # no password
    assert kept.redis.command("PING", timeout=2).startswith(b"+PONG")


def test_a_killed_keeper_leaves_nothing_behind(folder: Path) -> None:
    assert kg_cmd("db", "start", "--out", str(folder)).returncode == 0
    kept = running.find(folder / "db")
    assert kept is not None
    os.kill(kept.pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while server_pids(folder / "db") and time.monotonic() < deadline:  # its server follows it (PDEATHSIG)
        time.sleep(0.1)
    assert server_pids(folder / "db") == []
    assert status(folder) is None and not (folder / "db" / "server.json").exists()  # the stale state is gone
    assert sum(entity_types(folder).values()) > 0  # and the next query starts a new one


def test_loads_go_to_the_kept_server(folder: Path, sample_graph) -> None:
    assert kg_cmd("db", "start", "--out", str(folder)).returncode == 0
    pid = status(folder)["pid"]
    smaller = sample_graph.subgraph(sorted(sample_graph.nodes)[:4]).copy()
    other = kg.save(smaller, folder.parent / "other")
    loaded = kg_cmd("load", str(other / "graph.json"), "--replace", "-q", "--out", str(folder))
    assert loaded.returncode == 0, loaded.stderr
    assert sum(entity_types(folder).values()) == 4
    assert status(folder)["pid"] == pid


def test_stop_waits_for_the_commands_using_the_server(folder: Path) -> None:
    assert kg_cmd("db", "start", "--out", str(folder)).returncode == 0
    stopped: list[object] = []
    with running.using(folder / "db") as kept:
        assert kept is not None
        stopper = threading.Thread(target=lambda: stopped.append(running.stop(folder / "db")))
        stopper.start()
        time.sleep(1.5)
        assert stopper.is_alive() and not stopped  # still serving us
        assert kept.redis.command("PING", timeout=2).startswith(b"+PONG")
    stopper.join(timeout=60)
    assert stopped and status(folder) is None


def test_a_saved_query_without_its_entity_says_which_parameter(folder: Path) -> None:
    for name, parameter in (("people-of", "name"), ("shortest-path", "a"), ("located-in", "place")):
        done = kg_cmd("query", name, "--out", str(folder))
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith(f"error: {name} needs parameter '{parameter}': pass --param {parameter}=VALUE")
        assert done.stderr.count("\n") == 1


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.3, 0.8])
def test_ctrl_c_while_a_query_starts_the_server_leaves_no_stray_server(folder: Path, delay: float) -> None:
    """SIGINT ``delay`` seconds after ``kg.cli`` is imported (as tests/test_interrupts.py sends it)."""
    done = signal_after_main(["query", "entity-types", "--out", str(folder)], delay, timeout=120,
                             env={**os.environ, "KG_DB_IDLE": "60"})
    assert done.code in (0, 130), done.said
    if done.code == 130:
        assert done.said == ["error: interrupted"]
    # Either a kept server that answers, or none at all: never a server nobody can find.
    kept = running.find(folder / "db")
    if kept is None:
        assert server_pids(folder / "db") == [] and not running._holds_lock(folder / "db")


class _InterruptedAfterReady(subprocess.Popen):
    """A keeper process whose ``ready`` line is read, and then Ctrl-C arrives before the command goes on:
    the keeper has started its server and must be stopped while the command still holds ``.use``."""

    started: list[_InterruptedAfterReady] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.started.append(self)
        real = self.stdout

        class Pipe:
            def readline(self) -> bytes:
                assert real is not None
                assert real.readline().strip() == b"ready"
                raise KeyboardInterrupt

            def close(self) -> None:
                assert real is not None
                real.close()

        self.stdout = Pipe()  # type: ignore[assignment]


def test_ctrl_c_after_the_keeper_is_ready_stops_it_at_once(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(running.subprocess, "Popen", _InterruptedAfterReady)
    monkeypatch.setattr(running, "STOP_TIMEOUT", 30.0)
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt), running.using(folder / "db", start_idle=60.0):
        pass
    keeper = _InterruptedAfterReady.started[-1]
    # it stopped on our SIGTERM (exit 0), not killed after the timeout while it waited for our lock
    assert keeper.returncode == 0 and time.monotonic() - began < 25
    assert running.find(folder / "db") is None and server_pids(folder / "db") == []


def test_a_keeper_that_fails_before_it_is_ready_answers_the_query_waiting_for_it(folder: Path) -> None:
    (folder / "db" / running.STATE_FILE).mkdir()  # it cannot publish where it listens
    done = kg_cmd("query", "entity-types", "--out", str(folder), timeout=60)
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr.startswith("error: the database server stopped before it was ready")
    assert done.stderr.count("\n") == 1
    assert server_pids(folder / "db") == [] and not running._holds_lock(folder / "db")


def test_a_server_stopped_before_it_answers_ends_at_once_and_keeps_its_files(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or a keeper's SIGTERM) while the server starts: it may not listen yet, so no SHUTDOWN
    reaches it; it is ended at once (it served nobody), not waited for until a timeout."""
    from kg.sinks.store.embedded import DB_FILE, EmbeddedServer

    saved = (folder / "db" / DB_FILE).read_bytes()

    def interrupted(self: EmbeddedServer) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(EmbeddedServer, "_wait_ready", interrupted)
    server = EmbeddedServer(folder / "db")
    began = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        server.start()
    assert time.monotonic() - began < 15 and not server.running
    assert server_pids(folder / "db") == [] and not running._holds_lock(folder / "db")
    assert (folder / "db" / DB_FILE).read_bytes() == saved


SIGNAL_WHILE_SPAWNING = """
import os, signal, subprocess, sys
from kg.sinks.store import embedded

class Spawned(subprocess.Popen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        print(self.pid, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)  # lands while the server is spawned, before it is ours

embedded.subprocess.Popen = Spawned
try:
    embedded.EmbeddedServer(sys.argv[1]).start()
except SystemExit:
    print("stopped", flush=True)
"""


def test_a_signal_while_the_server_is_spawned_still_stops_it(folder: Path) -> None:
    """A keeper's SIGTERM landing between the server's spawn and its assignment: without the signals
    held back, the handler ran first and the server was left to the kernel's parent-death signal."""
    done = subprocess.run([sys.executable, "-c", SIGNAL_WHILE_SPAWNING, str(folder / "db")], capture_output=True,
                          text=True, timeout=120)
    pid, said = done.stdout.split()
    assert said == "stopped", done.stderr
    assert not Path(f"/proc/{pid}").exists() and server_pids(folder / "db") == []


def test_the_server_blocks_no_signal_it_was_spawned_with_held_back(folder: Path) -> None:
    from kg.sinks.store.embedded import EmbeddedServer

    with EmbeddedServer(folder / "db") as server:
        assert server._proc is not None
        status = Path(f"/proc/{server._proc.pid}/status").read_text()
    blocked = next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:"))
    assert int(blocked, 16) == 0
