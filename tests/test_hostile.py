"""Hostile and careless input, as a careful user and an attacker would try it (issue 13's table).

Every printing command shows text from documents as plain text: no markup, no terminal control
sequences, no bidi or zero-width tricks; outputs never destroy inputs; odd parameters keep their
meaning."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.network import build_graph, load_json, save_json
from kg.io.textsafety import visible
from kg.models import Entity, Extraction, Relation

runner = CliRunner()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
INVISIBLE = ["\x1b", "\x07", "\x9b", "\u202e", "\u202d", "\u2066", "\u200b", "\u200f", "\ufeff"]


def graph_folder(tmp: Path, head: str, tail: str, evidence: str) -> Path:
    """An output folder whose graph has ``head -CHAIRMAN_OF-> tail`` stated by ``evidence``."""
    ex = Extraction(doc_id="d1", entities=[Entity(name=head, type="Person"), Entity(name=tail, type="Company")],
                    relations=[Relation(head=head, relation="CHAIRMAN_OF", tail=tail, evidence=evidence,
                                        doc_id="d1", start=0, end=len(evidence))])
    out = tmp / "kg-out"
    save_json(build_graph([ex]), out / "graph.json")
    return out


def page_data(page: Path) -> str:
    """The data the page was given (its JSON script blocks), not the page's own scripts."""
    text = page.read_text(encoding="utf-8")
    return "".join(text[text.index(">", i) + 1:text.index("</script>", i)]
                   for i in [text.index(f'id="kg-{n}"') for n in ("vis-nodes", "vis-edges", "data")])


def assert_plain(output: str) -> None:
    for ch in INVISIBLE:
        assert ch not in output, f"{ch!r} reached the terminal"


# --- markup, links and control sequences ---------------------------------------------------------------

@pytest.mark.parametrize("evidence", ["刘庆峰说[/]好", "[url=http://evil.example]官网[/url]",
                                      "[link=https://evil.example]官网[/link]",
                                      "\x1b]8;;https://evil.example\x07点我\x1b]8;;\x07", "\x1b[2J\x1b[31m红字"])
def test_evidence_is_printed_as_written(tmp_path: Path, evidence: str) -> None:
    out = graph_folder(tmp_path, "刘庆峰", "科大讯飞", evidence)
    for args in (["neighbours", "刘庆峰"], ["path", "刘庆峰", "科大讯飞"]):
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert_plain(result.output)
        assert visible(evidence)[:20] in result.output.replace("\n", "").replace("│", "")
    result = runner.invoke(app, ["neighbours", "刘庆峰", "--json", "--out", str(out)])
    assert_plain(result.output)
    assert json.loads(result.output)["neighbours"][0]["evidence"][0]["text"] == evidence  # the data, verbatim


def test_an_entity_named_like_markup_is_shown_and_found_by_that_name(tmp_path: Path) -> None:
    out = graph_folder(tmp_path, "[bold]粗[/bold]", "科大讯飞", "[bold]粗[/bold]是科大讯飞董事长")
    shown = runner.invoke(app, ["neighbours", "科大讯飞", "--out", str(out)])
    assert shown.exit_code == 0 and "[bold]粗[/bold]" in shown.output
    found = runner.invoke(app, ["neighbours", "[bold]粗[/bold]", "--out", str(out), "--json"])
    assert found.exit_code == 0 and json.loads(found.output)["entity"] == "[bold]粗[/bold]"


