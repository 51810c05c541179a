"""Run the recognisers in stages and keep one consistent set of non-overlapping mentions."""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from kg.extraction.coref.names import abbreviation_mentions, surname_mentions
from kg.extraction.lexicons import characters, words
from kg.extraction.ner.organisations import org_suffix_mentions
from kg.extraction.ner.patterns import ALL_PATTERNS, bare_versions
from kg.extraction.ner.people import title_person_mentions
from kg.extraction.ner.repeats import repeated_mentions
from kg.extraction.ner.spans import MentionIndex
from kg.extraction.ner.taggers.base import Batched, Recogniser
from kg.extraction.ner.textview import TextView
from kg.extraction.ner.webaddresses import outside_web_addresses
from kg.models import Mention
from kg.schema import EntityType, Origin

_ORIGIN_RANK = {Origin.DICTIONARY: 0, Origin.PATTERN: 1, Origin.COREF: 2, Origin.TAGGER: 3, Origin.NER: 4}



def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def select(candidates: list[Mention]) -> list[Mention]:
    """Longest span first; on equal length, dictionary beats pattern beats reference beats tagger
    beats rule. A guess (a tagger's or a rule's) never cuts a dictionary name; a statistical
    tagger's names first push out the rules' guesses they overlap (see ``_tagger_boundaries``).
    """
    if not candidates:
        return []
    candidates = _tagger_boundaries(candidates)
    size = max(m.end for m in candidates) + 1
    taken = bytearray(size)
    # dictionary mentions never overlap each other: index them by start for the tagger check
    dictionary = sorted((m for m in candidates if m.origin is Origin.DICTIONARY), key=lambda m: m.start)
    dict_starts = [m.start for m in dictionary]
    chosen: list[Mention] = []
    ranked = sorted(candidates, key=lambda m: (-(m.end - m.start), _ORIGIN_RANK[m.origin], m.start))
    for m in ranked:
        if any(taken[m.start:m.end]):
            continue
        if m.origin in (Origin.NER, Origin.TAGGER) and _cuts_a_dictionary_name(m, dictionary, dict_starts):
            continue
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
        chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


def _tagger_boundaries(candidates: list[Mention]) -> list[Mention]:
    """Where a tagger that read the whole sentence found a name, the guesses of the rules for
    open-vocabulary names overlapping it go, and so do compound places (陕西省铜川市 is two places
    to a tagger): on the development corpora its boundaries are the better ones (docs/accuracy.md)."""
    tagged = [m for m in candidates if m.origin is Origin.TAGGER]
    if not tagged:
        return candidates
    registered = _registered_names(candidates, tagged)
    if registered:  # the tagger's pieces of a registered name go; nothing tagged then overlaps it
        whole = MentionIndex(registered)
        cut = {id(m) for m in tagged if whole.any_overlapping(m.start, m.end)}
        tagged = [m for m in tagged if id(m) not in cut]
        candidates = [m for m in candidates if id(m) not in cut]
    index = MentionIndex(tagged)

    def beaten(m: Mention) -> bool:
        rule = m.origin is Origin.NER or (m.origin is Origin.PATTERN and m.type is EntityType.PLACE)
        return rule and index.any_overlapping(m.start, m.end)

    return [m for m in candidates if not beaten(m)]


#: Endings of a company's registered name (kg/data/lexicons.toml).
REGISTERED_ENDINGS = tuple(words("tagger_filters.registered_company_endings"))


def _registered_names(candidates: list[Mention], tagged: list[Mention]) -> list[Mention]:
    """The rules' registered company names (…有限公司) that the tagger read as a place and then a
    company ending where the name ends (合肥|资产运营有限公司): the place is part of the registered name,
    which is one entity."""
    starts = {(m.start, m.type) for m in tagged}
    ends = {(m.end, m.type) for m in tagged}
    return [m for m in candidates if m.origin is Origin.NER and m.type is EntityType.COMPANY
            and m.text.endswith(REGISTERED_ENDINGS) and (m.start, EntityType.PLACE) in starts
            and (m.end, EntityType.COMPANY) in ends]


