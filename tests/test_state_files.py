"""An output folder's own files, damaged: a truncated ``extractions.jsonl``, a ``graph.json`` whose
fields have the wrong types. Every command that reads them says so in one line naming the file (and
line, and field), exits 2 and leaves the folder as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()
DOCS = {"a": "科大讯飞董事长刘庆峰表示，公司与华为合作。", "b": "华为创始人任正非表示，华为在深圳。"}


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A folder built from two documents, without the database."""
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"id": k, "text": v}, ensure_ascii=False) + "\n" for k, v in DOCS.items()),
                      encoding="utf-8")
    folder = tmp_path / "kg-out"
    result = runner.invoke(app, ["build", str(source), "--out", str(folder), "--no-db", "--no-html", "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and p.name != ".lock"}


def one_line(result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_a_truncated_extractions_file_is_one_line(out: Path, tmp_path: Path) -> None:
    path = out / "extractions.jsonl"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 40])  # the last line cut short, as a crash mid-write would
    before = snapshot(out)
    more = tmp_path / "c.txt"
    more.write_text("百度发布文心一言。", encoding="utf-8")
    for args in (["build", "--add", str(more), "-q"], ["remove", "a"]):
        result = runner.invoke(app, [*args, "--out", str(out), "--no-db"])
        one_line(result, f"{path}:2: ", "left as it was")
        assert snapshot(out) == before, args


@pytest.mark.parametrize(("where", "field", "value", "message"), [
    ("edges", "confidence", "high", "confidence must be a number, not 'high'"),
    ("nodes", "mentions", "many", "mentions must be an integer, not 'many'"),
    ("nodes", "aliases", "讯飞", "aliases must be a list of strings, not '讯飞'"),
    ("nodes", "type", None, "type must be a string, not None"),
    ("edges", "evidence", {"text": "x"}, "evidence must be a list of objects"),
    ("edges", "head", "nobody", "'nobody' is not an entity of the graph"),
])
def test_a_graph_with_a_field_of_the_wrong_type_is_one_line(out: Path, tmp_path: Path, where: str, field: str,
                                                            value: object, message: str) -> None:
    path = out / "graph.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data[where][0][field] = value
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = snapshot(out)
    for args in (["stats"], ["neighbours", "华为"], ["html", "-o", str(tmp_path / "g.html")],
                 ["export", "-f", "csv", "-o", str(tmp_path / "csv")], ["load"]):
        result = runner.invoke(app, [*args, "--out", str(out)])
        one_line(result, f"{path}: ", message)
    assert snapshot(out) == before


@pytest.mark.parametrize("name", ["extractions.jsonl", "index.sqlite", "graph.json", ".build-id"])
def test_no_other_output_replaces_the_folders_own_files(out: Path, tmp_path: Path, name: str) -> None:
    """kg export (tests/test_export.py), kg html and kg extract never write over a build's state."""
    before = snapshot(out)
    doc = tmp_path / "doc.txt"
    doc.write_text("华为创始人任正非表示。", encoding="utf-8")
    target = out / name
    one_line(runner.invoke(app, ["html", "--out", str(out), "-o", str(target)]), str(target))
    one_line(runner.invoke(app, ["extract", str(doc), "-o", str(target), "-q"]), str(target))
    assert snapshot(out) == before
