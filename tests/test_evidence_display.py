"""The two ends of a relation shown in its evidence: in 【】 in the terminal (plain text, no markup
read from the document) and as <mark> pieces on the HTML page (text nodes, never HTML)."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError
from rich.console import Console

from kg.cli.explore import _evidence_text
from kg.extraction.evidence import EndMark, end_marks, segments, swapped_ends, window
from kg.graph.network import build_graph
from kg.models import Document, Entity, Extraction, Relation, Resolution
from kg.sinks.html import page_data, render_html

HOSTILE = "[bold red]星海[/bold red]<b>x</b>"


def item(text: str, head: str, tail: str, start: int = 100) -> dict:
    a, b = text.index(head), text.index(tail)
    return {"doc_id": "d", "text": text, "start": start, "end": start + len(text), "confidence": 0.9,
            "head_start": start + a, "head_end": start + a + len(head),
            "tail_start": start + b, "tail_end": start + b + len(tail)}


def rendered(evidence: list[dict]) -> str:
    console = Console(width=200, color_system=None)
    with console.capture() as cap:
        console.print(_evidence_text(evidence, width=200))
    return cap.get().strip()


def test_the_terminal_brackets_both_ends_and_reads_no_markup_from_the_document() -> None:
    text = f"{HOSTILE}董事长王大可说"
    assert rendered([item(text, HOSTILE, "王大可")]) == f"【{HOSTILE}】董事长【王大可】说"


def test_a_long_sentence_is_cut_around_its_two_ends() -> None:
    text = "前" * 80 + "星海互娱董事长王大可说" + "后" * 80
    marks = end_marks(item(text, "星海互娱", "王大可"))
    cut, moved = window(text, marks, 30)
    assert len(cut) <= 32 and cut.startswith("…") and cut.endswith("…")
    assert [cut[m.start:m.end] for m in moved] == ["星海互娱", "王大可"]


def test_overlapping_ends_are_one_mark_and_swapping_exchanges_them() -> None:
    ev = item("华为昇腾910B已经量产", "华为", "华为昇腾910B")
    assert end_marks(ev) == [EndMark("both", 0, 8)]
    ev = item("星海互娱与云帆科技合作", "云帆科技", "星海互娱")
    assert [m.role for m in end_marks(ev)] == ["tail", "head"]
    assert [m.role for m in end_marks(swapped_ends(ev))] == ["head", "tail"]


def test_a_symmetric_relation_stored_the_other_way_keeps_its_ends_on_their_names() -> None:
    text = "云帆科技与星海互娱合作"
    rel = Relation(head="云帆科技", relation="PARTNERS_WITH", tail="星海互娱", evidence=text, doc_id="d",
                   start=0, end=len(text), head_start=0, head_end=4, tail_start=5, tail_end=9)
    ex = Extraction(doc_id="d", entities=[Entity(name="云帆科技", type="Company"),
                                          Entity(name="星海互娱", type="Company")], relations=[rel])
    G = build_graph([ex])
    [(u, v, data)] = list(G.edges(data=True))
    ev = data["evidence"][0]
    assert text[ev["head_start"]:ev["head_end"]] == u and text[ev["tail_start"]:ev["tail_end"]] == v


def test_the_page_gets_the_ends_as_pieces_and_builds_marks_from_text_nodes() -> None:
    text = f"{HOSTILE}发布了天穹一号"
    rel = Relation(head=HOSTILE, relation="DEVELOPS", tail="天穹一号", evidence=text, doc_id="d", start=0,
                   end=len(text), head_start=0, head_end=len(HOSTILE), tail_start=len(text) - 4, tail_end=len(text),
                   tail_via=None)
    ex = Extraction(doc_id="d", entities=[Entity(name=HOSTILE, type="Company"),
                                          Entity(name="天穹一号", type="Product")], relations=[rel])
    G = build_graph([ex])
    data = page_data(G, title="t", focus=None, size_by="degree")
    [edge] = data["edges"]
    assert edge["evidence"][0]["parts"] == [[HOSTILE, "head"], ["发布了", None], ["天穹一号", "tail"]]
    page = render_html(G)
    assert "<b>x</b>" not in page and "<mark" not in page  # marks are made by the script, from text nodes
    script = (re.search(r"function evidenceText\(ev\) \{.*?\n  \}", page, re.S) or [""])[0]
    assert 'el("mark", { class: "end end-" + part[1], text: part[0] })' in script
    assert "innerHTML" not in script


def test_an_anaphor_end_keeps_its_resolution_through_the_graph() -> None:
    first, second = "星海互娱发布了天穹一号。", "该公司还将推出天穹二号。"
    text = first + second
    via = Resolution(anaphor="该公司", antecedent_start=0, antecedent_end=4, sentence_start=0,
                     sentence_end=len(first))
    rel = Relation(head="星海互娱", relation="DEVELOPS", tail="天穹二号", evidence=second, doc_id="d",
                   start=len(first), end=len(text), head_start=len(first), head_end=len(first) + 3,
                   tail_start=len(text) - 5, tail_end=len(text) - 1, head_via=via)
    ex = Extraction(doc_id="d", entities=[Entity(name="星海互娱", type="Company"),
                                          Entity(name="天穹二号", type="Product")], relations=[rel])
    [(_, _, data)] = list(build_graph([ex]).edges(data=True))
    ev = data["evidence"][0]
    assert ev["head_via"] == via.model_dump()
    assert segments(ev["text"], end_marks(ev))[0] == ("该公司", "head")
    assert Document(id="d", text=text).text[ev["head_via"]["antecedent_start"]:ev["head_via"]["antecedent_end"]] \
        == "星海互娱"


def test_the_lookup_index_answers_with_the_ends_and_their_resolution() -> None:
    from kg.graph.index import GraphIndex, write_index

    first, second = "星海互娱发布了天穹一号。", "该公司还将推出天穹二号。"
    via = Resolution(anaphor="该公司", antecedent_start=0, antecedent_end=4, sentence_start=0,
                     sentence_end=len(first))
    rel = Relation(head="星海互娱", relation="DEVELOPS", tail="天穹二号", evidence=second, doc_id="d",
                   start=len(first), end=len(first + second), head_start=len(first), head_end=len(first) + 3,
                   tail_start=len(first) + 7, tail_end=len(first) + 11, head_via=via)
    ex = Extraction(doc_id="d", entities=[Entity(name="星海互娱", type="Company"),
                                          Entity(name="天穹二号", type="Product")], relations=[rel])
    index = GraphIndex(write_index(build_graph([ex]), ":memory:"))
    [row] = index.neighbours("天穹二号").rows
    ev = row["evidence"][0]
    assert [p for p, role in segments(ev["text"], end_marks(ev)) if role] == ["该公司", "天穹二号"]
    assert ev["head_via"]["anaphor"] == "该公司"
    assert rendered(row["evidence"]) == "【该公司】还将推出【天穹二号】。"


@pytest.mark.parametrize("ends", [
    {"head_start": 0}, {"head_start": 0, "head_end": 20}, {"tail_start": 3, "tail_end": 3},
])
def test_a_relation_whose_ends_are_not_in_its_evidence_is_refused(ends: dict) -> None:
    with pytest.raises(ValidationError):
        Relation(head="星海互娱", relation="DEVELOPS", tail="天穹一号", evidence="星海互娱发布了天穹一号", doc_id="d",
                 start=0, end=11, **ends)
