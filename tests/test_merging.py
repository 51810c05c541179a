"""Within one document: entities the text names twice are one, with the evidence kept on the
entity (kg.extraction.merging, Entity.merged_from), and the JSONL format stays readable both ways."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extraction.config import ExtractorConfig
from kg.extraction.dictionary import Dictionary
from kg.extraction.extractor import Extractor
from kg.extraction.merging import merge_within
from kg.extraction.ner.textview import TextView
from kg.extraction.pipeline import to_score_record
from kg.models import Document, Entity, Extraction, Mention, Merge
from kg.schema import EntityType

E = EntityType
NO_DICTIONARY = Dictionary.load(shipped=False)


def doc_of(text: str, names: list[tuple[str, EntityType]], dictionary: Dictionary = NO_DICTIONARY):
    """Mentions of every occurrence of each name, an entity per name, and merge_within's answer."""
    view = TextView(text)
    spans = []
    for name, etype in names:
        at = text.find(name)
        while at != -1:
            spans.append((at, at + len(name), name, etype))
            at = text.find(name, at + len(name))
    spans.sort(key=lambda s: (s[0], -s[1]))
    chosen: list[tuple[int, int, str, EntityType]] = []
    for s in spans:  # longest first at a place, no overlaps, as the recognisers give them
        if chosen and s[0] < chosen[-1][1]:
            continue
        chosen.append(s)
    mentions = [view.mention(a, b, t, name) for a, b, name, t in chosen]
    counts: dict[str, int] = {}
    for m in mentions:
        counts[m.canonical] = counts.get(m.canonical, 0) + 1
    types = dict(names)
    entities = [Entity(name=n, type=types[n], mentions=c) for n, c in counts.items()]
    owner = {i: m.canonical for i, m in enumerate(mentions)}
    return view, mentions, *merge_within(view, mentions, entities, owner, dictionary)


def merged(text: str, names: list[tuple[str, EntityType]], dictionary: Dictionary = Dictionary.default()):
    _, _, entities, _ = doc_of(text, names, dictionary)
    return sorted((e.name, sorted(e.aliases)) for e in entities)


def test_a_declared_short_name_is_the_company():
    text = "宁德时代新能源科技股份有限公司（以下简称“宁德时代”）成立于2011年。宁德时代总部位于宁德。"
    view, _, entities, owner = doc_of(text, [("宁德时代新能源科技股份有限公司", E.COMPANY), ("宁德时代", E.COMPANY)])
    [catl] = entities
    assert catl.name == "宁德时代" and catl.aliases == ["宁德时代新能源科技股份有限公司"]
    [how] = catl.merged_from
    assert (how.name, how.rule) == ("宁德时代新能源科技股份有限公司", "declared")
    assert text[how.start:how.end] == "宁德时代新能源科技股份有限公司（以下简称“宁德时代”）"
    assert set(owner.values()) == {"宁德时代"}


