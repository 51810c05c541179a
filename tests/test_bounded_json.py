"""JSON from outside is parsed with a bound on nesting (kg.io.jsonlimits): a value nested deeper than
64 levels, or so deep that Python's parser would give up (about 1,000), is one clear problem naming
the file and line, never a RecursionError; a bad line of an input is skipped like any other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.network import GraphFormatError, build_graph, load_json, save_json, to_json_dict
from kg.io.jsonlimits import MAX_DEPTH, TooDeep, loads
from kg.models import Entity, Extraction, Relation

runner = CliRunner()
# just past the limit, past Python's own recursion limit, and far past it
DEPTHS = [MAX_DEPTH + 1, 1_000, 100_000]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", DEPTHS)
def test_loads_refuses_deep_values(depth: int) -> None:
    with pytest.raises(TooDeep, match=f"nested more than {MAX_DEPTH} levels"):
        loads('{"id": "a", "extra": ' + nested(depth) + "}")
    unclosed = nested(depth)[: depth + 3]  # malformed, but first too deep for Python's parser
    with pytest.raises(TooDeep if depth >= 1_000 else json.JSONDecodeError):
        loads(unclosed)


def test_loads_takes_what_is_within_the_limit() -> None:
    assert loads(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))
    assert loads('{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    with pytest.raises(json.JSONDecodeError):
        loads("[1, 2")


@pytest.mark.parametrize("depth", DEPTHS)
def test_a_deep_jsonl_line_is_skipped_like_any_bad_line(tmp_path: Path, depth: int) -> None:
    source = tmp_path / "in.jsonl"
    lines = [{"id": "a", "text": "科大讯飞董事长刘庆峰表示，公司与华为合作。"},
             None,
             {"id": "b", "text": "华为创始人任正非表示。"}]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) if r else
                                '{"id": "deep", "text": "x", "extra": ' + nested(depth) + "}"
                                for r in lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(source), "-o", str(out), "-q", "-w", "1"])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        f"warning: skipped {source}:2: JSON nested more than {MAX_DEPTH} levels deep"]
    assert [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a", "b"]


@pytest.mark.parametrize("depth", DEPTHS)
def test_a_deep_param_is_one_line(tmp_path: Path, depth: int) -> None:
    result = runner.invoke(app, ["query", "RETURN $n AS n", "-p", f"n:={nested(depth)}", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"error: --param n:= expects JSON nested at most {MAX_DEPTH} levels deep"]
    assert not list(tmp_path.iterdir()), "refused before anything was started"


def small_graph_json(tmp_path: Path) -> Path:
    G = build_graph([Extraction(doc_id="d1", entities=[Entity(name="刘庆峰", type="Person"),
                                                      Entity(name="科大讯飞", type="Company")],
                                relations=[Relation(head="刘庆峰", relation="CHAIRMAN_OF", tail="科大讯飞",
                                                    evidence="科大讯飞董事长刘庆峰", doc_id="d1", start=0, end=10)])])
    (tmp_path / "kg-out").mkdir()
    save_json(G, tmp_path / "kg-out" / "graph.json")
    return tmp_path / "kg-out" / "graph.json"


@pytest.mark.parametrize("depth", DEPTHS)
def test_a_deep_graph_json_is_one_line(tmp_path: Path, depth: int) -> None:
    path = small_graph_json(tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["edges"][0]["evidence"][0]["doc_id"] = json.loads(nested(min(depth, 500)))  # json.dumps' own limit
    text = json.dumps(data, ensure_ascii=False)
    if depth > 500:
        text = text.replace(nested(500), nested(depth))
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GraphFormatError, match=str(path)):
        load_json(path)
    for args in (["stats"], ["neighbours", "刘庆峰"], ["export", "-f", "jsonl", "-o", str(tmp_path / "g.jsonl")]):
        result = runner.invoke(app, [*args, "--out", str(path.parent)])
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {path}: "), (args, lines)


def test_the_small_graph_still_loads(tmp_path: Path) -> None:
    path = small_graph_json(tmp_path)
    assert to_json_dict(load_json(path))["edges"][0]["evidence"][0]["doc_id"] == "d1"
