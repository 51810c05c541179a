"""Faults at the worst moments: each leaves the output folder and the database exactly as they were
before, or exactly as the command would have left them, never a mix.

* SIGINT and SIGTERM at random moments (seeded) of ``kg build`` and ``kg load --replace``;
* two builds at once on one folder;
* a full disk (a small tmpfs; needs root, which CI has);
* permission problems (run as the unprivileged user ``nobody`` when we are root).

The state of a folder is the bytes of its build files and the database's nodes and relationships
as the next command sees them (opening the database settles an interrupted replacement)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from interrupting import signal_after_main

from kg.sinks.outfolder import BUILD_FILES
from kg.sinks.store.connect import open_store

pytestmark = [pytest.mark.db, pytest.mark.slow]  # about 3 minutes: runs after the fast suite
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
KG = [sys.executable, "-c", "from kg.cli import main; main()"]
ROUNDS = 4  # per signal and per command


def kg(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KG, *args], capture_output=True, text=True, timeout=300, **kwargs)


def corpus_b(folder: Path, copies: int = 12) -> Path:
    """A corpus that differs from the seeds and takes a few seconds to build: the seeds, each
    repeated under new ids with its company renamed."""
    path = folder / "b.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(copies):
            for seed in sorted(SEEDS.glob("*.txt")):
                text = seed.read_text(encoding="utf-8").replace("科大讯飞", f"星海{i}号公司")
                fh.write(json.dumps({"id": f"{seed.stem}-{i}", "text": text}, ensure_ascii=False) + "\n")
    return path


def digest(path: Path) -> str:
    """A file's content; for the index, its tables (it also records when graph.json was written)."""
    if path.name != "index.sqlite":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    with sqlite3.connect(path) as db:
        tables = [db.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("nodes", "names", "edges")]
        tables.append(db.execute("SELECT * FROM meta WHERE key != 'source' ORDER BY 1").fetchall())
    return hashlib.sha256(repr(tables).encode()).hexdigest()