@pytest.mark.parametrize("text,names,expected", [
    ("华为（Huawei）与科大讯飞合作。Huawei的昇腾芯片支持训练。", [("华为", E.COMPANY), ("Huawei", E.COMPANY)],
     [("华为", ["Huawei"])]),
    ("北京字节跳动科技有限公司，简称字节跳动，发布了豆包。字节跳动表示……",
     [("北京字节跳动科技有限公司", E.COMPANY), ("字节跳动", E.COMPANY)], [("字节跳动", ["北京字节跳动科技有限公司"])]),
    # a registered name with its place and trade, and the short name used after it
    ("杭州宇树科技股份有限公司今日上市。宇树科技创始人王兴兴表示……",
     [("杭州宇树科技股份有限公司", E.COMPANY), ("宇树科技", E.COMPANY)], [("宇树科技", ["杭州宇树科技股份有限公司"])]),
    ("奥克斯电气有限公司向港交所递表。奥克斯称……", [("奥克斯电气有限公司", E.COMPANY), ("奥克斯", E.COMPANY)],
     [("奥克斯", ["奥克斯电气有限公司"])]),
    ("百度集团发布财报，百度称……", [("百度集团", E.COMPANY), ("百度", E.COMPANY)], [("百度", ["百度集团"])]),
    ("他在合肥市工作。合肥的冬天很冷。", [("合肥市", E.PLACE), ("合肥", E.PLACE)], [("合肥", ["合肥市"])]),
    ("中国证监会批准了申请。证监会表示……", [("中国", E.PLACE), ("中国证监会", E.ORGANIZATION),
                                  ("证监会", E.ORGANIZATION)], [("证监会", ["中国证监会"])]),
    # a model and its maker-prefixed form (the dictionary's name kept: 混元)
    ("腾讯发布腾讯混元。混元是腾讯自研的大模型。", [("腾讯", E.COMPANY), ("腾讯混元", E.AIMODEL), ("混元", E.AIMODEL)],
     [("混元", ["腾讯混元"]), ("腾讯", [])]),
    # the maker's form is the name where the dictionary knows neither
    ("星海科技发布星海星图。星图已开放内测。", [("星海科技", E.COMPANY), ("星海星图", E.PRODUCT), ("星图", E.PRODUCT)],
     [("星海星图", ["星图"]), ("星海科技", [])]),
    ("理想汽车发布理想MEGA。MEGA售价五十万元。", [("理想汽车", E.COMPANY), ("理想MEGA", E.PRODUCT),
                                      ("MEGA", E.PRODUCT)], [("理想MEGA", ["MEGA"]), ("理想汽车", [])]),
    ("百度发布文心大模型4.5，文心4.5的表现……", [("文心大模型4.5", E.AIMODEL), ("文心4.5", E.AIMODEL)],
     [("文心4.5", ["文心大模型4.5"])]),
])
def test_one_thing_named_twice_is_one_entity(text, names, expected):
    got = merged(text, names)
    assert [g for g in got if g[0] in {e[0] for e in expected}] == sorted(expected)


@pytest.mark.parametrize("text,names", [
    # a company's cloud, business unit or chip line is not the company
    ("华为发布了新手机，华为云也发布了新服务。", [("华为", E.COMPANY), ("华为云", E.COMPANY)]),
    # a business the text says the company owns
    ("小米集团旗下小米汽车科技有限公司正式投产，小米称……",
     [("小米集团", E.COMPANY), ("小米汽车科技有限公司", E.COMPANY)]),
    # a place in a place
    ("第十届中国（深圳）国际文化产业博览会开幕。", [("中国", E.PLACE), ("深圳", E.PLACE)]),
    # a model and its family
    ("Qwen-7B（通义千问）的表现……", [("Qwen-7B", E.AIMODEL), ("通义千问", E.AIMODEL)]),
    # different types are never one
    ("文心一言（百度）发布新版。", [("文心一言", E.AIMODEL), ("百度", E.COMPANY)]),
    # a subsidiary registered in a region is not the listed company
    ("黑芝麻智能宣布，黑芝麻智能科技(上海)有限公司获得补贴。", [("黑芝麻智能", E.COMPANY),
                                                ("黑芝麻智能科技(上海)有限公司", E.COMPANY)]),
    # a group and its listed company: the short name is the listed one, the group stays apart
    ("通威股份公告称，通威集团增持。通威表示……",
     [("通威股份", E.COMPANY), ("通威集团", E.COMPANY), ("通威", E.COMPANY)]),
])
def test_different_things_stay_apart(text, names):
    got = merged(text, names)
    if names[0][0] == "通威股份":
        assert ("通威集团", []) in got
        return
    assert len(got) == len(names)


def test_a_business_of_a_known_company_stays_apart():
    text = "小米发布了新手机。小米汽车的产能已完全由自建工厂承担。"
    assert len(merged(text, [("小米", E.COMPANY), ("小米汽车", E.COMPANY)], Dictionary.default())) == 2


def _registered_name_known(tmp_path) -> Path:
    """An extractor whose dictionary knows the registered name as a name of its own: these tests are
    of the merging, not of whether the tagger finds a registered name."""
    names = tmp_path / "registered.tsv"
    names.write_text("Company\t宁德时代新能源科技股份有限公司\t-\t\n", encoding="utf-8")
    return names


