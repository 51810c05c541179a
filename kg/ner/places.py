"""Place names read from where the text says something is: after 位于, 总部设在, 成立于 …, and
compound place phrases (湖南省岳阳市, 德国慕尼黑) that name one place by its region first.

Only here do we trust jieba's place tag (ns) for names the dictionary does not know: elsewhere it
tags many common words as places (深度, 上市).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jieba
import jieba.posseg as pseg

from kg.lexicons import words
from kg.models import Mention
from kg.ner.textview import TextView
from kg.ner.words import word_frequencies
from kg.schema import EntityType

E = EntityType
LOCATIVE = re.compile(
    r"(?:总部(?:位于|设在|设于|在|落户于?|坐落于)|坐落(?:于|在)|位于|地处|落户(?:于|在)?|所在地(?:为|是|:|：)?|"
    r"(?:成立|创立|创建|创办|诞生|注册)(?:于|在)|设在|来自)\s?"
)
LOCATIVE_BEFORE_VERB = re.compile(r"在\s?(?=[\u4e00-\u9fff]{2,12}?(?:成立|创立|创建|创办|注册|举办|举行|召开))")
_PLACE_SUFFIX = re.compile(r"(?:省|市|县|区|州|镇|乡|村|自治区|特别行政区)$")
_NOT_PLACE = frozenset(words("places.not_places_after_locative"))
_MAX_PHRASE = 14


def _place_tokens(text: str, start: int, places: dict[int, Mention],
                  locative: bool = False) -> list[tuple[int, int, str]]:
    """Consecutive place words from ``start``: (start, end, canonical) each. ``places`` holds the
    known place mentions by start. After a locative phrase a new word jieba's HMM found (慕尼黑,
    哈博罗内) also counts as a place."""
    out: list[tuple[int, int, str]] = []
    pos = start
    window = text[start:start + _MAX_PHRASE + 4]
    for word in jieba.cut(window, HMM=True):
        if pos - start >= _MAX_PHRASE:
            break
        k = places.get(pos)
        if k is not None:
            if k.end > pos + len(word):
                # the dictionary mention spans several jieba words: take it whole
                out.append((k.start, k.end, k.canonical))
                pos = k.end
                window_rest = text[pos:start + _MAX_PHRASE + 4]
                return out + _place_tokens(text, pos, places, locative) if window_rest else out
            out.append((pos, pos + len(word), k.canonical))
        elif _is_place_word(word, locative):
            out.append((pos, pos + len(word), word))
        else:
            break
        pos += len(word)
    return out


def _is_place_word(word: str, locative: bool) -> bool:
    if word in _NOT_PLACE:
        return False
    if pseg.dt.word_tag_tab.get(word) == "ns" or (len(word) >= 2 and _PLACE_SUFFIX.search(word)):
        return True
    # after 位于/总部设在, a new word of a few characters is most likely a foreign place name
    new_word = word not in pseg.dt.word_tag_tab and not word_frequencies().get(word)
    return locative and new_word and re.fullmatch(r"[\u4e00-\u9fff]{2,5}", word) is not None


def place_mentions(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """Places after a locative phrase, and compound places (湖南省岳阳市) anywhere the dictionary
    knows the first part. A compound becomes one mention of its most specific place, so
    湖南省岳阳市 is an alias of 岳阳市."""
    text = view.norm
    out: list[Mention] = []
    locative = {m.end() for m in LOCATIVE.finditer(text)} | {m.end() for m in LOCATIVE_BEFORE_VERB.finditer(text)}
    places: dict[int, Mention] = {}
    for m in known:
        if m.type is E.PLACE:
            places.setdefault(m.start, m)  # the first known place at a position, as a scan would find
    starts = locative | places.keys()
    taken_until = -1
    for start in sorted(starts):
        if start < taken_until:
            continue
        parts = _place_tokens(text, start, places, start in locative)
        from_dictionary_only = all(a in places for a, _, _ in parts)
        if not parts or (len(parts) == 1 and from_dictionary_only):
            continue
        begin, end = parts[0][0], parts[-1][1]
        canonical = parts[-1][2]
        out.append(view.mention(begin, end, E.PLACE, canonical))
        taken_until = end
    return out
