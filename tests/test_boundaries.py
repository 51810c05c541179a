"""Where a guessed name begins and ends (kg.extraction.boundaries): the issue's examples, what must stay as it
is, and properties of the correction on any mentions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extraction.boundaries import corrected
from kg.extraction.dictionary import Dictionary
from kg.extraction.extractor import Extractor
from kg.extraction.ner.textview import TextView
from kg.models import Document, Mention
from kg.schema import EntityType, Origin

E = EntityType
DICTIONARY = Dictionary.default()


def guess(text: str, surface: str, etype: EntityType, origin: Origin = Origin.TAGGER, nth: int = 0) -> tuple:
    """The view of ``text`` and a guessed mention of ``surface`` (its ``nth`` occurrence)."""
    view = TextView(text)
    start = -1
    for _ in range(nth + 1):
        start = view.original.index(surface, start + 1)
    return view, view.mention(start, start + len(surface), etype, origin=origin)


def one(text: str, surface: str, etype: EntityType, origin: Origin = Origin.TAGGER) -> list[tuple[str, str]]:
    view, m = guess(text, surface, etype, origin)
    return [(x.text, x.canonical) for x in corrected(view, [m], DICTIONARY)]


@pytest.mark.parametrize("text,surface,etype,expected", [
    # a known person one character too long, the character beginning the next word
    ("小米董事长雷軍一上台就宣布了新的战略。", "雷軍一", E.PERSON, [("雷軍", "雷军")]),
    # a word that begins a title never ends a name
    ("华为轮值董事长徐直军发布了路线图。", "华为轮值", E.COMPANY, [("华为", "华为")]),
    # a list's closer and the kind after it
    ("DeepSeek-R1等推理模型的出现改变了行业。", "DeepSeek-R1等推理模型", E.AIMODEL, [("DeepSeek-R1", "DeepSeek-R1")]),
    # a family and the kind after it: the family named, the dictionary's name found
    ("阿里巴巴发布Qwen系列开源模型。", "Qwen系列开源模型", E.AIMODEL, [("Qwen系列", "通义千问")]),
    # X系列 names X, the surface keeps 系列
    ("英伟达即将推出的Rubin系列。", "Rubin系列", E.CHIP, [("Rubin系列", "Rubin")]),
    # a kind of model made only of generic words is no name
    ("很多开源大模型都在追赶。", "开源大模型", E.AIMODEL, []),
    # an English word cut inside
    ("The Chief Executive Officer said so.", "xecutive", E.PRODUCT, []),
    # an institution word alone
    ("开创了企业投资创办银行的先河。", "银行", E.COMPANY, []),
    # a university run on into a field of study
    ("他毕业于华中科技大学生物医学工程专业。", "华中科技大学生物医学", E.ORGANIZATION,
     [("华中科技大学", "华中科技大学")]),
])
def test_the_guess_is_cut_to_the_name_or_dropped(text, surface, etype, expected):
    assert one(text, surface, etype) == expected


@pytest.mark.parametrize("text,surface,etype", [
    ("副总裁马云双，省工信厅党组成员出席。", "马云双", E.PERSON),  # 双 ends its word: a person of its own
    ("高等教育出版社出版了这本书。", "高等教育出版社", E.ORGANIZATION),  # 等 inside a name, not a list's closer
    ("百度发布文心大模型4.5。", "文心大模型4.5", E.AIMODEL),  # a name with 大模型 in it
    ("华为轮值董事长徐直军说。", "华为轮值", E.COMPANY),  # (as a dictionary name it is not a guess: kept)
])
def test_names_that_are_right_stay(text, surface, etype):
    origin = Origin.DICTIONARY if surface == "华为轮值" else Origin.TAGGER
    view, m = guess(text, surface, etype, origin)
    assert corrected(view, [m], DICTIONARY) == [m]


@pytest.mark.parametrize("text", ["腾讯斥资360亿元收购了它。", "通信可用角度覆盖360°。"])
def test_a_number_before_its_unit_is_no_name_even_from_the_dictionary(text):
    view, m = guess(text, "360", E.COMPANY, Origin.DICTIONARY)
    assert corrected(view, [m], DICTIONARY) == []
    view, m = guess("360集团创始人周鸿祎表示。", "360", E.COMPANY, Origin.DICTIONARY)
    assert corrected(view, [m], DICTIONARY) == [m]


def test_a_government_guessed_inside_a_place_starts_with_the_place():
    view, m = guess("中华电信宣布进驻高雄市政府活化改造的大楼。", "市政府", E.ORGANIZATION)
    [fixed] = corrected(view, [m], DICTIONARY)
    assert (fixed.text, fixed.start) == ("高雄市政府", m.start - 2)


def test_a_corrected_start_takes_in_the_mention_it_covers():
    view = TextView("中华电信宣布进驻高雄市政府活化改造的大楼。")
    place = view.mention(8, 10, E.PLACE, origin=Origin.DICTIONARY)
    org = view.mention(10, 13, E.ORGANIZATION, origin=Origin.TAGGER)
    assert [(m.text, m.type) for m in corrected(view, [place, org], DICTIONARY)] == [("高雄市政府", E.ORGANIZATION)]


def test_the_extractor_reads_the_issue_sentences_without_junk():
    ex = Extractor().extract(Document(id="d", text="DeepSeek-R1等推理模型出现后，阿里巴巴发布Qwen系列开源模型。"))
    names = {e.name for e in ex.entities}
    assert "DeepSeek-R1" in names and "通义千问" in names
    assert not any("等" in n or "开源模型" in n for n in names)


TEXTS = ["华为轮值董事长徐直军在全联接大会上发布了昇腾芯片路线图。", "小米董事长雷軍一上台就宣布了新的战略。",
         "DeepSeek-R1等推理模型与Qwen系列开源模型。", "The Chief Executive Officer of Alibaba said so.",
         "他毕业于华中科技大学生物医学工程专业，后进入高雄市政府。"]


@st.composite
def guesses(draw):
    text = draw(st.sampled_from(TEXTS))
    view = TextView(text)
    spans, pos = [], 0
    while pos < len(text) - 1 and len(spans) < 6:
        start = draw(st.integers(pos, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 12)))
        spans.append((start, end))
        pos = end
    origins = st.sampled_from([Origin.TAGGER, Origin.NER, Origin.DICTIONARY])
    types = st.sampled_from(list(EntityType))
    return view, [view.mention(a, b, draw(types), origin=draw(origins)) for a, b in spans]


@settings(max_examples=150, deadline=None)
@given(guesses())
def test_corrected_mentions_are_ordered_inside_the_text_and_never_overlap(case):
    view, mentions = case
    out = corrected(view, mentions, DICTIONARY)
    assert all(0 <= m.start < m.end <= len(view.original) for m in out)
    assert all(a.end <= b.start for a, b in zip(out, out[1:], strict=False))
    assert all(m.text == view.original[m.start:m.end] for m in out)
    # names the dictionary, patterns or references found are never touched
    kept = [m for m in mentions if m.origin is Origin.DICTIONARY]
    assert all(any(o == k for o in out) or any(o.start < k.end and k.start < o.end for o in out) for k in kept)


@settings(max_examples=100, deadline=None)
@given(guesses())
def test_correcting_twice_changes_nothing_more(case):
    view, mentions = case
    once = corrected(view, mentions, DICTIONARY)
    assert [(m.start, m.end) for m in corrected(view, once, DICTIONARY)] == [(m.start, m.end) for m in once]


def test_a_mention_kept_as_it_was_is_the_same_object():
    view, m = guess("科大讯飞董事长刘庆峰说。", "刘庆峰", E.PERSON)
    assert corrected(view, [m], DICTIONARY)[0] is m


def test_input_is_not_changed():
    view, m = guess("华为轮值董事长徐直军发布了路线图。", "华为轮值", E.COMPANY)
    before = m.model_copy()
    corrected(view, [m], DICTIONARY)
    assert m == before and isinstance(m, Mention)
