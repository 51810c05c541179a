"""The user steers: kg merge, kg rename, kg forget write OUT/kg-curation.toml and rebuild what
depends on it; kg build (--add, --curation), kg remove and kg extract read it; errors are one line
and leave everything as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.network import load_json

runner = CliRunner()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ALL = sorted(SEEDS.glob("*.txt"))


def kg(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def build(out: Path, *paths: Path, extra: tuple[str, ...] = ()) -> None:
    code, output = kg("build", *map(str, paths or (SEEDS,)), "-o", str(out), "-q", "-w", "1", "--no-db", *extra)
    assert code == 0, output


def folder(tmp: Path, name: str, files: list[Path]) -> Path:
    d = tmp / name
    d.mkdir()
    for f in files:
        shutil.copy(f, d / f.name)
    return d


def digests(out: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir()) if p.is_file()
            and not p.name.startswith(".")}


def nodes(out: Path) -> dict[str, dict]:
    G = load_json(out / "graph.json")
    return {n: d for n, d in G.nodes(data=True)}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("curate") / "kg-out"
    build(out)
    return out


@pytest.fixture
def out(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "kg-out"
    shutil.copytree(built, copy)
    return copy


def test_merge_rename_forget_write_the_file_and_rebuild_without_extracting(out):
    before = nodes(out)
    assert "华为" in before and "科大讯飞" in before and "刘庆峰" in before
    extractions = (out / "extractions.jsonl").read_bytes()

    code, output = kg("merge", "科大讯飞", "華為", "-o", str(out), "--no-db")
    assert code == 0 and "curated" in output
    after = nodes(out)
    assert "华为" not in after and "华为" in after["科大讯飞"]["aliases"]
    assert set(after["科大讯飞"]["docs"]) == set(before["科大讯飞"]["docs"]) | set(before["华为"]["docs"])

    assert kg("rename", "iFlytek", "讯飞集团", "-o", str(out), "--no-db")[0] == 0
    assert "讯飞集团" in nodes(out) and "科大讯飞" not in nodes(out)

    assert kg("forget", "劉慶峰", "-o", str(out), "--no-db")[0] == 0
    assert "刘庆峰" not in nodes(out)

    text = (out / "kg-curation.toml").read_text(encoding="utf-8")
    assert text.count("\n[[merge]]\n") == text.count("\n[[rename]]\n") == text.count("\n[[never]]\n") == 1
    assert (out / "extractions.jsonl").read_bytes() == extractions  # the extractor's output, untouched
    # the index and the exports answer from the curated graph
    code, output = kg("neighbours", "华为", "-o", str(out))
    assert code == 0 and "讯飞集团" in output
    code, output = kg("export", "-f", "jsonl", "-o", str(out / "g.jsonl"), "--out", str(out))
    exported = {json.loads(line)["name"] for line in (out / "g.jsonl").read_text(encoding="utf-8").splitlines()
                if json.loads(line)["kind"] == "node"}
    assert "讯飞集团" in exported and "刘庆峰" not in exported and "华为" not in exported


@pytest.mark.parametrize("args,message", [
    (("merge", "科大讯飞", "不存在的公司"), "no entity named '不存在的公司' in the graph"),
    (("rename", "科大讯飞", "华为"),
     "'华为' is already the entity 华为; to make them one, use `kg merge 华为 科大讯飞`"),
    (("forget", "nobody-at-all"), "no entity named 'nobody-at-all'"),
    (("rename", "科大讯飞", "  "), "the new name is empty"),
])
def test_a_bad_name_is_one_line_and_changes_nothing(out, args, message):
    before = digests(out)
    code, output = kg(*args, "-o", str(out), "--no-db")
    assert code == 2 and message in output
    assert len(output.strip().splitlines()) == 1 and output.startswith("error:")
    assert digests(out) == before and not (out / "kg-curation.toml").exists()


def test_several_names_at_once(out):
    assert kg("forget", "李笛", "董温淑", "-o", str(out), "--no-db")[0] == 0
    assert kg("merge", "ChatGPT", "GPT-4", "GPT-4o", "-o", str(out), "--no-db")[0] == 0
    after = nodes(out)
    assert "李笛" not in after and "董温淑" not in after and "GPT-4" not in after and "GPT-4o" not in after
    assert {"GPT-4", "GPT-4o"} <= set(after["ChatGPT"]["aliases"])
    text = (out / "kg-curation.toml").read_text(encoding="utf-8")
    assert 'names = ["李笛", "董温淑"]' in text and 'names = ["ChatGPT", "GPT-4", "GPT-4o"]' in text


def test_what_is_already_so_changes_nothing(out):
    before = digests(out)
    code, output = kg("merge", "科大讯飞", "iFlytek", "-o", str(out), "--no-db")
    assert code == 0 and "already one entity" in output and digests(out) == before


def test_a_broken_curation_file_is_one_line_naming_its_line_and_nothing_changes(out):
    (out / "kg-curation.toml").write_text('[[merge]]\nnames = ["a", "b"]\n\n[[type]]\nnames = ["a"]\ntype = "Boat"\n',
                                          encoding="utf-8")
    before = digests(out)
    for args in (("merge", "科大讯飞", "华为"), ("build", str(SEEDS), "-q", "-w", "1"), ("remove", "x"),
                 ("build", "--add", str(ALL[0]), "-q", "-w", "1")):
        code, output = kg(*args, "-o", str(out), "--no-db")
        assert code != 0, args
        assert f"{out / 'kg-curation.toml'}:4: unknown entity type 'Boat'" in output
        assert len(output.strip().splitlines()) == 1
        assert digests(out) == before


def test_a_curation_given_to_build_is_copied_in_and_a_bad_one_refused(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('[[never]]\nnames = ["刘庆峰"]\n', encoding="utf-8")
    out = tmp_path / "kg-out"
    build(out, extra=("--curation", str(mine)))
    assert (out / "kg-curation.toml").read_text(encoding="utf-8") == mine.read_text(encoding="utf-8")
    assert "刘庆峰" not in nodes(out)
    mine.write_text('[[never]\n', encoding="utf-8")
    code, output = kg("build", str(SEEDS), "-o", str(out), "-q", "--no-db", "--curation", str(mine))
    assert code == 2 and f"{mine}:1:" in output and "刘庆峰" not in nodes(out)
    code, output = kg("build", str(SEEDS), "-o", str(out), "-q", "--no-db", "--curation", str(tmp_path / "no.toml"))
    assert code == 2 and "no such file" in output


def test_round_trips_through_add_and_remove_keep_the_curation(tmp_path):
    first, rest = ALL[:3], ALL[3:]
    out = tmp_path / "kg-out"
    build(out, folder(tmp_path, "first", first))
    assert kg("merge", "科大讯飞", "华为", "-o", str(out), "--no-db")[0] == 0
    curation = (out / "kg-curation.toml").read_text(encoding="utf-8")
    build(out, folder(tmp_path, "rest", rest), extra=("--add",))
    assert (out / "kg-curation.toml").read_text(encoding="utf-8") == curation
    assert "华为" not in nodes(out) and "华为" in nodes(out)["科大讯飞"]["aliases"]
    assert kg("remove", ALL[0].stem, "-o", str(out), "--no-db")[0] == 0
    assert (out / "kg-curation.toml").read_text(encoding="utf-8") == curation
    # the same as a full build of the same documents with the same curation
    full = tmp_path / "full"
    (tmp_path / "c.toml").write_text(curation, encoding="utf-8")
    build(full, folder(tmp_path, "same", ALL[1:]), extra=("--curation", str(tmp_path / "c.toml")))
    a, b = nodes(out), nodes(full)
    assert set(a) == set(b)
    assert all(sorted(a[n]["docs"]) == sorted(b[n]["docs"]) and a[n]["type"] == b[n]["type"] for n in a)
    # and a full build without --curation keeps the folder's own
    build(out, folder(tmp_path, "again", ALL[1:]))
    assert (out / "kg-curation.toml").read_text(encoding="utf-8") == curation and "华为" not in nodes(out)


def test_extract_applies_a_curation_file(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('[[merge]]\nnames = ["科大讯飞", "华为"]\n\n[[never]]\nnames = ["刘庆峰"]\n', encoding="utf-8")
    code, output = kg("extract", str(SEEDS), "-o", str(tmp_path / "x.jsonl"), "-q", "-w", "1", "--curation", str(mine))
    assert code == 0, output
    for line in (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines():
        names = {e["name"] for e in json.loads(line)["entities"]}
        assert "华为" not in names and "刘庆峰" not in names
    mine.write_text('[[merge]]\nnames = ["a"]\n', encoding="utf-8")
    code, output = kg("extract", str(SEEDS), "-o", str(tmp_path / "y.jsonl"), "-q", "--curation", str(mine))
    assert code == 2 and f"{mine}:1: [[merge]] needs at least 2 different names" in output
    assert not (tmp_path / "y.jsonl").exists()


def test_the_curation_commands_need_a_build(tmp_path):
    code, output = kg("forget", "华为", "-o", str(tmp_path / "none"))
    assert code == 2 and "no graph in" in output and not (tmp_path / "none").exists()


@pytest.mark.db
def test_the_database_follows_the_curation(tmp_path):
    from kg.sinks.store.connect import open_store

    def stored(folder: Path) -> list[tuple[str, str]]:
        with open_store(data_dir=folder / "db") as store:
            rows = store.run("MATCH (n:Entity) RETURN n.name AS n, n.type AS t").records
            return sorted((r["n"], r["t"]) for r in rows)

    out = tmp_path / "kg-out"
    code, output = kg("build", str(folder(tmp_path, "first", ALL[:3])), "-o", str(out), "-q", "-w", "1", "--no-html")
    assert code == 0, output
    assert kg("merge", "科大讯飞", "华为", "-o", str(out))[0] == 0
    assert kg("forget", "刘庆峰", "-o", str(out))[0] == 0
    names = [n for n, _ in stored(out)]
    assert "科大讯飞" in names and "华为" not in names and "刘庆峰" not in names
    code, output = kg("build", "--add", str(folder(tmp_path, "rest", ALL[3:])), "-o", str(out), "-q", "-w", "1")
    assert code == 0, output
    assert sorted(nodes(out)) == [n for n, _ in stored(out)]


@pytest.mark.db
def test_a_node_new_documents_rename_is_renamed_in_the_database(tmp_path):
    """--add merges only the new part into the database, unless linking renamed or joined a stored
    node: then the database is loaded whole, so no node of the old name is left behind."""
    from kg.sinks.store.connect import open_store

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "d1.txt").write_text("科大讯飞发布了星火V3.0，性能大幅提升。\n", encoding="utf-8")
    (tmp_path / "b" / "d2.txt").write_text("科大讯飞发布了星火3.0，性能大幅提升。\n", encoding="utf-8")
    (tmp_path / "b" / "d3.txt").write_text("星火3.0在多项测试中表现出色。\n", encoding="utf-8")
    out = tmp_path / "kg-out"
    for args in ((str(tmp_path / "a"),), ("--add", str(tmp_path / "b"))):
        code, output = kg("build", *args, "-o", str(out), "-q", "-w", "1", "--no-html")
        assert code == 0, output
    with open_store(data_dir=out / "db") as store:
        stored = sorted(r["n"] for r in store.run("MATCH (n:Entity) RETURN n.name AS n").records)
    assert stored == sorted(nodes(out)) and "星火3.0" in stored and "星火V3.0" not in stored