def test_a_file_name_with_markup_in_a_warning(tmp_path: Path) -> None:
    bad = tmp_path / "[red]x[reverse].txt"
    bad.write_bytes(b"\xff\xfe")
    result = runner.invoke(app, ["extract", str(bad), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2 and "[red]x[reverse].txt" in result.output


text_from_documents = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(head=text_from_documents, tail=text_from_documents, evidence=text_from_documents)
def test_any_text_prints_plainly_through_every_command(tmp_path_factory: pytest.TempPathFactory, head: str,
                                                         tail: str, evidence: str) -> None:
    if head.strip() == tail.strip() or not head.strip() or not tail.strip():
        return
    out = graph_folder(tmp_path_factory.mktemp("h"), head, tail, evidence)
    for args in (["neighbours", head], ["neighbours", tail, "--depth", "2"], ["path", head, tail], ["stats"],
                 ["neighbours", head, "--json"], ["path", head, tail, "--json"], ["stats", "--json"]):
        result = runner.invoke(app, [*args, "--out", str(out)])
        assert result.exit_code in (0, 2), (args, result.output)  # 2: a name made only of blanks
        assert_plain(result.output)
        if result.exit_code == 0 and "--json" in args:
            json.loads(result.output)  # still valid JSON, the same data once parsed
    page = runner.invoke(app, ["html", "--out", str(out)])
    assert page.exit_code == 0, page.output
    assert_plain(page_data(out / "graph.html"))


# --- lookalike names --------------------------------------------------------------------------------------

def test_zero_width_and_bidi_characters_do_not_make_new_nodes(tmp_path: Path) -> None:
    doc = tmp_path / "in.jsonl"
    lines = ["科大讯飞董事长刘庆峰表示，公司与华为合作。", "科大\u200b讯飞与华为合作。",
             "科大讯\u202e飞与华\u2066为合作。"]
    doc.write_text("\n".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False)
                             for i, t in enumerate(lines)) + "\n", encoding="utf-8")
    out = tmp_path / "kg-out"
    result = runner.invoke(app, ["build", str(doc), "--out", str(out), "--no-db", "-q"])
    assert result.exit_code == 0, result.output
    G = load_json(out / "graph.json")
    companies = sorted(n for n, d in G.nodes(data=True) if d["type"] == "Company")
    assert companies == ["华为", "科大讯飞"]
    assert not any(ch in a for ch in INVISIBLE for n in G for a in G.nodes[n]["aliases"])
    assert_plain(page_data(out / "graph.html"))


# --- outputs never destroy inputs ------------------------------------------------------------------------

def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "科大讯飞董事长刘庆峰表示。"}\n', encoding="utf-8")
    before = corpus.read_bytes()
    for out in (corpus, tmp_path / "." / "corpus.jsonl"):
        result = runner.invoke(app, ["extract", str(corpus), "-o", str(out)])
        assert result.exit_code == 2 and "is also an input" in result.output
    link = tmp_path / "link.jsonl"
    link.symlink_to(corpus)
    assert runner.invoke(app, ["extract", str(corpus), "-o", str(link)]).exit_code == 2
    assert corpus.read_bytes() == before
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("科大讯飞董事长刘庆峰表示。", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(folder), "-o", str(folder / "out.jsonl")])
    assert result.exit_code == 2 and "inside the input folder" in result.output
    result = runner.invoke(app, ["build", str(tmp_path / "kg-out" / "graph.json"), "--out", str(tmp_path / "kg-out")])
    assert result.exit_code in (1, 2)


def test_a_symlinked_output_keeps_its_link(tmp_path: Path) -> None:
    target = tmp_path / "real.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    result = runner.invoke(app, ["extract", str(SEEDS), "-o", str(link), "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(target.read_text(encoding="utf-8").splitlines()) == 5


