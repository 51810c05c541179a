"""``kg export``: GraphML and GEXF read back by networkx, CSV checked against neo4j-admin's header
grammar and read back with the csv module, JSON Lines round trips; on the seed graph, on a hostile
graph (quotes, ``;``, commas, line breaks, markup, control characters, emoji, traditional Chinese),
and on arbitrary text; and every bad input is one line."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.network import build_graph, load_json, save_json, to_json_dict
from kg.io.textsafety import FORMAT_CHARS, visible
from kg.models import Entity, Extraction, Relation
from kg.sinks import export_check
from kg.sinks.base import ExportError
from kg.sinks.export_check import canonical, read_csv_file, sort_csv, xml_records
from kg.sinks.gexf import read_gexf, to_gexf
from kg.sinks.graphml import read_graphml, to_graphml
from kg.sinks.jsonl import read_jsonl, to_jsonl
from kg.sinks.neo4j_csv import NEO4J_CONSTRAINT, to_neo4j_csv

runner = CliRunner()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
KG = [sys.executable, "-c", "from kg.cli import main; main()"]


# --- what each format is documented to do to text -----------------------------------------------------------

def _escape(match: re.Match[str]) -> str:
    cp = ord(match.group())
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


# Written out here rather than imported, so the test checks the documented rule, not the code's.
XML_CANNOT = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
UTF8_CANNOT = re.compile("[\ud800-\udfff]")
#: What a spreadsheet runs as a formula at the start of a cell (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml(text: str | None) -> str | None:
    return None if text is None else XML_CANNOT.sub(_escape, text)


def csv_text(text: str) -> str:
    """A CSV value as documented: what UTF-8 cannot encode and what the terminal would not show as
    it is (controls, bidi and zero-width characters) as escapes, then a leading ' if it begins as a
    spreadsheet formula would."""
    text = visible(UTF8_CANNOT.sub(_escape, text))
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_json(text: str) -> str:
    """A JSON-text CSV value (evidence_ends): the same characters escaped the JSON way (JSON text
    has its C0 controls escaped already)."""
    return re.sub(f"[\x7f-\x9f\ud800-\udfff]|{FORMAT_CHARS.pattern}", lambda m: json.dumps(m.group())[1:-1], text)


def expected_xml(G: nx.MultiDiGraph) -> dict[str, Any]:
    """``to_json_dict(G)`` as it reads back from GraphML/GEXF: plain-text fields XML-escaped."""
    data = to_json_dict(G)
    nodes = [{**n, "name": xml(n["name"]), "type": xml(n["type"]), "english": xml(n["english"])}
             for n in data["nodes"]]
    edges = [{**e, "head": xml(e["head"]), "tail": xml(e["tail"]), "relation": xml(e["relation"])}
             for e in data["edges"]]
    return {**data, "nodes": sorted(nodes, key=lambda n: n["name"]),
            "edges": sorted(edges, key=lambda e: (e["head"], e["relation"], e["tail"]))}


# --- graphs -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of `kg build seeds --no-db`."""
    out = tmp_path_factory.mktemp("export") / "kg-out"
    result = runner.invoke(app, ["build", str(SEEDS), "--out", str(out), "--workers", "1", "--no-db", "--no-html",
                                 "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def seed(seed_out: Path) -> nx.MultiDiGraph:
    return load_json(seed_out / "graph.json")


HOSTILE = {
    "quotes": '他说"你好"，\'再见\'',
    "semicolon": "一是芯片;二是模型;三是生态",
    "comma": "华为, 讯飞, 百度",
    "newline": "第一行\n第二行",
    "crlf": "回车\r\n换行\r结束",
    "markup": "<b>粗体</b> & <script>alert(1)</script> &amp;",
    "controls": "控制\x1b[31m红\x07\x00\x08\x0b\x0c",
    "c1": "C1\x85\x9b字符\x7f",
    "emoji": "表情😀🇨🇳👩‍💻",
    "traditional": "科大訊飛董事長劉慶峰說",
    "bidi": "\u202emoc.live\u202c 零宽\u200b字",
    "separators": "行\u2028分隔\u2029段",
    "nonchars": "非字符\ufffe\uffff",
    "tab": "制表\t符",
    "surrogate": "孤\ud800代理\udfff",
    "backslash": "反斜杠\\x1b 与 \\n",
}


def hostile_graph() -> nx.MultiDiGraph:
    """Every hostile string as a person's name, alias, English name and evidence, each person the
    chairman and founder (two parallel edges) of a company whose name is hostile too."""
    extractions = []
    for i, (what, text) in enumerate(HOSTILE.items()):
        person, company = f"{text}{i}", f"公司{text}"
        evidence = f"{text}，{person}担任{company}董事长。"
        extractions.append(Extraction(
            doc_id=f"doc;{what},\"{i}\"",
            entities=[Entity(name=person, type="Person", aliases=[f"别名{text}", f"alias;{i}"], english=text,
                             mentions=i + 1),
                      Entity(name=company, type="Company")],
            relations=[Relation(head=person, relation=kind, tail=company, evidence=evidence, doc_id=f"doc;{what}",
                                start=i, end=i + len(evidence), confidence=0.9 - i / 100)
                       for kind in ("CHAIRMAN_OF", "FOUNDER_OF")]))
    G = build_graph(extractions)
    assert G.number_of_edges() == 2 * len(HOSTILE)
    return G


GRAPHS = ["seed", "hostile"]


@pytest.fixture(params=GRAPHS)
def graph(request: pytest.FixtureRequest) -> nx.MultiDiGraph:
    return request.getfixturevalue("seed") if request.param == "seed" else hostile_graph()


# --- GraphML and GEXF ---------------------------------------------------------------------------------------

def test_graphml_reads_back_with_networkx(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    export = to_graphml(graph, path)
    assert export.files == [path] and (export.nodes, export.relations) == (len(graph), graph.number_of_edges())
    H = nx.read_graphml(path, force_multigraph=True)
    assert canonical(xml_records(H)) == expected_xml(graph)
    assert len({k for _, _, k in H.edges(keys=True)}) == H.number_of_edges(), "edge ids are unique"
    assert {k: H.graph[k] for k in ("format", "format_version")} == {"format": "kg-graph", "format_version": 1}
    assert canonical(to_json_dict(read_graphml(path))) == expected_xml(graph)
    # without force_multigraph networkx gives a multigraph only when there are parallel edges
    assert isinstance(nx.read_graphml(path), nx.MultiDiGraph) == any(
        graph.number_of_edges(u, v) > 1 for u, v in graph.edges())


def test_gexf_reads_back_with_networkx(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "g.gexf"
    to_gexf(graph, path)
    H = nx.read_gexf(path)
    assert canonical(xml_records(H)) == expected_xml(graph)
    if H.is_multigraph():  # the multigraph keys are the relation types again
        assert all(k == d["relation"] for _, _, k, d in H.edges(keys=True, data=True))
    assert canonical(to_json_dict(read_gexf(path))) == expected_xml(graph)


def test_seed_graph_loses_nothing_in_xml(seed: nx.MultiDiGraph, tmp_path: Path) -> None:
    for write, read, name in ((to_graphml, read_graphml, "g.graphml"), (to_gexf, read_gexf, "g.gexf")):
        export = write(seed, tmp_path / name)
        assert export.escaped == []
        assert to_json_dict(read(tmp_path / name)) == to_json_dict(seed)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "科大讯飞" in text and "刘庆峰" in text, "Chinese text is written as UTF-8, not as character references"


def test_xml_escapes_are_reported(tmp_path: Path) -> None:
    export = to_graphml(hostile_graph(), tmp_path / "g.graphml")
    escaped = {e.value for e in export.escaped}
    for what in ("controls", "crlf", "nonchars", "surrogate"):
        assert f"{HOSTILE[what]}{list(HOSTILE).index(what)}" in escaped, what
    for what in ("emoji", "traditional", "markup", "c1", "bidi", "newline", "tab"):  # XML holds these
        assert not any(HOSTILE[what] in v for v in escaped), what
    assert all(XML_CANNOT.search(e.value) for e in export.escaped)


def test_a_name_that_escaping_would_merge_with_another_is_refused(tmp_path: Path) -> None:
    G = build_graph([Extraction(doc_id="d", entities=[Entity(name="a\x1b", type="Person"),
                                                      Entity(name="a\\x1b", type="Person")])])
    for write in (to_graphml, to_gexf):
        with pytest.raises(ExportError, match="would both be written as"):
            write(G, tmp_path / "g.xml")
    assert not list(tmp_path.iterdir())


# --- CSV for neo4j-admin ------------------------------------------------------------------------------------

def expected_csv(G: nx.MultiDiGraph) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the database holds after `kg load` of ``G``, with what UTF-8 cannot hold escaped."""
    return export_check.expected_csv(G, escape=csv_text, escape_json=csv_json)


@pytest.mark.parametrize(("header", "kind", "message"), [
    (["name:ID", ":LABEL", "mentions:integer"], "nodes", "is not a neo4j-admin header field"),
    (["name:ID", ":LABEL", ":int"], "nodes", "a property needs a name"),
    (["name:ID", "kind:LABEL"], "nodes", "ignores a name here"),
    (["name:ID", "other:ID", ":LABEL"], "nodes", "one :ID and one :LABEL"),
    (["name:ID", ":LABEL", ":TYPE"], "nodes", "relationship columns"),
    ([":START_ID", ":END_ID"], "relationships", "one :START_ID, :END_ID and :TYPE"),
    ([":START_ID", ":END_ID", ":TYPE", "name:ID"], "relationships", "node columns"),
    (["name:ID", ":LABEL", "docs:string[]", "docs"], "nodes", "not unique"),
])
def test_the_header_checker_rejects_what_neo4j_admin_would(header: list[str], kind: str, message: str) -> None:
    with pytest.raises(export_check.ExportCheckError, match=message):
        export_check.check_header(header, kind)


def test_the_xml_checker_rejects_wrong_attribute_types(seed: nx.MultiDiGraph, tmp_path: Path) -> None:
    to_graphml(seed, tmp_path / "g.graphml")
    H = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    u, v, k = next(iter(H.edges(keys=True)))
    H.edges[u, v, k]["confidence"] = str(H.edges[u, v, k]["confidence"])
    with pytest.raises(export_check.ExportCheckError, match="confidence is not a float"):
        xml_records(H)
    name = next(iter(H.nodes))
    H.nodes[name]["mentions"] = 1.0
    with pytest.raises(export_check.ExportCheckError, match="mentions 1.0 is not an int"):
        xml_records(H)


def test_csv_matches_the_header_grammar_and_the_graph(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    export = to_neo4j_csv(graph, tmp_path / "csv")
    assert export.files == [tmp_path / "csv" / "nodes.csv", tmp_path / "csv" / "relationships.csv"]
    nodes = read_csv_file(export.files[0], "nodes", export.array_delimiter)
    relationships = read_csv_file(export.files[1], "relationships", export.array_delimiter)
    assert sort_csv(nodes, relationships) == expected_csv(graph)
    assert {r["START_ID"] for r in relationships} | {r["END_ID"] for r in relationships} <= {n["name"] for n in nodes}


def test_csv_of_the_seeds_needs_no_options(seed: nx.MultiDiGraph, tmp_path: Path) -> None:
    export = to_neo4j_csv(seed, tmp_path)
    assert (export.array_delimiter, export.multiline, export.escaped) == (";", False, [])
    assert export.neo4j_admin_command() == (f"neo4j-admin database import full neo4j --nodes={tmp_path}/nodes.csv "
                                            f"--relationships={tmp_path}/relationships.csv")


def test_csv_of_hostile_text_picks_a_delimiter_and_multiline_fields(tmp_path: Path) -> None:
    export = to_neo4j_csv(hostile_graph(), tmp_path)
    assert export.array_delimiter not in (";", ",", '"')
    assert export.multiline
    command = export.neo4j_admin_command("kg")
    assert f"--array-delimiter=U+{ord(export.array_delimiter):04X}" in command
    assert command.startswith("neo4j-admin database import full kg --nodes=") and "--multiline-fields=true" in command
    assert {e.value for e in export.escaped} >= {f"{HOSTILE['surrogate']}{list(HOSTILE).index('surrogate')}"}


FORMULAS = {"=HYPERLINK(\"http://evil.example\",\"点我\")": "Person", "+1+1": "Company", "-2+3": "Company",
            "@SUM(A1:A9)": "Company", "\tcmd": "Company", "\r=1": "Company",
            "\x1b]8;;http://evil.example\x07链接": "Company", "\u202emoc.live": "Company"}


def test_csv_cells_a_spreadsheet_would_run_or_a_terminal_would_interpret_are_neutralised(tmp_path: Path) -> None:
    """OWASP's rule (a leading =, +, -, @, tab or carriage return gets a '), and control and bidi
    characters as the terminal shows them, in every text cell: names, aliases, English names,
    document ids, evidence."""
    names = list(FORMULAS)
    G = build_graph([Extraction(
        doc_id="=d1", entities=[Entity(name=n, type=t, aliases=["-别名", "=alias"], english="@english")
                                for n, t in FORMULAS.items()],
        relations=[Relation(head=names[0], relation="CHAIRMAN_OF", tail=n, evidence="=cmd|' /C calc'!A0", doc_id="=d1",
                            start=0, end=18, confidence=0.9) for n in names[1:]])])
    export = to_neo4j_csv(G, tmp_path)
    raw = "".join(f.read_text(encoding="utf-8") for f in export.files)
    assert "\x1b" not in raw and "\u202e" not in raw and "\x07" not in raw
    with open(export.files[0], encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    with open(export.files[1], encoding="utf-8", newline="") as fh:
        rows += list(csv.reader(fh))[1:]
    for cell in (cell for row in rows for cell in row):
        assert not cell.startswith(FORMULA_START), cell
    assert {row[0] for row in rows[:len(names)]} == {csv_text(n) for n in names}
    assert "'-2+3" in {row[0] for row in rows} and "\\x1b]8;;http://evil.example\\x07链接" in {row[0] for row in rows}
    assert {e.value for e in export.neutralised} >= {"-2+3", "=d1", "@english"}
    nodes = read_csv_file(export.files[0], "nodes", export.array_delimiter)
    relationships = read_csv_file(export.files[1], "relationships", export.array_delimiter)
    assert sort_csv(nodes, relationships) == expected_csv(G)


def test_the_command_says_what_it_escaped_and_neutralised(tmp_path: Path) -> None:
    out = tmp_path / "kg-out"
    out.mkdir()
    G = build_graph([Extraction(doc_id="d1", entities=[Entity(name=n, type="Company") for n in FORMULAS])])
    save_json(G, out / "graph.json")
    result = runner.invoke(app, ["export", "-f", "csv", "--out", str(out), "-o", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert any("written as escapes" in w and "U+202E" in w for w in warnings), warnings
    assert any(w.startswith("warning: 5 values begin as a spreadsheet formula does") for w in warnings), warnings
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr


def test_csv_array_delimiter_given(tmp_path: Path) -> None:
    G = hostile_graph()
    export = to_neo4j_csv(G, tmp_path, array_delimiter="U+00A6")
    assert export.array_delimiter == "¦"
    assert sorted(read_csv_file(export.files[0], "nodes", "¦"), key=lambda n: n["name"]) == expected_csv(G)[0]
    with pytest.raises(ExportError, match="occurs in the value"):
        to_neo4j_csv(G, tmp_path / "again", array_delimiter=";")
    for bad in (",", '"', "ab", "\n"):
        with pytest.raises(ExportError):
            to_neo4j_csv(G, tmp_path / "again", array_delimiter=bad)
    assert not (tmp_path / "again").exists()


def test_the_printed_constraint_is_the_one_kg_load_creates() -> None:
    from kg.sinks.store.bolt import NEO4J
    from kg.sinks.store.loader import ensure_schema

    class Recorder:
        flavour = NEO4J
        statements: list[str] = []

        def run(self, statement: str, *args: Any, **kwargs: Any) -> None:
            self.statements.append(statement)

    store = Recorder()
    ensure_schema(store)  # type: ignore[arg-type]
    assert NEO4J_CONSTRAINT in store.statements


def test_csv_refuses_types_outside_the_schema(seed: nx.MultiDiGraph, tmp_path: Path) -> None:
    G = seed.copy()
    G.nodes["科大讯飞"]["type"] = "Company`) DETACH DELETE n //"
    with pytest.raises(ExportError, match="not an entity type"):
        to_neo4j_csv(G, tmp_path)
    assert not list(tmp_path.iterdir())


# --- JSON Lines ---------------------------------------------------------------------------------------------

def test_jsonl_round_trip(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    export = to_jsonl(graph, path)
    data = to_json_dict(graph)
    assert (export.nodes, export.relations, export.escaped) == (len(data["nodes"]), len(data["edges"]), [])
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) - 1 == len(text.splitlines()), "no line splitter cuts a record"
    records = [json.loads(line) for line in lines[:-1]]
    assert [r.pop("kind") for r in records] == ["node"] * len(data["nodes"]) + ["relation"] * len(data["edges"])
    assert records == data["nodes"] + data["edges"]
    assert to_json_dict(read_jsonl(path)) == data
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202e]", text.replace("\n", "")), "escaped in JSON"


# --- arbitrary text ----------------------------------------------------------------------------------------

TEXT = st.text(st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\r", "\n", "\x00", "\x1b", ";", ",",
                                                            '"', "\u2028", "\ufffe", "\\", "<", "&", " "])),
               min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(head=TEXT, tail=TEXT, alias=TEXT, english=TEXT, evidence=st.text(max_size=40) | TEXT)
def test_any_text_survives_every_format(head: str, tail: str, alias: str, english: str, evidence: str) -> None:
    G = build_graph([Extraction(
        doc_id="d1", entities=[Entity(name=head, type="Person", aliases=[alias], english=english),
                               Entity(name=tail, type="Company")],
        relations=[Relation(head=head, relation="CHAIRMAN_OF", tail=tail, evidence=evidence, doc_id="d1",
                            start=0, end=len(evidence), confidence=0.7)])])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        to_jsonl(G, folder / "g.jsonl")
        assert to_json_dict(read_jsonl(folder / "g.jsonl")) == to_json_dict(G)
        for write, read in ((to_graphml, read_graphml), (to_gexf, read_gexf)):
            if len(G) == 2 and xml(head) == xml(tail):
                with pytest.raises(ExportError):
                    write(G, folder / "g.xml")
                continue
            write(G, folder / "g.xml")
            assert canonical(to_json_dict(read(folder / "g.xml"))) == expected_xml(G)
        if len(G) == 2 and csv_text(head) == csv_text(tail):
            return
        export = to_neo4j_csv(G, folder / "csv")
        nodes = read_csv_file(export.files[0], "nodes", export.array_delimiter)
        relationships = read_csv_file(export.files[1], "relationships", export.array_delimiter)
        assert sort_csv(nodes, relationships) == expected_csv(G)


# --- the command --------------------------------------------------------------------------------------------

def one_error(result: Any, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "jsonl"])
def test_the_command_writes_each_file_format(seed_out: Path, tmp_path: Path, fmt: str) -> None:
    result = runner.invoke(app, ["export", "--format", fmt, "--out", str(seed_out), "-o", str(tmp_path / f"g.{fmt}")])
    assert result.exit_code == 0, result.output
    G = load_json(seed_out / "graph.json")
    counts = f"{G.number_of_nodes()} entities, {G.number_of_edges()} relations"
    assert result.stdout.startswith(f"wrote {tmp_path / f'g.{fmt}'} (") and counts in result.stdout
    reader = {"graphml": read_graphml, "gexf": read_gexf, "jsonl": read_jsonl}[fmt]
    assert to_json_dict(reader(tmp_path / f"g.{fmt}")) == to_json_dict(load_json(seed_out / "graph.json"))
    # the format from the suffix, and a folder for -o gets graph.FORMAT
    result = runner.invoke(app, ["export", "--out", str(seed_out), "-o", str(tmp_path / f"again.{fmt}")])
    assert result.exit_code == 0 and (tmp_path / f"again.{fmt}").read_bytes() == (tmp_path / f"g.{fmt}").read_bytes()
    result = runner.invoke(app, ["export", "-f", fmt, "--out", str(seed_out), "-o", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / f"graph.{fmt}").exists()


def test_the_command_writes_csv_and_prints_the_import_command(seed_out: Path, tmp_path: Path) -> None:
    folder = tmp_path / "neo4j"
    result = runner.invoke(app, ["export", "--format", "csv", "--out", str(seed_out), "-o", str(folder)])
    assert result.exit_code == 0, result.output
    command = (f"neo4j-admin database import full neo4j --nodes={folder}/nodes.csv "
               f"--relationships={folder}/relationships.csv")
    assert command in result.stdout.splitlines()
    assert read_csv_file(folder / "nodes.csv", "nodes", ";")
    # the default place is a folder in --out
    result = runner.invoke(app, ["export", "--format", "csv", "--out", str(seed_out)])
    assert result.exit_code == 0 and (seed_out / "neo4j-import" / "relationships.csv").exists()


def test_the_command_on_hostile_text(tmp_path: Path) -> None:
    out = tmp_path / "kg-out"
    out.mkdir()
    G = hostile_graph()
    # lone surrogates can only be in graph.json as \u escapes
    (out / "graph.json").write_text(json.dumps(to_json_dict(G)), encoding="utf-8")
    result = runner.invoke(app, ["export", "-f", "graphml", "--out", str(out), "-o", str(tmp_path / "g.graphml")])
    assert result.exit_code == 0, result.output
    warning = result.stderr.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith("warning: ") and "XML 1.0" in warning[0]
    assert "\x1b" not in result.stderr
    assert canonical(to_json_dict(read_graphml(tmp_path / "g.graphml"))) == expected_xml(G)
    result = runner.invoke(app, ["export", "-f", "csv", "--out", str(out), "-o", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    command = [line for line in result.stdout.splitlines() if line.startswith("neo4j-admin ")]
    assert len(command) == 1 and "--array-delimiter=U+007C" in command[0] and "--multiline-fields=true" in command[0]
    assert "contain ';'" in result.stderr
    result = runner.invoke(app, ["export", "-f", "csv", "--out", str(out), "-o", str(tmp_path / "csv2"),
                                 "--array-delimiter", ";"])
    one_error(result, "';' occurs in the value")
    assert not (tmp_path / "csv2").exists()


def test_bad_inputs_are_one_line(seed_out: Path, tmp_path: Path) -> None:
    one_error(runner.invoke(app, ["export", "-f", "xml", "--out", str(seed_out)]), "unknown format 'xml'",
              "graphml, gexf, csv, jsonl")
    one_error(runner.invoke(app, ["export", "--out", str(seed_out), "-o", str(tmp_path / "g.xml")]), "--format")
    one_error(runner.invoke(app, ["export", "-f", "jsonl", "--out", str(tmp_path / "nothing")]),
              "graph.json: no such graph file")
    assert not (tmp_path / "nothing").exists()
    one_error(runner.invoke(app, ["export", "-f", "gexf", "--array-delimiter", "|", "--out", str(seed_out)]),
              "--array-delimiter is for --format csv")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    one_error(runner.invoke(app, ["export", "-f", "csv", "--out", str(seed_out), "-o", str(tmp_path / "file")]),
              "is not a folder")
    one_error(runner.invoke(app, ["export", "-f", "graphml", "--out", str(seed_out),
                                  "-o", str(tmp_path / "file" / "g.graphml")]), "cannot write", "g.graphml: ")
    assert not (seed_out / "graph.xml").exists()


def test_an_output_that_is_the_input_is_refused(seed_out: Path, tmp_path: Path) -> None:
    graph_json = seed_out / "graph.json"
    before = graph_json.read_bytes()
    one_error(runner.invoke(app, ["export", "-f", "jsonl", "--out", str(seed_out), "-o", str(graph_json)]),
              "is also an input")
    link = tmp_path / "link.graphml"
    link.symlink_to(graph_json)
    one_error(runner.invoke(app, ["export", "-f", "graphml", "--out", str(seed_out), "-o", str(link)]),
              "is also an input")
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "relationships.csv").symlink_to(graph_json)
    one_error(runner.invoke(app, ["export", "-f", "csv", "--out", str(seed_out), "-o", str(folder)]),
              "is also an input")
    assert graph_json.read_bytes() == before and not (folder / "nodes.csv").exists()


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".lock"}


@pytest.mark.parametrize(("fmt", "where"), [
    ("jsonl", "extractions.jsonl"), ("graphml", "index.sqlite"), ("gexf", "db/graph.rdb"), ("jsonl", "db/password"),
    ("graphml", ".build-id"), ("csv", "db"), ("csv", "db/sub"), ("jsonl", "../other/extractions.jsonl"),
])
def test_an_output_in_a_folders_own_state_is_refused(seed_out: Path, tmp_path: Path, fmt: str, where: str) -> None:
    """kg's own files (the build's state and the database) are never an export's output: through a
    symlink neither, nor those of another build folder than --out."""
    out = tmp_path / "kg-out"
    shutil.copytree(seed_out, out)
    (out / "db").mkdir()
    (out / "db" / "graph.rdb").write_bytes(b"REDIS0011")
    (out / "db" / "password").write_text("secret\n", encoding="utf-8")
    shutil.copytree(seed_out, tmp_path / "other")
    before = {name: folder_bytes(tmp_path / name) for name in ("kg-out", "other")}
    target = out / where
    one_error(runner.invoke(app, ["export", "-f", fmt, "--out", str(out), "-o", str(target)]),
              f"{target}", "write the export elsewhere")
    link = tmp_path / f"link.{fmt}"
    link.symlink_to(target)
    one_error(runner.invoke(app, ["export", "-f", fmt, "--out", str(out), "-o", str(link)]),
              "write the export elsewhere")
    assert {name: folder_bytes(tmp_path / name) for name in ("kg-out", "other")} == before


def test_a_symlinked_output_keeps_its_link(seed_out: Path, tmp_path: Path) -> None:
    target = tmp_path / "real.gexf"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.gexf"
    link.symlink_to(target)
    assert runner.invoke(app, ["export", "--out", str(seed_out), "-o", str(link)]).exit_code == 0
    nodes = load_json(seed_out / "graph.json").number_of_nodes()
    assert link.is_symlink() and nx.read_gexf(target).number_of_nodes() == nodes


def test_jsonl_to_a_pipe_is_the_data_alone(seed_out: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = runner.invoke(app, ["export", "-f", "jsonl", "--out", str(seed_out), "-o", str(fifo)])
    reader.join(timeout=60)
    assert result.exit_code == 0, result.output
    G = load_json(seed_out / "graph.json")
    assert result.stdout == "" and result.stderr.startswith(f"wrote {fifo} (JSON Lines: {G.number_of_nodes()} entities")
    assert len(got[0].decode("utf-8").splitlines()) == G.number_of_nodes() + G.number_of_edges()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["graphml", "gexf", "jsonl"])
def test_a_full_device(seed_out: Path, fmt: str) -> None:
    one_error(runner.invoke(app, ["export", "-f", fmt, "--out", str(seed_out), "-o", "/dev/full"]),
              "cannot write /dev/full: no space left on device")


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
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_leaves_the_csv_folder_as_it_was(tmp_path: Path, small_disk: Path) -> None:
    out = tmp_path / "kg-out"
    people = [Entity(name=f"人物{i}", type="Person") for i in range(600)]
    companies = [Entity(name=f"公司{i}", type="Company") for i in range(600)]
    relations = [Relation(head=p.name, relation="CHAIRMAN_OF", tail=c.name, doc_id="d", start=0, end=1,
                          evidence=f"{c.name}董事长{p.name}表示。" * 20)
                 for p, c in zip(people, companies, strict=True)]
    G = build_graph([Extraction(doc_id="d", entities=people + companies, relations=relations)])
    save_json(G, out / "graph.json")  # about 600 kB of CSV: more than the disk holds
    folder = small_disk / "csv"
    folder.mkdir()
    for name in ("nodes.csv", "relationships.csv"):
        (folder / name).write_text("old\n", encoding="utf-8")
    result = runner.invoke(app, ["export", "-f", "csv", "--out", str(out), "-o", str(folder)])
    one_error(result, "no space left on device")
    assert sorted(p.name for p in folder.iterdir()) == ["nodes.csv", "relationships.csv"]
    assert all((folder / name).read_text(encoding="utf-8") == "old\n" for name in ("nodes.csv", "relationships.csv"))


def test_a_folder_that_cannot_be_written() -> None:
    _requirement(os.geteuid() == 0 and shutil.which("setpriv") is not None, "needs root (to drop to nobody)")
    shared = Path(tempfile.mkdtemp(prefix="kg-export-"))
    try:
        shared.chmod(0o755)
        out = shared / "kg-out"
        save_json(hostile_graph().subgraph([]), out / "graph.json")
        (out / "graph.json").chmod(0o644)
        locked = shared / "locked"
        locked.mkdir(mode=0o755)  # root's: nobody may read it, not write into it
        done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *KG, "export",
                               "-f", "graphml", "--out", str(out), "-o", str(locked / "g.graphml")],
                              capture_output=True, text=True, timeout=120, cwd=shared,
                              env=dict(os.environ, HOME=str(shared)))
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == f"error: cannot write {locked / 'g.graphml'}: permission denied"
        assert not list(locked.iterdir())
    finally:
        shutil.rmtree(shared, ignore_errors=True)
