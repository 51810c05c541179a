"""The curation file (kg.graph.curation): what it says, one-line errors naming the line, writing it back,
and how it changes a document's extraction and the graph."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.graph.curation import Curation, CurationError
from kg.graph.network import build_graph
from kg.models import Entity, Extraction, Relation


def doc(doc_id: str, entities: list[tuple[str, str]], relations: list[tuple[str, str, str]] = ()) -> Extraction:
    return Extraction(doc_id=doc_id, entities=[Entity(name=n, type=t, mentions=1) for n, t in entities],
                      relations=[Relation(head=h, relation=r, tail=t, evidence=h + t, doc_id=doc_id, start=0,
                                          end=len(h + t)) for h, r, t in relations])


FILE = '''# my corrections
[[merge]]
names = ["宁德时代", "CATL"]

[[split]]
names = ["麒麟", "麒麟电池"]

[[split]]
name = "麒麟"
docs = ["catl-2024"]
as = "麒麟电池"

[[never]]
names = ["超长文", "华为轮值"]

[[type]]
names = ["麒麟电池"]
type = "Product"

[[rename]]
from = "混元"
to = "腾讯混元"
'''


def test_every_kind_of_block_is_read():
    c = Curation.parse(FILE)
    assert c.merges == [["宁德时代", "CATL"]]
    assert ("麒麟", "麒麟电池") in c.apart and ("麒麟电池", "麒麟") in c.apart
    assert c.split_docs == [("麒麟", ["catl-2024"], "麒麟电池")]
    assert c.never == ["超长文", "华为轮值"] and c.forgets("華為輪值")
    assert c.types == {"麒麟电池": "Product"} and c.renames == {"混元": "腾讯混元"}


@pytest.mark.parametrize("text,where,reason", [
    ('[[merge]]\nnames = ["a", "b"\n', 2, "unclosed array"),
    ("[[merge]]\nnames = [\"a\", \"b\"]\n\n[[group]]\nnames = [\"x\"]\n", 4, "unknown section 'group'"),
    ('[[merge]]\nnames = ["a"]\n', 1, "at least 2 different names"),
    ('[[merge]]\nnames = ["a", "b"]\n[[merge]]\nnames = "c"\n', 3, "needs names"),
    ('[[type]]\nnames = ["a"]\ntype = "Battery"\n', 1, "unknown entity type 'Battery'"),
    ('[[rename]]\nfrom = "a"\n', 1, "needs to"),
    ('[[split]]\nname = "a"\nas = "b"\n', 1, "needs docs"),
    ('[[never]]\nnames = ["a"]\nwhy = "junk"\n', 1, "no key 'why'"),
    ('merge = ["a", "b"]\n', 1, "must be written [[merge]]"),
])
def test_a_bad_file_is_one_line_naming_the_line(text, where, reason):
    with pytest.raises(CurationError) as caught:
        Curation.parse(text, "kg-out/kg-curation.toml")
    message = str(caught.value)
    assert message.startswith(f"kg-out/kg-curation.toml:{where}: ") and reason in message
    assert "\n" not in message


def test_an_unreadable_file_is_one_line(tmp_path):
    path = tmp_path / "kg-curation.toml"
    path.write_bytes(b"[[never]]\nnames = [\"\xff\"]\n")
    with pytest.raises(CurationError, match=r"kg-curation.toml: not UTF-8"):
        Curation.read(path)
    assert not Curation.read(tmp_path / "missing.toml")


def test_a_block_is_appended_and_the_rest_kept_as_written():
    c = Curation.parse(FILE).with_block("never", names=["雷军一"])
    assert c.text.startswith(FILE) and c.never[-1] == "雷军一"
    fresh = Curation().with_block("merge", names=["A", "B"])
    assert fresh.text.startswith("# kg-curation.toml") and fresh.merges == [["A", "B"]]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12).filter(lambda s: s.strip()), min_size=2, max_size=3, unique=True))
def test_any_name_survives_being_written_and_read(names):
    c = Curation().with_block("merge", names=names).with_block("rename", **{"from": names[0], "to": names[1]})
    again = Curation.parse(c.text)
    assert again.merges == [list(dict.fromkeys(n.strip() for n in names))]
    tomllib.loads(c.text)  # valid TOML whatever the names hold


def test_a_document_as_the_curation_has_it():
    c = Curation.parse(FILE)
    ex = doc("catl-2024", [("宁德时代", "Company"), ("CATL", "Company"), ("麒麟", "Chip"), ("超长文", "Person"),
                           ("混元", "AIModel")],
             [("宁德时代", "DEVELOPS", "麒麟"), ("CATL", "PARTNERS_WITH", "宁德时代"),
              ("超长文", "FOUNDER_OF", "CATL")])
    out = c.apply(ex)
    assert sorted((e.name, str(e.type)) for e in out.entities) == [
        ("宁德时代", "Company"), ("腾讯混元", "AIModel"), ("麒麟电池", "Product")]
    catl = next(e for e in out.entities if e.name == "宁德时代")
    assert "CATL" in catl.aliases and catl.merged_from[-1].rule == "curation"
    assert [(r.head, r.relation, r.tail) for r in out.relations] == [("宁德时代", "DEVELOPS", "麒麟电池")]
    assert c.apply(doc("other", [("麒麟", "Chip")])).entities[0].name == "麒麟"  # the split is for catl-2024 only
    assert ex.entities[0].name == "宁德时代" and len(ex.entities) == 5  # the input is not changed


def test_the_graph_as_the_curation_has_it():
    exs = [doc("huawei", [("华为", "Company"), ("麒麟", "Chip")], [("华为", "DEVELOPS", "麒麟")]),
           doc("catl-2024", [("宁德时代", "Company"), ("麒麟", "Chip")], [("宁德时代", "DEVELOPS", "麒麟")]),
           doc("x", [("超长文", "Person"), ("CATL", "Company")])]
    G = build_graph(exs, Curation.parse(FILE))
    assert sorted((n, d["type"]) for n, d in G.nodes(data=True)) == [
        ("华为", "Company"), ("宁德时代", "Company"), ("麒麟", "Chip"), ("麒麟电池", "Product")]
    assert G.nodes["宁德时代"]["docs"] == ["catl-2024", "x"]
    assert G.has_edge("宁德时代", "麒麟电池", key="DEVELOPS") and G.has_edge("华为", "麒麟", key="DEVELOPS")


def test_a_merge_and_a_rename_of_nodes_as_the_graph_names_them():
    exs = [doc("a", [("华为", "Company"), ("麒麟", "Chip")], [("华为", "DEVELOPS", "麒麟")]),
           doc("b", [("宁德时代", "Company"), ("麒麟", "Chip")], [("宁德时代", "DEVELOPS", "麒麟")]),
           doc("c", [("麒麟电池", "Chip")])]
    assert "麒麟 (宁德时代)" in build_graph(exs)
    c = Curation().with_block("merge", names=["麒麟 (宁德时代)", "麒麟电池"])
    G = build_graph(exs, c)
    assert G.nodes["麒麟 (宁德时代)"]["docs"] == ["b", "c"]
    G = build_graph(exs, c.with_block("rename", **{"from": "麒麟 (宁德时代)", "to": "宁德时代麒麟电池"}))
    assert G.nodes["宁德时代麒麟电池"]["docs"] == ["b", "c"] and G.nodes["麒麟"]["docs"] == ["a"]
    G = build_graph(exs, Curation().with_block("never", names=["麒麟 (宁德时代)"]))
    assert "麒麟 (宁德时代)" not in G and "麒麟" in G
