"""The command line through typer's test runner: commands, outputs and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kg-out")
    result = runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--workers", "1", "--no-db"])
    assert result.exit_code == 0, result.output
    return out


def test_build_writes_all_outputs(built):
    for name in ("extractions.jsonl", "graph.json", "graph.html"):
        assert (built / name).stat().st_size > 0
    lines = (built / "extractions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    record = json.loads(lines[0])
    assert {"doc_id", "entities", "relations"} <= set(record)


def test_neighbours_same_for_every_alias(built):
    outs = []
    for alias in ("讯飞", "iFlytek", "科大訊飛"):
        result = runner.invoke(app, ["neighbours", alias, "--out", str(built), "--json"])
        assert result.exit_code == 0, result.output
        outs.append(json.loads(result.output))
    assert outs[0] == outs[1] == outs[2]
    assert outs[0]["entity"] == "科大讯飞"
    names = {r["name"] for r in outs[0]["neighbours"]}
    assert {"华为", "刘庆峰"} <= names


def test_neighbours_table_shows_relation_direction_and_evidence(built):
    result = runner.invoke(app, ["neighbours", "刘庆峰", "--out", str(built)])
    assert result.exit_code == 0
    assert "CHAIRMAN_OF" in result.output and "->" in result.output and "科大讯飞" in result.output
    assert "董事長" in result.output or "董事长" in result.output


def test_neighbours_type_filter(built):
    result = runner.invoke(app, ["neighbours", "讯飞", "--type", "Person", "--json", "--out", str(built)])
    assert {r["type"] for r in json.loads(result.output)["neighbours"]} == {"Person"}


def test_unknown_name_is_one_line_with_suggestions(built):
    result = runner.invoke(app, ["neighbours", "讯飞星", "--out", str(built)])
    assert result.exit_code == 2
    assert "no entity named" in result.output and "did you mean" in result.output
    assert "Traceback" not in result.output


def test_path_and_stats(built):
    result = runner.invoke(app, ["path", "刘庆峰", "华为", "--out", str(built), "--json"])
    assert result.exit_code == 0, result.output
    steps = json.loads(result.output)
    assert steps[0]["from"] == "刘庆峰" and steps[-1]["to"] == "华为" and len(steps) == 2
    result = runner.invoke(app, ["stats", "--out", str(built), "--json"])
    stats = json.loads(result.output)
    assert stats["documents"] == 5 and stats["entity_types"]["Company"] >= 5


def test_commands_without_a_graph_say_so(tmp_path):
    result = runner.invoke(app, ["stats", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "kg build" in result.output


def test_extract_jsonl_input(tmp_path):
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "华为创始人任正非说。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(src), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert rec["doc_id"] == "a" and rec["relations"][0]["relation"] == "FOUNDER_OF"


def _bad_inputs(folder: Path) -> dict[str, str]:
    (folder / "good.txt").write_text("科大讯飞董事长刘庆峰说。", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("第一行\n".encode() + "caf\xe9".encode("latin-1"))
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / "docs.jsonl").write_text(
        '{"id": "j1", "text": "华为创始人任正非。"}\n'
        '{"id": "j2", "text": \n'
        '{"id": "j3", "text": "百度发布文心一言。"}\n',
        encoding="utf-8")
    return {"empty.txt": "empty file", "latin1.txt": "line 2: not UTF-8", "binary.txt": "binary file",
            "docs.jsonl:2": "malformed JSON"}


def test_bad_inputs_are_named_and_the_rest_is_processed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    problems = _bad_inputs(folder)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "-q", "-w", "1"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for where, reason in problems.items():
        line = next(ln for ln in result.output.splitlines() if where in ln)
        assert reason in line
    ids = [json.loads(ln)["doc_id"] for ln in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["j1", "j3", "good"]


def test_missing_path_is_an_error(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nope"), "-o", str(tmp_path / "o.jsonl"), "-q"])
    assert result.exit_code == 2
    assert "nope: no such file or folder" in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_failed_build_keeps_the_previous_graph(built, tmp_path):
    before = {n: (built / n).read_bytes() for n in ("graph.json", "extractions.jsonl", "graph.html")}
    result = runner.invoke(app, ["build", str(tmp_path / "missing"), "--out", str(built)])
    assert result.exit_code != 0
    assert {n: (built / n).read_bytes() for n in before} == before


@pytest.mark.db
def test_build_loads_the_embedded_database_by_default(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "embedded FalkorDB" in result.output
    graph = json.loads((out / "graph.json").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["query", "MATCH (n:Entity) RETURN count(n) AS n", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"n": len(graph["nodes"])}]
    # a second build replaces, never doubles, what the first one loaded
    runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--workers", "1", "--no-html"])
    result = runner.invoke(app, ["query", "MATCH ()-[r]->() RETURN count(r) AS n", "--out", str(out), "--json"])
    assert json.loads(result.output) == [{"n": len(graph["edges"])}]