def state(out: Path) -> tuple[dict[str, str], tuple]:
    """What the folder holds: its build files' digests and the database's content."""
    files = {n: digest(out / n) for n in BUILD_FILES if (out / n).exists()}
    db = ()
    if (out / "db").exists():
        with open_store(data_dir=out / "db") as store:
            nodes = store.run("MATCH (n:Entity) RETURN n.name AS n, n.type AS t, n.mentions AS m")
            rels = store.run("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.name AS a, type(r) AS r, b.name AS b, "
                             "size(r.evidence) AS e")
            db = (tuple(sorted((r["n"], r["t"], r["m"]) for r in nodes.records)),
                  tuple(sorted((r["a"], r["r"], r["b"], r["e"]) for r in rels.records)))
    return files, db


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A pristine folder built from the seeds (state A), one built from corpus B (state B), and B."""
    root = tmp_path_factory.mktemp("faults")
    b = corpus_b(root)
    for name, source in (("A", SEEDS), ("B", b)):
        done = kg("build", str(source), "--out", str(root / name), "-q", "-w", "1")
        assert done.returncode == 0, done.stderr
    return {"A": root / "A", "B": root / "B", "corpus": b, "root": root}


@pytest.fixture(scope="module")
def states(folders: dict[str, Path]) -> dict[str, tuple]:
    return {k: state(folders[k]) for k in ("A", "B")}


def fresh_copy(folders: dict[str, Path], name: str) -> Path:
    target = Path(tempfile.mkdtemp(dir=folders["root"])) / "kg-out"
    shutil.copytree(folders[name], target, symlinks=True)
    return target


def interrupted(args: list[str], after: float, sig: int) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen([*KG, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(after)
    if proc.poll() is None:
        proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_build_interrupted_at_random_moments(folders: dict[str, Path], states: dict[str, tuple], sig: int) -> None:
    rng = random.Random(f"build-{sig}")
    out = fresh_copy(folders, "A")
    started = time.monotonic()
    full = kg("build", str(folders["corpus"]), "--out", str(out), "-q", "-w", "1")
    duration = time.monotonic() - started
    assert full.returncode == 0 and state(out) == states["B"], "an uninterrupted build gives state B"
    seen = set()
    for _ in range(ROUNDS):
        out = fresh_copy(folders, "A")
        at = rng.uniform(0.05, duration)
        proc = interrupted(["build", str(folders["corpus"]), "--out", str(out), "-q", "-w", "1"], at, sig)
        now = state(out)
        assert now in (states["A"], states["B"]), f"signal {sig} at {at:.2f} s of {duration:.2f} s: a mixed state"
        seen.add("A" if now == states["A"] else "B")
        assert proc.returncode != 0 or now == states["B"]
        assert not list(out.glob(".staging-*")) or now == states["A"]
    assert "A" in seen, "some interruption should land before the end"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_replacing_load_interrupted_at_random_moments(folders: dict[str, Path], states: dict[str, tuple],
                                                         sig: int) -> None:
    """kg load --replace of B's graph into A's database: the database is A's or B's, whole."""
    rng = random.Random(f"load-{sig}")
    graph = folders["B"] / "graph.json"
    out = fresh_copy(folders, "A")
    started = time.monotonic()
    assert kg("load", str(graph), "--replace", "--out", str(out), "-q").returncode == 0
    duration = time.monotonic() - started
    assert state(out)[1] == states["B"][1]
    for _ in range(ROUNDS):
        out = fresh_copy(folders, "A")
        interrupted(["load", str(graph), "--replace", "--out", str(out), "-q"], rng.uniform(0.05, duration), sig)
        assert state(out)[1] in (states["A"][1], states["B"][1])


def test_two_builds_at_once_take_turns(folders: dict[str, Path], states: dict[str, tuple]) -> None:
    out = fresh_copy(folders, "A")
    first = subprocess.Popen([*KG, "build", str(folders["corpus"]), "--out", str(out), "-q", "-w", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen([*KG, "build", str(SEEDS), "--out", str(out), "-q", "-w", "1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for proc in (first, second):
        proc.communicate(timeout=300)
        assert proc.returncode == 0
    assert state(out) in (states["A"], states["B"])
    lines = (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines()
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    docs = {d for n in graph["nodes"] for d in n["docs"]}
    assert {json.loads(line)["doc_id"] for line in lines} >= docs, "extractions and graph of the same build"


def _requirement(ok: bool, why: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test: {why}")
        pytest.skip(why)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    _requirement(sys.platform.startswith("linux") and os.geteuid() == 0, "mounting a tmpfs needs root on Linux")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_the_folder_as_it_was(folders: dict[str, Path], small_disk: Path) -> None:
    out = small_disk / "kg-out"
    assert kg("build", str(SEEDS), "--out", str(out), "-q", "-w", "1", "--no-html").returncode == 0
    before = state(out)
    full = kg("build", str(folders["corpus"]), "--out", str(out), "-q", "-w", "1")
    assert full.returncode == 2
    lines = full.stderr.strip().splitlines()
    assert len(lines) == 1 and "no space left on device" in lines[0] and " left as " in lines[0], lines
    assert state(out) == before
    assert not list(out.glob(".staging-*"))


# --- permissions -----------------------------------------------------------------------------------------

def as_nobody(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run kg as the unprivileged user ``nobody`` (we are root), or as ourselves otherwise."""
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
    env = dict(os.environ, HOME=str(cwd), XDG_CACHE_HOME=str(cwd / "cache"))
    return subprocess.run([*prefix, *KG, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A folder everybody can read (and write, for the cache), outside pytest's private tmp."""
    _requirement(os.geteuid() == 0 or shutil.which("setpriv") is not None, "needs root (to drop to nobody)")
    folder = Path(tempfile.mkdtemp(prefix="kg-perm-"))
    folder.chmod(0o777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _owned_by_someone_else(path: Path, mode: int) -> None:
    path.chmod(mode)
    if os.geteuid() == 0:
        os.chown(path, 0, 0)


def test_an_output_folder_that_cannot_be_written(shared: Path) -> None:
    out = shared / "kg-out"
    out.mkdir()
    _owned_by_someone_else(out, 0o755)
    done = as_nobody("build", str(SEEDS), "--out", str(out), "-q", "-w", "1", cwd=shared)
    assert done.returncode == 2, done.stderr
    expected = f"error: cannot write to {out}: permission denied; {out} left as it was"
    assert done.stderr.strip().splitlines() == [expected]


def test_an_unreadable_input_is_skipped_like_any_bad_file(shared: Path) -> None:
    good = shared / "good.txt"
    good.write_text("科大讯飞董事长刘庆峰表示，公司与华为合作。", encoding="utf-8")
    secret = shared / "secret.txt"
    secret.write_text("华为创始人任正非表示。", encoding="utf-8")
    locked = shared / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text("百度发布文心一言。", encoding="utf-8")
    _owned_by_someone_else(secret, 0o600)
    _owned_by_someone_else(locked, 0o700)
    done = as_nobody("build", str(secret), str(good), str(locked), "--out", str(shared / "o"), "-q", "--no-db",
                     "-w", "1", cwd=shared)
    assert done.returncode == 1, done.stderr
    warnings = done.stderr.strip().splitlines()
    assert any(f"skipped {secret}: cannot read (Permission denied)" in w for w in warnings), warnings
    assert any(f"skipped {locked}: cannot read folder (Permission denied)" in w for w in warnings), warnings
    assert "built 1 documents" in done.stdout


def test_kg_query_on_a_read_only_folder(folders: dict[str, Path], shared: Path) -> None:
    out = shared / "kg-out"
    shutil.copytree(folders["A"], out)
    for path in [out, *out.rglob("*")]:
        _owned_by_someone_else(path, 0o755 if path.is_dir() else 0o644)
    done = as_nobody("query", "entity-types", "--out", str(out), cwd=shared)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot write to {out}: permission denied"), lines


# --- the second attack (issue 24) ------------------------------------------------------------------------

def test_ctrl_c_in_the_first_second_is_one_line_and_leaves_the_folder(folders: dict[str, Path],
                                                                    states: dict[str, tuple]) -> None:
    """SIGINT at seeded moments of a command's first second after ``main`` runs, while its modules load:
    exit 130, one line."""
    rng = random.Random("first-second")
    out = fresh_copy(folders, "A")
    commands = [["build", str(folders["corpus"]), "--out", str(out), "-q", "-w", "1"],
                ["export", "-f", "jsonl", "--out", str(out), "-o", str(out.parent / "g.jsonl")],
                ["query", "entity-types", "--out", str(out)], ["neighbours", "华为", "--out", str(out)]]
    for args in commands:
        for _ in range(2):
            done = signal_after_main(args, rng.uniform(0.0, 0.7))
            if done.code == 0 and args[0] != "build":
                continue  # done before the signal (a build takes seconds)
            lines = [line for line in done.said if line.strip()]
            assert done.code == 130 and len(lines) == 1 and lines[0].startswith("error: interrupted"), \
                (args[0], done.code, lines)
    assert state(out) == states["A"]


def test_a_truncated_extractions_file_stops_add_and_remove_in_one_line(folders: dict[str, Path]) -> None:
    """extractions.jsonl cut short (a crash of another tool mid-write): build --add and remove say
    which line, exit 2, and change neither the files nor the database."""
    out = fresh_copy(folders, "A")
    path = out / "extractions.jsonl"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 100])
    before = state(out)
    for args in (["build", "--add", str(folders["corpus"]), "-q", "-w", "1"], ["remove", "002_0baca07253794435"]):
        done = kg(*args, "--out", str(out))
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and f"{path}:" in lines[0], (args[0], lines)
        assert state(out) == before


def test_an_export_onto_the_folders_own_state_changes_nothing(folders: dict[str, Path],
                                                             states: dict[str, tuple]) -> None:
    """kg export -o kg-out/extractions.jsonl (or db/graph.rdb) once broke the database and every later
    build --add: now it is refused, and the folder and database stay usable."""
    out = fresh_copy(folders, "A")
    for fmt, target in (("jsonl", out / "extractions.jsonl"), ("graphml", out / "db" / "graph.rdb"),
                        ("gexf", out / "index.sqlite")):
        done = kg("export", "-f", fmt, "--out", str(out), "-o", str(target))
        assert done.returncode == 2 and "write the export elsewhere" in done.stderr, done.stderr
    assert state(out) == states["A"]
    assert kg("build", "--add", str(SEEDS), "--out", str(out), "-q", "-w", "1").returncode == 0


def test_a_quoted_write_procedure_without_write_changes_nothing(folders: dict[str, Path],
                                                               states: dict[str, tuple]) -> None:
    out = fresh_copy(folders, "A")
    with open_store(data_dir=out / "db") as store:
        indexes = store.run("CALL db.indexes()").records
    for statement in ('CALL `db.idx.fulltext.createNodeIndex`("Entity","name")',
                      'CALL `db.idx.fulltext.drop`("Entity")', "MATCH (n) WITH n AS `x` SET n.pwned = 1"):
        done = kg("query", statement, "--out", str(out))
        assert done.returncode == 2 and "--write" in done.stderr, (statement, done.stderr)
    assert state(out) == states["A"]
    with open_store(data_dir=out / "db") as store:
        assert store.run("CALL db.indexes()").records == indexes


def test_bad_inputs_mid_build_are_skipped_and_the_rest_is_built(tmp_path: Path) -> None:
    """A folder holding a JSONL line nested 100,000 levels deep, a FIFO (no writer: reading it would
    wait forever), links to /dev/zero and /proc/self/environ: the build skips each with a warning and
    builds the rest."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "docs.jsonl").write_text(
        json.dumps({"id": "a", "text": "科大讯飞董事长刘庆峰表示，公司与华为合作。"}, ensure_ascii=False) + "\n"
        + '{"id": "deep", "text": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
        + json.dumps({"id": "b", "text": "华为创始人任正非表示。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "env.txt").symlink_to("/proc/self/environ")
    out = tmp_path / "kg-out"
    done = kg("build", str(folder), "--out", str(out), "-q", "-w", "1", "--no-db")
    assert done.returncode == 1, done.stderr
    warnings = done.stderr.strip().splitlines()
    assert len(warnings) == 4 and all(w.startswith("warning: skipped ") for w in warnings), warnings
    ids = [json.loads(line)["doc_id"] for line in (out / "extractions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert ids == ["a", "b"]


def test_a_model_with_nan_weights_leaves_the_folder_as_it_was(folders: dict[str, Path],
                                                             states: dict[str, tuple], tmp_path: Path) -> None:
    import numpy as np

    from kg.extraction.ner.taggers.statistical import shipped_model
    from kg.modelfile import load_npz, save_npz

    meta, arrays = load_npz(shipped_model())
    save_npz(tmp_path / "nan.npz", meta, {k: np.full_like(v, np.nan) if v.dtype.kind == "f" else v
                                          for k, v in arrays.items()})
    out = fresh_copy(folders, "A")
    done = kg("build", str(folders["corpus"]), "--out", str(out), "-q", "-w", "1", "--ner-model",
              str(tmp_path / "nan.npz"))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "NaN or infinity" in lines[0], lines
    assert state(out) == states["A"]


def test_a_wrapper_planted_by_another_user_is_never_preloaded(folders: dict[str, Path], shared: Path) -> None:
    """~/.cache/kg cannot be written and another user left a loopback wrapper in TMP/kg-<uid>: the
    command refuses to start the database, in one line, and the planted constructor never runs."""
    import subprocess as sp

    from test_loopback import NOBODY, plant

    folder = shared / f"kg-{os.geteuid()}"
    folder.mkdir()
    folder.chmod(0o777)
    planted = plant(folder)
    os.chown(folder, NOBODY, NOBODY)
    os.chown(planted, NOBODY, NOBODY)
    mark = shared / "mark"
    out = fresh_copy(folders, "A")
    env = dict(os.environ, XDG_CACHE_HOME="/dev/null/cache", TMPDIR=str(shared), KG_PLANTED_MARK=str(mark))
    done = sp.run([*KG, "query", "entity-types", "--out", str(out)], capture_output=True, text=True, env=env,
                  timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1 and "belongs to another user" in lines[0], lines
    assert not mark.exists()
