"""Annotated news: reading a folder of gold graphs, the fixed development split, and finding every
gold entity's mentions in the text (hand-made articles; none from the development data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.annotated_news import AnnotatedDoc, AnnotatedError, read_annotated, split, topic_of
from kg.extraction.ner.statistical.corpora import LABEL_MAPS, news_examples
from kg.extraction.relations.classifier.corpora import news_texts

TEXT = "星海科技發佈了天穹X大模型。星海科技CEO王大可說，天穹X超越了GPT-4。总部位于杭州。"
GOLD = {
    "doc_id": "SN_B01_demo",
    "entities": [
        {"name": "星海科技", "type": "Company", "aliases": []},
        {"name": "天穹X", "type": "AIModel", "aliases": ["天穹X大模型"]},
        {"name": "王大可", "type": "Person", "aliases": []},
        {"name": "GPT-4", "type": "AIModel", "aliases": []},
        {"name": "杭州", "type": "Place", "aliases": []},
    ],
    "relations": [
        {"head": "星海科技", "relation": "DEVELOPS", "tail": "天穹X", "evidence": "星海科技發佈了天穹X大模型"},
        {"head": "王大可", "relation": "CEO_OF", "tail": "星海科技", "evidence": "星海科技CEO王大可說"},
    ],
}


def folder(tmp_path: Path, docs: dict[str, tuple[str, dict]]) -> Path:
    (tmp_path / "gold").mkdir()
    (tmp_path / "texts").mkdir()
    for doc_id, (text, gold) in docs.items():
        (tmp_path / "texts" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        (tmp_path / "gold" / f"{doc_id}.json").write_text(json.dumps({**gold, "doc_id": doc_id}), encoding="utf-8")
    return tmp_path


def test_every_mention_of_every_gold_entity_is_found_in_either_script(tmp_path: Path) -> None:
    [doc] = read_annotated(folder(tmp_path, {"SN_B01_demo": (TEXT, GOLD)}))
    found = [(TEXT[m.start:m.end], m.type.value) for m in doc.mentions]
    # the longest form wins where one contains another (天穹X大模型, an alias, over 天穹X)
    assert found == [("星海科技", "Company"), ("天穹X大模型", "AIModel"), ("星海科技", "Company"),
                     ("王大可", "Person"), ("天穹X", "AIModel"), ("GPT-4", "AIModel"), ("杭州", "Place")]
    assert {doc.entities[m.entity]["name"] for m in doc.mentions} == {e["name"] for e in GOLD["entities"]}


def test_sentences_become_tagger_examples_in_normalised_text(tmp_path: Path) -> None:
    docs = read_annotated(folder(tmp_path, {"SN_B01_demo": (TEXT, GOLD)}))
    examples = news_examples(docs)
    assert examples[0].text == "星海科技发布了天穹X大模型。"  # simplified, as the tagger reads it
    assert [(examples[0].text[s:e], lab) for s, e, lab in examples[0].spans] == [
        ("星海科技", "Company"), ("天穹X大模型", "AIModel")]
    assert LABEL_MAPS["news"].unannotated == ()  # every name is annotated: the rest is no name


def test_relations_are_facts_of_their_evidence_sentence_only(tmp_path: Path) -> None:
    docs = read_annotated(folder(tmp_path, {"SN_B01_demo": (TEXT, GOLD)}))
    texts = news_texts(docs)
    launch, ceo = texts[0], texts[1]
    assert ("星海科技", "DEVELOPS", "天穹X大模型") in launch.facts
    assert ("王大可", "CEO_OF", "星海科技") in ceo.facts
    # the second sentence names 星海科技 and 天穹X too, but states no development: not trained either way
    assert ("星海科技", "DEVELOPS", "天穹X") in ceo.unsure and ("星海科技", "DEVELOPS", "天穹X") not in ceo.facts


def test_the_development_split_is_every_fifth_article_of_each_topic(tmp_path: Path) -> None:
    docs = [AnnotatedDoc(f"SN_{t}{i:02d}_x", "文", {}) for t in "AB" for i in range(1, 8)]
    train, dev = split(docs)
    assert [d.doc_id for d in dev] == ["SN_A05_x", "SN_B05_x"]
    assert len(train) == 12 and not {d.doc_id for d in train} & {d.doc_id for d in dev}
    assert topic_of("SN_F12_tw") == "F" and topic_of("000_26b5e33c") == ""


def test_a_broken_folder_is_one_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(AnnotatedError, match="missing: no such annotated-news folder"):
        read_annotated(tmp_path / "missing")
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "x.json").write_text("{", encoding="utf-8")
    with pytest.raises(AnnotatedError, match=r"x\.json: not a gold graph"):
        read_annotated(tmp_path)
    (tmp_path / "gold" / "x.json").write_text('{"doc_id": "x"}', encoding="utf-8")
    with pytest.raises(AnnotatedError, match=r"x\.txt: cannot read the text of x"):
        read_annotated(tmp_path)
