"""Run all recognisers and keep one consistent set of non-overlapping mentions."""

from __future__ import annotations

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
    chosen: list[Mention] = []
    ranked = sorted(candidates, key=lambda m: (-(m.end - m.start), _ORIGIN_RANK[m.origin], m.start))
    for m in ranked:
        clash = [c for c in chosen if _overlaps(c, m)]
        if clash:
            continue
        if m.origin == "ner" and any(
            _overlaps(d, m) and d.origin == "dictionary" and not (m.start <= d.start and d.end <= m.end)
            for d in candidates
        ):
            continue
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


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