def test_a_fifo_output_is_written_through(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = runner.invoke(app, ["extract", str(SEEDS), "-o", str(fifo), "-q", "-w", "1"])
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert len(got[0].decode("utf-8").splitlines()) == 5


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_output_stays_a_device(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the same device as /dev/null
    result = runner.invoke(app, ["extract", str(SEEDS), "-o", str(null), "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(null).st_mode)


# --- duplicate ids ------------------------------------------------------------------------------------------

def test_duplicate_ids_warn_and_stay_distinct(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("科大讯飞董事长刘庆峰表示。", encoding="utf-8")
    (folder / "a.md").write_text("华为创始人任正非表示。", encoding="utf-8")
    (folder / "b.jsonl").write_text('{"id": "x", "text": "百度发布文心一言。"}\n'
                                    '{"id": "x", "text": "阿里云推出通义千问。"}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    ids = [json.loads(line)["doc_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == ["a", "a#2", "x", "x#2"]
    assert result.output.count("was already used by") == 2


# --- queries -----------------------------------------------------------------------------------------------

@pytest.mark.db
def test_query_reads_unless_write_is_given(tmp_path: Path) -> None:
    out = tmp_path / "kg-out"
    assert runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--no-html", "-q", "-w", "1"]).exit_code == 0
    for statement in ("MATCH (n) DETACH DELETE n", "CREATE (:Entity {name: 'x'})", "MATCH (n) SET n.x = 1",
                      "MATCH (n) REMOVE n:Company", "MERGE (n:Entity {name: 'y'})",
                      "CALL db.idx.fulltext.createNodeIndex('Entity', 'name')"):
        result = runner.invoke(app, ["query", statement, "--out", str(out)])
        assert result.exit_code == 2 and "--write" in result.output, statement
    counted = runner.invoke(app, ["query", "MATCH (n:Entity) RETURN count(n) AS set", "--out", str(out), "--json"])
    nodes = len(json.loads((out / "graph.json").read_text(encoding="utf-8"))["nodes"])
    assert json.loads(counted.output) == [{"set": nodes}]
    wrote = runner.invoke(app, ["query", "CREATE (:Entity:Company {name: 'z'})", "--write", "--out", str(out)])
    assert wrote.exit_code == 0 and "differs from" in wrote.output


@pytest.mark.db
def test_param_text_stays_text_and_json_is_typed(tmp_path: Path) -> None:
    out = tmp_path / "kg-out"
    args = ["query", "RETURN $s AS s, $n AS n", "--out", str(out), "--json"]
    result = runner.invoke(app, [*args, "-p", "s=007", "-p", "n:=7"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"s": "007", "n": 7}]
    result = runner.invoke(app, [*args, "-p", "s=x", "-p", "n:=123456789012345678901234"])
    assert result.exit_code == 2 and "64-bit" in result.output
    result = runner.invoke(app, [*args, "-p", "s=123456789012345678901234", "-p", "n:=[1, 2]"])
    assert json.loads(result.output) == [{"s": "123456789012345678901234", "n": [1, 2]}]


# --- paths ---------------------------------------------------------------------------------------------------

def test_path_to_the_same_entity_and_no_path(tmp_path: Path) -> None:
    out = graph_folder(tmp_path, "刘庆峰", "科大讯飞", "科大讯飞董事长刘庆峰")
    G = load_json(out / "graph.json")
    G.add_node("华为", type="Company", aliases=[], english=None, mentions=1, docs=["d2"])
    save_json(G, out / "graph.json")
    same = runner.invoke(app, ["path", "科大讯飞", "科大訊飛", "--out", str(out)])
    assert same.exit_code == 0 and "one entity" in same.output
    for extra in ([], ["--json"]):
        none = runner.invoke(app, ["path", "刘庆峰", "华为", "--out", str(out), *extra])
        assert none.exit_code == 1, extra
    assert json.loads(runner.invoke(app, ["path", "刘庆峰", "华为", "--out", str(out), "--json"]).output) == []


# --- a build's files ------------------------------------------------------------------------------------------

def test_no_html_removes_the_old_page_and_modes_follow_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "kg-out"
    old = os.umask(0o027)
    try:
        first = runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--no-db", "-q", "-w", "1"])
        assert first.exit_code == 0, first.output
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in out.glob("*.*") if not p.name.startswith(".")}
        assert modes == {"graph.json": 0o640, "extractions.jsonl": 0o640, "graph.html": 0o640, "index.sqlite": 0o640}
        again = runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--no-db", "--no-html", "-q", "-w", "1"])
    finally:
        os.umask(old)
    assert again.exit_code == 0, again.output
    assert not (out / "graph.html").exists()
    assert stat.S_IMODE((out / "graph.json").stat().st_mode) == 0o640
    assert not list(out.glob(".staging-*")) and not list(out.glob(".*.tmp"))
