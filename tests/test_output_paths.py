"""kg creates no folder to put an output in: an output file's folder must exist (a symlink's target's
folder too), and ``--out`` is made only if the folder above it exists. Otherwise one line, exit 2,
nothing created anywhere (as root, a dangling link to /nonexistent/x once made /nonexistent)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.network import build_graph, save_json
from kg.io.outputs import OutputError, replacing
from kg.models import Entity, Extraction

runner = CliRunner()


@pytest.fixture
def nowhere() -> Iterator[Path]:
    """A folder at the root of the file system that does not exist (and is removed if kg makes it)."""
    path = Path("/") / f"kg-nonexistent-{uuid.uuid4().hex[:8]}"
    yield path
    if path.exists():
        shutil.rmtree(path)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "kg-out"
    folder.mkdir()
    save_json(build_graph([Extraction(doc_id="d", entities=[Entity(name="华为", type="Company")])]),
              folder / "graph.json")
    return folder


def one_line(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def commands(link: Path, out: Path, doc: Path) -> list[list[str]]:
    return [["extract", str(doc), "-o", str(link), "-q"],
            ["export", "-f", "jsonl", "--out", str(out), "-o", str(link)],
            ["export", "-f", "csv", "--out", str(out), "-o", str(link)],
            ["html", "--out", str(out), "-o", str(link)]]


def test_a_dangling_link_to_a_missing_folder_creates_nothing(tmp_path: Path, out: Path, nowhere: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("华为创始人任正非表示。", encoding="utf-8")
    link = tmp_path / "link"
    link.symlink_to(nowhere / "x")
    for args in commands(link, out, doc):
        one_line(runner.invoke(app, args), str(link), "does not exist")
        assert not nowhere.exists(), args
        assert link.is_symlink()


def test_an_output_in_a_missing_folder_creates_nothing(tmp_path: Path, out: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("华为创始人任正非表示。", encoding="utf-8")
    missing = tmp_path / "missing"
    for args in commands(missing / "sub" / "x.out", out, doc):
        one_line(runner.invoke(app, args), f"{missing / 'sub'} does not exist")
        assert not missing.exists(), args


def test_out_is_made_but_not_the_folders_above_it(tmp_path: Path, nowhere: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("华为创始人任正非表示。", encoding="utf-8")
    one_line(runner.invoke(app, ["build", str(doc), "--out", str(nowhere / "kg-out"), "--no-db", "-q"]),
             f"{nowhere} does not exist")
    assert not nowhere.exists()
    result = runner.invoke(app, ["build", str(doc), "--out", str(tmp_path / "new"), "--no-db", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "graph.json").exists()


def test_replacing_never_makes_the_folder_of_a_links_target(tmp_path: Path, nowhere: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(nowhere / "x")
    with pytest.raises(OutputError, match="does not exist"), replacing(link) as fh:
        fh.write("x")
    assert not nowhere.exists()
