"""``kg load`` / ``kg query`` end to end: against the session's server via --uri, the embedded
default (persistence between commands, no orphan server), and one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.network import save_json
from kg.sinks.store.loader import graph_counts

pytestmark = pytest.mark.db
runner = CliRunner()


def server_pids(data_dir: Path) -> list[int]:
    """redis-server processes whose working directory is ``data_dir`` (ours run there)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z" and "redis-server" in (proc / "cmdline").read_bytes().decode(errors="replace") \
                    and Path(os.readlink(proc / "cwd")).resolve() == data_dir.resolve():
                pids.append(int(proc.name))
        except OSError:
            continue
    return pids


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory, seed_graph) -> Path:
    """An output folder like `kg build` leaves: graph.json of the seeds."""
    out = tmp_path_factory.mktemp("kg-out")
    save_json(seed_graph, out / "graph.json")
    return out


def kg(*args: str):
    return runner.invoke(app, list(args))


def test_load_and_query_via_uri(db, embedded_db, seed_out, seed_graph):
    uri = embedded_db.server.uri
    result = kg("load", "--uri", uri, "--out", str(seed_out), "--batch-size", "10")
    assert result.exit_code == 0, result.output
    n, m = seed_graph.number_of_nodes(), seed_graph.number_of_edges()
    assert f"loaded {n} entities and {m} relations" in result.output
    assert f"now holds {n} entities and {m} relations" in result.output
    result = kg("query", "partners-of", "--param", "name=科大讯飞", "--json", "--uri", uri)
    assert result.exit_code == 0, result.output
    assert "华为" in {row["partner"] for row in json.loads(result.stdout)}
    result = kg("query", "partners-of", "-p", "name=讯飞", "--uri", uri)
    assert result.exit_code == 0 and "华为" in result.stdout and "rows" in result.stdout
    result = kg("query", "MATCH (n:Entity) RETURN count(n) AS n", "--json", "--uri", uri)
    assert json.loads(result.stdout) == [{"n": n}]
    # Nodes, relationships and paths print readably, and as plain JSON.
    chain = "MATCH p = (a:Person {name: $a})-[r:CHAIRMAN_OF]->(b) RETURN p, r, b"
    result = kg("query", chain, "-p", "a=刘庆峰", "--uri", uri)
    assert "刘庆峰 -[:CHAIRMAN_OF]-> 科大讯飞" in result.stdout and "科大讯飞 (Company)" in result.stdout
    row = json.loads(kg("query", chain, "-p", "a=刘庆峰", "--json", "--uri", uri).stdout)[0]
    assert row["b"]["labels"] == ["Company", "Entity"] and row["b"]["properties"]["name"] == "科大讯飞"
    assert row["r"]["type"] == "CHAIRMAN_OF" and len(row["p"]["nodes"]) == 2
    embedded_db.contents = None  # the CLI changed the shared database


def test_query_file_and_list(embedded_db, tmp_path):
    query_file = tmp_path / "mine.cypher"
    query_file.write_text("// mine: echo\n// @param word string  anything\nRETURN $word AS word\n", encoding="utf-8")
    result = kg("query", str(query_file), "--param", "word=360", "--json", "--uri", embedded_db.server.uri)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"word": "360"}]  # declared string: not turned into a number
    result = kg("query", "--list")
    assert result.exit_code == 0
    for name in ("partners-of", "models-on-chips", "shortest-path", "evidence-for"):
        assert name in result.stdout


def test_embedded_default_persists_between_commands_and_leaves_no_server(seed_out, seed_graph):
    result = kg("load", "--out", str(seed_out), "--quiet")
    assert result.exit_code == 0, result.output
    assert "embedded FalkorDB" in result.output
    assert (seed_out / "db" / "graph.rdb").is_file()
    assert server_pids(seed_out / "db") == []
    result = kg("query", "entity-types", "--json", "--out", str(seed_out))  # a new server, same data
    assert result.exit_code == 0, result.output
    assert {r["type"]: r["entities"] for r in json.loads(result.stdout)} == graph_counts(seed_graph)["labels"]
    result = kg("load", "--out", str(seed_out), "--quiet")  # loading again changes nothing
    n, m = seed_graph.number_of_nodes(), seed_graph.number_of_edges()
    assert f"now holds {n} entities and {m} relations" in result.output
    assert server_pids(seed_out / "db") == []


def _one_line_error(result, *needles: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_errors_are_one_line(embedded_db, tmp_path):
    uri = embedded_db.server.uri
    _one_line_error(kg("query", "entity-types", "--uri", "bolt://127.0.0.1:1"), "cannot reach")
    _one_line_error(kg("query", "entity-types", "--uri", "bolt://no-such-host.invalid:7687"), "cannot reach")
    _one_line_error(kg("query", "entity-types", "--uri", "http://localhost:7474"), "URI")
    _one_line_error(kg("query", "entity-types", "--uri", uri, "--password", "wrong"), "refused the login")
    _one_line_error(kg("query", "MATCH (n RETURN n", "--uri", uri), "rejected the query")
    # Only for its own server does kg know the Redis port where FalkorDB tells what is wrong.
    _one_line_error(kg("query", "MATCH (n RETURN n", "--out", str(tmp_path)), "Invalid input", "column: 10")
    _one_line_error(kg("query", "partners-off", "--uri", uri), "no saved query named", "partners-of")
    _one_line_error(kg("query", "partners-of", "--uri", uri), "needs parameter 'name'")
    _one_line_error(kg("query", "most-connected", "-p", "limit=ten", "--uri", uri), "int")
    _one_line_error(kg("query", "partners-of", "-p", "name", "--uri", uri), "NAME=VALUE")
    _one_line_error(kg("query"), "saved query name")
    _one_line_error(kg("load", "--out", str(tmp_path / "nothing")), "no such graph file")
    # The environment variables are the Neo4j ones.
    result = runner.invoke(app, ["query", "entity-types"], env={"NEO4J_URI": "bolt://127.0.0.1:1"})
    _one_line_error(result, "bolt://127.0.0.1:1")


def _start_kg(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    code = "from kg.cli import main; main()"
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for_server(data_dir: Path, timeout: float = 30.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = data_dir / "server.log"
        if log.is_file() and "Ready to accept" in log.read_text(errors="replace"):
            pids = server_pids(data_dir)
            if pids:
                return pids
        time.sleep(0.05)
    raise AssertionError("the embedded server did not start")


# About 8 s of server work in constant memory (36 million rows streamed, never materialised).
SLOW_QUERY = "UNWIND range(1, 6000) AS a UNWIND range(1, 6000) AS b WITH a, b WHERE (a * b) % 7 = 0 RETURN count(*)"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_command_leaves_no_server(tmp_path, sig):
    """Ctrl-C, kill and even kill -9 of `kg` in the middle of a query stop its embedded server."""
    proc = _start_kg(["query", SLOW_QUERY, "--out", str(tmp_path)], cwd=tmp_path)
    try:
        pids = _wait_for_server(tmp_path / "db")
        time.sleep(0.3)  # let the query start
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode != 0
        assert "Traceback" not in stderr
        deadline = time.monotonic() + 30  # after SIGKILL the kernel signals the server, which saves first
        while server_pids(tmp_path / "db") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server_pids(tmp_path / "db") == [], f"server {pids} outlived kg"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in server_pids(tmp_path / "db"):
            os.kill(pid, signal.SIGKILL)
