"""Dictionary mentions via an Aho-Corasick automaton over the compact text (linear time)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from kg.extraction.dictionary import Dictionary, Entry
from kg.extraction.ner.textview import TextView
from kg.models import Mention
from kg.schema import Origin


@lru_cache(maxsize=4)
def _automaton(dictionary: Dictionary) -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for k, entry in dictionary.by_key.items():
        if k:
            auto.add_word(k, (k, entry))
    auto.make_automaton()
    return auto


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True)
class DictionaryRecogniser:
    """The recogniser of a dictionary's names (see :func:`dictionary_mentions`)."""

    dictionary: Dictionary

    def __call__(self, view: TextView, known: Sequence[Mention] = ()) -> list[Mention]:
        return dictionary_mentions(view, self.dictionary)


def dictionary_mentions(view: TextView, dictionary: Dictionary) -> list[Mention]:
    """Leftmost-longest, non-overlapping dictionary matches.

    Latin names must stand as whole words (``o1`` inside ``pro1x`` is no match); CJK names
    need no boundary, as Chinese has no spaces.

    >>> [m.canonical for m in dictionary_mentions(TextView("iFlytek與華為"), Dictionary.default())]
    ['科大讯飞', '华为']
    """
    compact, to_norm = view.compact, view.compact_to_norm
    candidates: list[tuple[int, int, Entry]] = []
    norm = view.norm
    for end_idx, (k, entry) in _automaton(dictionary).iter(compact):
        start_idx = end_idx - len(k) + 1
        # word boundaries are judged in the real text, where spaces still separate words
        start, end = to_norm[start_idx], to_norm[end_idx] + 1
        if _is_word_char(k[0]) and start > 0 and _is_word_char(norm[start - 1]):
            continue
        if _is_word_char(k[-1]) and end < len(norm) and _is_word_char(norm[end]):
            continue
        candidates.append((start_idx, end_idx + 1, entry))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    mentions: list[Mention] = []
    taken_until = 0
    for start_idx, end_idx, entry in candidates:
        if start_idx < taken_until:
            continue
        start, end = to_norm[start_idx], to_norm[end_idx - 1] + 1
        mentions.append(view.mention(start, end, entry.type, entry.name, origin=Origin.DICTIONARY))
        taken_until = end_idx
    return mentions
