"""One source of truth: ``kg build --add`` and ``kg remove`` leave extractions.jsonl, graph.json,
the lookup index and the database exactly as a full build of the same documents would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.index import INDEX_FILE, GraphIndex
from kg.graph.network import load_json, to_json_dict
from kg.sinks.store.connect import open_store

pytestmark = pytest.mark.db
runner = CliRunner()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ALL = sorted(SEEDS.glob("*.txt"))


def folder_of(tmp: Path, name: str, files: list[Path], texts: dict[str, str] | None = None) -> Path:
    d = tmp / name
    d.mkdir()
    for f in files:
        (d / f.name).write_text((texts or {}).get(f.stem, f.read_text(encoding="utf-8")), encoding="utf-8")
    return d


def canonical(out: Path) -> dict:
    """graph.json with list order removed (documents may arrive in another order)."""
    data = to_json_dict(load_json(out / "graph.json"))
    nodes = {n["name"]: {**n, "aliases": sorted(n["aliases"]), "docs": sorted(n["docs"])} for n in data["nodes"]}
    edges = {(e["head"], e["relation"], e["tail"]): {**e, "evidence": sorted(json.dumps(x, sort_keys=True)
                                                                             for x in e["evidence"])}
             for e in data["edges"]}
    return {"nodes": nodes, "edges": edges}


def database(out: Path) -> tuple:
    with open_store(data_dir=out / "db") as store:
        nodes = store.run("MATCH (n:Entity) RETURN n.name AS n, n.type AS t, n.mentions AS m, n.docs AS d")
        rels = store.run("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.name AS a, type(r) AS r, b.name AS b, "
                         "r.evidence AS e, r.confidence AS c")
        return (sorted((r["n"], r["t"], r["m"], tuple(sorted(r["d"]))) for r in nodes.records),
                sorted((r["a"], r["r"], r["b"], tuple(sorted(r["e"])), r["c"]) for r in rels.records))


def build(*args: str) -> None:
    result = runner.invoke(app, ["build", *args, "-q", "-w", "1", "--no-html"])
    assert result.exit_code == 0, result.output


def assert_same(a: Path, b: Path) -> None:
    assert canonical(a) == canonical(b)
    assert GraphIndex.open(a / INDEX_FILE).stats() == GraphIndex.open(b / INDEX_FILE).stats()
    assert database(a) == database(b)


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("full") / "kg-out"
    build(str(SEEDS), "--out", str(out))
    return out


def test_adding_documents_equals_building_them_all(tmp_path: Path, full: Path) -> None:
    out = tmp_path / "kg-out"
    build(str(folder_of(tmp_path, "first", ALL[:3])), "--out", str(out))
    result = runner.invoke(app, ["build", "--add", str(folder_of(tmp_path, "more", ALL[3:])), "--out", str(out),
                                 "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("added 2 documents")
    assert_same(out, full)
    assert [json.loads(line)["doc_id"] for line in (out / "extractions.jsonl").read_text().splitlines()] == \
        [p.stem for p in ALL]


def test_removing_a_document_equals_never_having_it(tmp_path: Path) -> None:
    out, expected = tmp_path / "kg-out", tmp_path / "expected"
    build(str(SEEDS), "--out", str(out))
    build(str(folder_of(tmp_path, "rest", [p for p in ALL if p != ALL[1]])), "--out", str(expected))
    result = runner.invoke(app, ["remove", ALL[1].stem, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert_same(out, expected)
    neighbours = runner.invoke(app, ["neighbours", "科大讯飞", "--out", str(out), "--json", "--limit", "0"])
    assert all(ev["doc_id"] != ALL[1].stem for r in json.loads(neighbours.output)["neighbours"] for ev in r["evidence"])


def test_adding_a_changed_document_replaces_it(tmp_path: Path) -> None:
    out, expected = tmp_path / "kg-out", tmp_path / "expected"
    changed = {ALL[0].stem: "星海科技有限公司董事长王大可表示，星海科技有限公司与华为合作。"}
    build(str(SEEDS), "--out", str(out))
    build(str(folder_of(tmp_path, "changed-all", ALL, changed)), "--out", str(expected))
    result = runner.invoke(app, ["build", "--add", str(folder_of(tmp_path, "changed", ALL[:1], changed)),
                                 "--out", str(out), "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert_same(out, expected)


def test_removing_an_unknown_document_changes_nothing(tmp_path: Path, full: Path) -> None:
    out = tmp_path / "kg-out"
    shutil.copytree(full, out)
    before = (out / "graph.json").read_bytes()
    result = runner.invoke(app, ["remove", "no-such-doc", "--out", str(out)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: no document no-such-doc in {out / 'extractions.jsonl'}; {out} left as it was"]
    assert (out / "graph.json").read_bytes() == before


def test_a_hub_is_cut_by_the_limit_and_the_rest_counted(full: Path) -> None:
    result = runner.invoke(app, ["neighbours", "科大讯飞", "--out", str(full), "--json", "--limit", "5"])
    data = json.loads(result.output)
    everything = json.loads(runner.invoke(app, ["neighbours", "科大讯飞", "--out", str(full), "--json",
                                                "--limit", "0"]).output)
    assert len(data["neighbours"]) == 5 and data["omitted"] == len(everything["neighbours"]) - 5
    assert data["neighbours"] == everything["neighbours"][:5], "the first rows, in the same order"
    table = runner.invoke(app, ["neighbours", "科大讯飞", "--out", str(full), "--limit", "5"])
    assert f"and {data['omitted']} more" in table.output


def test_a_stale_or_missing_index_is_rebuilt_from_graph_json(tmp_path: Path, full: Path) -> None:
    from kg.graph.network import save_json

    out = tmp_path / "kg-out"
    shutil.copytree(full, out)
    G = load_json(out / "graph.json")
    G.add_node("新公司", type="Company", aliases=["新司"], english=None, mentions=1, docs=["x"])
    save_json(G, out / "graph.json")
    found = runner.invoke(app, ["neighbours", "新司", "--out", str(out), "--json"])
    assert found.exit_code == 0 and json.loads(found.output)["entity"] == "新公司"
    (out / INDEX_FILE).unlink()
    stats = json.loads(runner.invoke(app, ["stats", "--out", str(out), "--json"]).output)
    assert stats["nodes"] == G.number_of_nodes() and (out / INDEX_FILE).exists()


def test_a_copied_folder_keeps_its_index(tmp_path: Path, full: Path) -> None:
    out = tmp_path / "copy"
    out.mkdir()
    for name in ("graph.json", INDEX_FILE):
        (out / name).write_bytes((full / name).read_bytes())  # new files, new modification times
    before = (out / INDEX_FILE).stat().st_mtime_ns
    assert runner.invoke(app, ["neighbours", "讯飞", "--out", str(out)]).exit_code == 0
    assert (out / INDEX_FILE).stat().st_mtime_ns == before, "not rebuilt"