#: Words that join two names into a list (星海与Starsea), never into one name.
_JOINERS = characters("names.list_joiner_chars")


def _cuts_a_dictionary_name(m: Mention, dictionary: list[Mention], starts: list[int]) -> bool:
    """True when ``m`` overlaps a dictionary mention without containing it whole, or is made of two
    (阿里云联手中国联通 begins with one and ends with another), or contains two joined by 与/和/、:
    a list of names, not a name."""
    i = max(0, bisect_left(starts, m.start) - 1)
    inside: list[Mention] = []
    while i < len(dictionary) and dictionary[i].start < m.end:
        d = dictionary[i]
        if _overlaps(d, m):
            if not (m.start <= d.start and d.end <= m.end):
                return True
            inside.append(d)
        i += 1
    if len(inside) >= 2 and inside[0].start == m.start and inside[-1].end == m.end:
        return True
    return any(_JOINERS.intersection(m.text[a.end - m.start:b.start - m.start]) for a, b in itertools.pairwise(inside))


def _run(recognisers: Sequence[Recogniser], view: TextView, known: Sequence[Mention]) -> list[Mention]:
    return [m for recognise in recognisers for m in recognise(view, known)]


#: Naming patterns (read the dictionary's names): model versions.
PATTERNS: tuple[Recogniser, ...] = ALL_PATTERNS
#: Rules for open-vocabulary names (read what the dictionary and patterns found).
#: (Each measured on the development split for the rule-based taggers; the organisation before a
#: leader's title did not help and went.)
NAME_RULES: tuple[Recogniser, ...] = (org_suffix_mentions, title_person_mentions)
#: References back to names already chosen (刘董, 以下简称X).
REFERENCES: tuple[Recogniser, ...] = (surname_mentions, abbreviation_mentions)


@dataclass(frozen=True)
class MentionFinder:
    """All entity mentions of a document, non-overlapping, in text order.

    Stages: the dictionary; the naming patterns, which build on its names; the name rules and the
    tagger, which see both; a first choice among the candidates; references back to the chosen
    names (which may override a tagger's guess); a second choice; bare versions (R1) last, as they
    need the document's models.
    """

    dictionary: Recogniser
    tagger: Recogniser
    patterns: tuple[Recogniser, ...] = PATTERNS
    name_rules: tuple[Recogniser, ...] = NAME_RULES
    references: tuple[Recogniser, ...] = REFERENCES

    def prepare(self, views: Sequence[TextView]) -> None:
        """Let the recognisers that read many documents better at once (a statistical tagger) read
        ``views`` now; each then answers from what it prepared (:class:`kg.extraction.ner.taggers.base.Batched`)."""
        for recogniser in (*self.name_rules, self.tagger):
            if isinstance(recogniser, Batched) and views:
                recogniser.prepare(views)

    def __call__(self, view: TextView) -> list[Mention]:
        known = self.dictionary(view, [])
        seen = known + _run(self.patterns, view, known)
        candidates = seen + _run((*self.name_rules, self.tagger), view, seen)
        first = select(candidates)
        first = select(candidates + _run(self.references, view, first))
        chosen = MentionIndex(first)
        versions = bare_versions(view, first)
        extra = [m for m in versions if not chosen.any_overlapping(m.start, m.end)]
        first = with_known_names(first, seen + versions) + extra
        first += repeated_mentions(view, first)
        return sorted(outside_web_addresses(view.norm, first), key=lambda m: m.start)


def with_known_names(chosen: list[Mention], known: Sequence[Mention]) -> list[Mention]:
    """A tagger's mention keeps the name a dictionary or naming pattern gave the same span and type
    (星火 X1 -> 讯飞星火X1, a bare X1 -> the document's 讯飞星火X1), so that the text's forms of one
    entity meet under one name; the tagger decides that the span is a name, the others what it is called."""
    named = {(m.start, m.end, m.type): m.canonical for m in known if m.origin is not Origin.TAGGER}
    out = []
    for m in chosen:
        canonical = named.get((m.start, m.end, m.type)) if m.origin is Origin.TAGGER else None
        out.append(m.model_copy(update={"canonical": canonical}) if canonical and canonical != m.canonical else m)
    return out
