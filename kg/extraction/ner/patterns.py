"""Names found by how they are built, not by list: a model family and its version.

Each function takes the text view and the dictionary mentions already found (brands, model
families) and returns new candidate mentions; :mod:`kg.extraction.ner.combine` settles overlaps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kg.extraction.lexicons import alternation, words
from kg.extraction.ner.textview import TextView
from kg.models import Mention
from kg.schema import EntityType

E = EntityType
CJK = "\u4e00-\u9fff"
#: The head nouns of a model's name, longest first (大模型 before 模型).
_MODEL_HEADS = alternation("products.model_heads").pattern
_EDITION = r"(?:\s?(?:Turbo|Pro|Max|Plus|Ultra|Mini|mini|Lite|Flash|Air))?"
# A version: 4.0 / V3.0 / X1 / -R1 / 3.5 Turbo / 3.0版. Plain integers only with 版/版本 after them,
# so a count or a date after a model's name (… 1 月, … 1200 万) never becomes a version.
VERSION = (
    rf"(?:[Vv]\d+(?:\.\d+)*{_EDITION}"
    rf"|\d+\.\d+{_EDITION}"
    rf"|[A-Z]\d{{1,2}}{_EDITION}"
    rf"|\d+(?=版本?)"
    rf"|[o]\d(?![0-9]))"
)
_AFTER_MODEL = re.compile(
    rf"(?P<fill>(?:[{CJK}]{{0,6}}?(?:{_MODEL_HEADS}))|认知)?\s?-?\s?(?P<ver>{VERSION})(?![A-Za-z0-9.])(?P<ban>版本|版)?"
)
_DESCRIPTOR_MODEL = re.compile(rf"(?P<desc>[{CJK}A-Za-z]{{1,6}}?)(?P<head>{_MODEL_HEADS})")
# Descriptors that only restate the family (星火认知大模型 = 讯飞星火), not a new model.
_GENERIC_DESCRIPTORS = frozenset(words("products.generic_model_descriptors"))


def _join_version(base: str, version: str) -> str:
    version = version.strip().lstrip("-").strip()
    if base[-1:].isascii() and base[-1:].isalpha() and version[:1].isalpha():
        return f"{base}-{version}"
    if base[-1:].isascii() and base[-1:].isalnum() and version[:1].isdigit():
        return f"{base}-{version}"
    return f"{base}{version}"


def model_versions(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """A known model family or company followed by a version: 讯飞星火X1, 星火认知大模型V3.0,
    DeepSeek-R1, 讯飞星火4.0 Turbo. Also a family + descriptor + 大模型: 星火多语言大模型."""
    out: list[Mention] = []
    text = view.norm
    for m in known:
        if m.type not in (E.AIMODEL, E.COMPANY):
            continue
        match = _AFTER_MODEL.match(text, m.end)
        if match:
            ver = match.group("ver")
            if m.type is E.COMPANY and (match.group("fill") or not ver[:1].isalpha()):
                continue
            end = match.end("ban") if match.group("ban") else match.end("ver")
            canonical = _join_version(m.canonical, ver)
            out.append(view.mention(m.start, end, E.AIMODEL, canonical))
            continue
        desc = _DESCRIPTOR_MODEL.match(text, m.end)
        if desc and m.type is E.AIMODEL and desc.group("desc") not in _GENERIC_DESCRIPTORS:
            surface = text[m.start:desc.end()]
            out.append(view.mention(m.start, desc.end(), E.AIMODEL, surface.replace(" ", "")))
    return out


def bare_versions(view: TextView, mentions: Iterable[Mention]) -> list[Mention]:
    """A bare version (R1, X1) standing for a model of this document with that version."""
    by_version: dict[str, set[str]] = {}
    for m in mentions:
        if m.type is E.AIMODEL:
            tail = re.search(r"([A-Z]\d{1,2})$", m.canonical)
            if tail and tail.start() > 0:  # a bare version itself (X1) names no family
                by_version.setdefault(tail.group(1), set()).add(m.canonical)
    out = []
    for match in re.finditer(r"(?<![A-Za-z0-9.\-])([A-Z]\d{1,2})(?![A-Za-z0-9])", view.norm):
        models = by_version.get(match.group(1))
        if models and len(models) == 1:
            out.append(view.mention(match.start(), match.end(), E.AIMODEL, next(iter(models))))
    return out


#: The naming patterns the rule-based taggers run (``--ner jieba``, ``lac``, ``none``). Each earned its
#: place on the development split of the annotated news (docs/accuracy.md); chip numbers, Latin model
#: names, quoted products, brand + product heads, launched lists, events and locative places did
#: not, and went.
ALL_PATTERNS = (model_versions,)
#: The patterns whose names the statistical tagger weighs as proposals: a known model family and its
#: version (讯飞星火 + X1) is one name the CRF may cut in two.
PROPOSING = (model_versions,)