def test_the_extractor_keeps_the_evidence_and_relations_use_the_merged_name(tmp_path):
    text = "宁德时代新能源科技股份有限公司（以下简称“宁德时代”）董事长曾毓群表示，宁德时代将推出新电池。"
    names = _registered_name_known(tmp_path)
    ex = Extractor(ExtractorConfig(dictionaries=(names,))).extract(Document(id="d", text=text))
    catl = next(e for e in ex.entities if e.name == "宁德时代")
    assert "宁德时代新能源科技股份有限公司" in catl.aliases
    [how] = catl.merged_from
    assert text[how.start:how.end].startswith("宁德时代新能源科技股份有限公司（以下简称")
    assert {r.tail for r in ex.relations if r.relation == "CHAIRMAN_OF"} <= {"宁德时代"}
    assert not any(e.name == "宁德时代新能源科技股份有限公司" for e in ex.entities)


def test_a_long_document_keeps_merge_offsets_in_the_whole_text(tmp_path):
    sentence = "宁德时代新能源科技股份有限公司（以下简称“宁德时代”）成立于2011年。宁德时代总部位于宁德。"
    text = "这是一段开头。" * 2000 + sentence + "结尾。" * 2000
    config = ExtractorConfig(chunk_chars=10_000, dictionaries=(_registered_name_known(tmp_path),))
    ex = Extractor(config).extract(Document(id="long", text=text))
    records = [m for e in ex.entities for m in e.merged_from]
    assert records and all(text[m.start:m.end].startswith(m.name) for m in records)


def test_jsonl_without_merged_from_still_loads_and_empty_lists_are_not_written():
    old = {"doc_id": "d", "entities": [{"name": "华为", "type": "Company", "aliases": [], "english": None,
                                        "mentions": 1}], "relations": []}
    ex = Extraction.model_validate_json(json.dumps(old))
    assert ex.entities[0].merged_from == []
    assert "merged_from" not in to_score_record(ex)["entities"][0]
    ex.entities[0].merged_from.append(Merge(name="華為", rule="declared", start=0, end=2))
    again = Extraction.model_validate_json(json.dumps(to_score_record(Extraction.model_validate(ex.model_dump()))))
    assert again.entities[0].merged_from[0].rule == "declared"


NAMES = ["华为", "华为集团", "华为技术有限公司", "腾讯", "腾讯混元", "混元", "合肥", "合肥市", "Huawei", "科大讯飞"]
TYPES = [E.COMPANY, E.COMPANY, E.COMPANY, E.COMPANY, E.AIMODEL, E.AIMODEL, E.PLACE, E.PLACE, E.COMPANY, E.COMPANY]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(range(len(NAMES))), min_size=1, max_size=8),
       st.lists(st.sampled_from(["，", "（", "）", "以下简称", "。", "发布了", "旗下"]), min_size=1, max_size=8))
def test_merging_keeps_every_mention_and_gives_each_an_entity(picks, glue):
    text = "".join(NAMES[i] + glue[n % len(glue)] for n, i in enumerate(picks))
    names = list(dict.fromkeys((NAMES[i], TYPES[i]) for i in picks))
    view, mentions, entities, owner = doc_of(text, names)
    names_now = [e.name for e in entities]
    assert len(names_now) == len(set(names_now))
    assert set(owner.values()) <= set(names_now) and len(owner) == len(mentions)
    assert sum(e.mentions for e in entities) == len(mentions)
    for e in entities:
        assert e.name not in e.aliases
        for how in e.merged_from:
            assert 0 <= how.start <= how.end <= len(text)
            assert how.name in e.aliases


def test_nothing_to_merge_returns_the_input():
    view = TextView("华为发布了新手机。")
    m = [view.mention(0, 2, E.COMPANY, "华为")]
    entities = [Entity(name="华为", type=E.COMPANY, mentions=1)]
    assert merge_within(view, m, entities, {0: "华为"}, NO_DICTIONARY) == (entities, {0: "华为"})
    assert isinstance(m[0], Mention)
