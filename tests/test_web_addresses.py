"""Scraped articles carry web addresses: their pieces are never names, the names around them are."""

from hypothesis import given
from hypothesis import strategies as st

from kg.extraction.extractor import Extractor
from kg.extraction.ner.webaddresses import web_address_spans
from kg.models import Document


def test_an_image_link_gives_no_names_and_the_text_around_it_does() -> None:
    text = ("![](https://p3-sign.example.com/article/vs7pH9ZsV9lORCAroAYMPX7GVIY.image?from=article)\n"
            "华为董事长梁华在深圳表示，公司官网:https://www.huawei.com/华为云将继续投入。")
    ex = Extractor().extract(Document(id="d", text=text))
    names = {e.name for e in ex.entities}
    assert not any(n in ("article", "vs7pH9ZsV9lORCAroAYMPX7GVIY", "huawei") for n in names), names
    assert {"华为", "梁华"} <= names


def test_an_address_ends_at_a_space_or_chinese_text() -> None:
    assert web_address_spans("见 www.example.com/a 与 mail@example.com。") == [(2, 19), (22, 38)]
    assert web_address_spans("官网:https://x.cn/壁仞科技") == [(3, 16)]


@given(st.text(alphabet=st.sampled_from("abc华为 ./:@-w"), max_size=40))
def test_every_address_is_ascii_without_spaces(text: str) -> None:
    for start, end in web_address_spans(text):
        assert text[start:end].isascii() and " " not in text[start:end] and end > start
