"""Run all recognisers and keep one consistent set of non-overlapping mentions."""

from __future__ import annotations

from bisect import bisect_left

from kg.dictionary import Dictionary
from kg.models import Mention
from kg.ner.coref import abbreviation_mentions, surname_mentions
from kg.ner.dictionary_matcher import dictionary_mentions
from kg.ner.open_vocab import open_vocab_mentions
from kg.ner.patterns import bare_versions, pattern_mentions
from kg.ner.places import place_mentions
from kg.ner.textview import TextView

_ORIGIN_RANK = {"dictionary": 0, "pattern": 1, "coref": 2, "ner": 3}


def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def select(candidates: list[Mention]) -> list[Mention]:
    """Longest span first; on equal length, dictionary beats pattern beats tagger.

    A tagger guess never overrides a dictionary mention it overlaps, whatever its length.
    """
    if not candidates:
        return []
    size = max(m.end for m in candidates) + 1
    taken = bytearray(size)
    # dictionary mentions never overlap each other: index them by start for the tagger check
    dictionary = sorted((m for m in candidates if m.origin == "dictionary"), key=lambda m: m.start)
    dict_starts = [m.start for m in dictionary]
    chosen: list[Mention] = []
    ranked = sorted(candidates, key=lambda m: (-(m.end - m.start), _ORIGIN_RANK[m.origin], m.start))
    for m in ranked:
        if any(taken[m.start:m.end]):
            continue
        if m.origin == "ner" and _cuts_a_dictionary_name(m, dictionary, dict_starts):
            continue
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def _cuts_a_dictionary_name(m: Mention, dictionary: list[Mention], starts: list[int]) -> bool:
    """True when ``m`` overlaps a dictionary mention without containing it whole."""
    i = max(0, bisect_left(starts, m.start) - 1)
    while i < len(dictionary) and dictionary[i].start < m.end:
        d = dictionary[i]
        if _overlaps(d, m) and not (m.start <= d.start and d.end <= m.end):
            return True
        i += 1
    return False


def find_mentions(view: TextView, dictionary: Dictionary | None = None, backend: str = "jieba") -> list[Mention]:
    """All entity mentions of a document, non-overlapping, in text order."""
    known = dictionary_mentions(view, dictionary)
    patterns = pattern_mentions(view, known, dictionary) + place_mentions(view, known)
    candidates = known + patterns + open_vocab_mentions(view, known + patterns, backend)
    first = select(candidates)
    # a surname + title (雷总) beats a tagger's guess that it is a new name
    first = select(candidates + surname_mentions(view, first) + abbreviation_mentions(view, first))
    # bare versions (R1) need the models of the whole document first
    extra = [m for m in bare_versions(view, first) if not any(_overlaps(m, c) for c in first)]
    return sorted(first + extra, key=lambda m: m.start)
