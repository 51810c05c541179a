"""Easy, frequent coreference inside one document: a person named in full once, then by surname
and title (刘庆峰 … 刘董 / 刘总 / 任先生). Organisation pronouns (该公司, 双方) are resolved where
relations are read (:mod:`kg.extraction.relations`), since they need the sentence's structure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.extraction.lexicons import characters, words
from kg.extraction.ner.lexicon import SURNAMES_2
from kg.extraction.ner.spans import MentionIndex
from kg.extraction.ner.textview import TextView
from kg.models import Mention
from kg.schema import EntityType, Origin

_SHORT_TITLES = "|".join(words("titles.short"))
# a tagger may take 雷总 itself for a name: that is a reference, not a person to refer to
_TITLE_ONLY = re.compile(rf"[\u4e00-\u9fff]{{1,2}}(?:{_SHORT_TITLES})")
# 刘总 but not 刘总结 (a verb): a title followed by one of these runs on into another word
_TITLE_RUN_ON = characters("coref.title_run_on")


def surname_mentions(view: TextView, mentions: Sequence[Mention]) -> list[Mention]:
    """Surname + title mentions of persons already named in full, when the surname is unique."""
    by_surname: dict[str, set[str]] = {}
    for m in mentions:
        if m.type is EntityType.PERSON and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", m.canonical) \
                and not _TITLE_ONLY.fullmatch(m.canonical):
            surname = m.canonical[:2] if m.canonical[:2] in SURNAMES_2 else m.canonical[0]
            by_surname.setdefault(surname, set()).add(m.canonical)
    if not by_surname:
        return []
    out = []
    # a reference may override a guess (a rule's or a tagger's), never a known name
    taken = MentionIndex(m for m in mentions if m.origin not in (Origin.NER, Origin.TAGGER))
    rx = re.compile(rf"(?P<surname>{'|'.join(map(re.escape, sorted(by_surname, key=len, reverse=True)))})"
                    rf"(?:{_SHORT_TITLES})")
    for match in rx.finditer(view.norm):
        names = by_surname[match.group("surname")]
        start, end = match.start(), match.end()
        if len(names) != 1 or taken.any_overlapping(start, end):
            continue
        # 刘总 but not 刘总结 (a verb): the title must not run on into another word
        if view.norm[end:end + 1] in _TITLE_RUN_ON:
            continue
        out.append(view.mention(start, end, EntityType.PERSON, next(iter(names)), origin=Origin.COREF))
    return out


# in the file's order, not longest first: the short form's end is decided by what follows it
_ABBREVIATION_MARKERS = "|".join(map(re.escape, words("coref.abbreviation_markers")))
_ABBREVIATION = re.compile(
    rf"[(（]\s*(?:以下)?(?:{_ABBREVIATION_MARKERS})\s*[:：]?\s*[“\"「]?(?P<abbr>[^”\"」)）,，、]{{2,12}}?)[”\"」]?\s*[)）]"
)


def abbreviation_mentions(view: TextView, mentions: Sequence[Mention]) -> list[Mention]:
    """重庆小康工业集团股份有限公司（以下简称小康集团）: the short form, there and wherever it is used
    later, is the same organisation."""
    out: list[Mention] = []
    ends = {m.end: m for m in mentions if m.type in (EntityType.COMPANY, EntityType.ORGANIZATION)}
    taken = MentionIndex(m for m in mentions if m.origin not in (Origin.NER, Origin.TAGGER))
    # positions already offered per (abbreviation, type, full name): a repeated definition would
    # only offer the same uses again, and walking the rest of the text for each is quadratic
    offered: dict[tuple[str, EntityType, str], set[int]] = {}
    for match in _ABBREVIATION.finditer(view.norm):
        full = ends.get(match.start())
        if full is None:
            continue
        abbr = match.group("abbr").strip()
        pos = match.start("abbr")
        done = offered.setdefault((abbr, full.type, full.canonical), set())
        while pos != -1 and pos not in done:
            done.add(pos)
            end = pos + len(abbr)
            if not taken.any_overlapping(pos, end):
                out.append(view.mention(pos, end, full.type, full.canonical, origin=Origin.COREF))
            pos = view.norm.find(abbr, end)
    return out
