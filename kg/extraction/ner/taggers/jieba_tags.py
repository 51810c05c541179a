"""``jieba`` and ``jieba-posseg``: jieba's tagger on the cue windows (see :mod:`.windows`)."""

from __future__ import annotations

from collections.abc import Iterator

import jieba
import jieba.posseg as pseg

from kg.extraction.config import ExtractorConfig
from kg.extraction.ner.people import is_person_name
from kg.extraction.ner.taggers.base import Recogniser
from kg.extraction.ner.taggers.windows import Tagged, WindowedTagger, named
from kg.extraction.ner.words import word_frequencies
from kg.schema import EntityType

E = EntityType
JIEBA_TAGS = {"nr": E.PERSON, "ns": E.PLACE, "nt": E.ORGANIZATION}
# Names of real people are rare words in jieba's dictionary (任正非: 12, 李彦宏: 24, 毛利: 75).
_COMMON_WORD_FREQ = 50


def fast_tags(piece: str) -> Iterator[tuple[str, str]]:
    """jieba's segmenter (its 4-state HMM finds new words) plus a dictionary look-up of each word's
    tag: ~10x cheaper than ``jieba.posseg`` with HMM, whose Viterbi runs over all POS states.

    A word jieba's dictionary does not know, shaped like a Chinese name, is taken for a person.

    >>> [w for w, t in fast_tags("任正非高度重视") if t == "nr"]
    ['任正非']
    """
    tags = pseg.dt.word_tag_tab
    freq = word_frequencies()
    for word in jieba.cut(piece, HMM=True):
        tag = tags.get(word)
        if tag is None and not freq.get(word) and is_person_name(word):
            tag = "nr"
        elif tag == "nr" and freq.get(word, 0) > _COMMON_WORD_FREQ:
            tag = "n"  # 毛利 (gross profit) is tagged nr in jieba's dictionary, yet is a common word
        yield word, tag or "x"


def _fast(pieces: list[str]) -> list[Tagged]:
    return [named(fast_tags(piece), JIEBA_TAGS) for piece in pieces]


def _posseg(pieces: list[str]) -> list[Tagged]:
    return [named(((p.word, p.flag) for p in pseg.cut(piece, HMM=True)), JIEBA_TAGS) for piece in pieces]


def jieba_tagger(config: ExtractorConfig) -> Recogniser:
    return WindowedTagger(_fast)


def jieba_posseg_tagger(config: ExtractorConfig) -> Recogniser:
    return WindowedTagger(_posseg)
