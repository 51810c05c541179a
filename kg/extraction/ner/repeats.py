"""A name is a name wherever the article writes it: the other occurrences of the names chosen once.

The tagger decides each occurrence from its own context, and may keep a name in one sentence and
miss it in the next (a product named in the headline, then only in a list). The dictionary already
finds every occurrence of its names; this does the same for the names the tagger and the rules
found in this document, so that every sentence that names an entity can relate it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from kg.extraction.ner.spans import MentionIndex
from kg.extraction.ner.textview import TextView
from kg.models import Mention

#: Shorter names than this are not looked for elsewhere (one character is too often part of a word).
MIN_CHARS = 2
_LATIN = re.compile(r"[A-Za-z0-9]")


def repeated_mentions(view: TextView, chosen: Sequence[Mention]) -> list[Mention]:
    """Mentions of the other occurrences of the names in ``chosen`` (as written, the same type and
    canonical name as their first mention) that overlap no chosen mention and cut no Latin word.

    >>> from kg.schema import EntityType, Origin
    >>> view = TextView("蔚来发布了ET9。ET9的售价为78.8万元。")
    >>> first = view.mention(5, 8, EntityType.PRODUCT, origin=Origin.TAGGER)
    >>> [(m.text, m.start, m.type.value) for m in repeated_mentions(view, [first])]
    [('ET9', 9, 'Product')]
    """
    named: dict[str, Mention] = {}
    for m in chosen:
        surface = view.norm[m.start:m.end]
        if len(surface.strip()) >= MIN_CHARS:
            named.setdefault(surface, m)
    if not named:
        return []
    taken = MentionIndex(chosen)
    text, out = view.norm, []
    for start, end, surface in scan(text, named):
        if taken.any_overlapping(start, end) or _cuts_latin(text, start, end):
            continue
        first = named[surface]
        out.append(view.mention(start, end, first.type, first.canonical, origin=first.origin))
    return out


def scan(text: str, names: Iterable[str]) -> list[tuple[int, int, str]]:
    """The occurrences of ``names`` in ``text`` as a regex alternation of them, longest first, finds
    them (leftmost first, the longest name there, none inside the one before), without compiling a
    regex per document.

    >>> scan("华为云和华为", ["华为", "华为云"])
    [(0, 3, '华为云'), (4, 6, '华为')]
    """
    every = [(at, at + len(name), name) for name in dict.fromkeys(names) for at in _starts(text, name)]
    out: list[tuple[int, int, str]] = []
    for start, end, name in sorted(every, key=lambda o: (o[0], o[0] - o[1])):
        if not out or start >= out[-1][1]:
            out.append((start, end, name))
    return out


def _starts(text: str, name: str) -> Iterator[int]:
    at = text.find(name)
    while at >= 0:
        yield at
        at = text.find(name, at + 1)


def _cuts_latin(text: str, start: int, end: int) -> bool:
    """Does ``[start, end)`` begin or end inside a run of Latin letters and digits (ET9 in ET95)?"""
    return bool((start > 0 and _LATIN.match(text[start - 1]) and _LATIN.match(text[start]))
                or (end < len(text) and _LATIN.match(text[end]) and _LATIN.match(text[end - 1])))
