from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kg.io.normalize import key, normalize, sentence_spans, to_halfwidth, to_simplified


@given(st.text(max_size=200))
def test_normalisation_keeps_length(text):
    assert len(normalize(text)) == len(text)


@given(st.text(alphabet=st.sampled_from(list("科大訊飛華為。！？；\n ,.abc1「」“”")), max_size=120))
def test_sentences_are_ordered_non_overlapping_and_stripped(text):
    prev_end = 0
    for s, e in sentence_spans(text):
        assert prev_end <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        prev_end = e


def test_traditional_to_simplified_and_fullwidth():
    assert to_simplified("劉慶峰在華為") == "刘庆峰在华为"
    assert to_halfwidth("ＤｅｅｐＳｅｅｋ－Ｒ１") == "DeepSeek-R1"


def test_key_matches_the_scorer_rule():
    assert key("GPT-4 Turbo") == key("gpt4turbo") == key("ＧＰＴ－４ Ｔｕｒｂｏ")
    assert key("科大訊飛") == key("科大讯飞")
