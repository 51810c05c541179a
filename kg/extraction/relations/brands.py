"""Company names inside product names: 华为昇腾910B is 华为's, and 讯飞星火 as the subject of a
company's action (讯飞星火与中科院文献情报中心联合打造…) stands for its maker 科大讯飞."""

from __future__ import annotations

from collections.abc import Mapping

from kg.extraction.dictionary import Dictionary
from kg.extraction.relations.base import E, Span
from kg.io.normalize import key


def brand_prefix(surface: str, dictionary: Dictionary,
                 companies: Mapping[str, str] | None = None) -> tuple[str, int] | None:
    """The company whose name (any alias, of the dictionary or ``companies``: name key -> name, the
    document's own) opens ``surface``, if the rest is a name of its own, and where in ``surface``
    that name ends.

    >>> brand_prefix("华为昇腾910B", Dictionary.default())
    ('华为', 2)
    >>> brand_prefix("星海Nova", Dictionary.default(), {"星海": "星海科技"})
    ('星海科技', 2)
    """
    lead = len(surface) - len(surface.lstrip())
    text = surface.strip()
    for cut in range(min(len(text) - 2, 8), 1, -1):
        entry = dictionary.lookup(text[:cut])
        if entry is not None and entry.type is E.COMPANY:
            return entry.name, lead + cut
        if companies and (name := companies.get(key(text[:cut]))) is not None:
            return name, lead + cut
    return None


def brand_span(span: Span, dictionary: Dictionary, companies: Mapping[str, str] | None = None) -> Span | None:
    """The company named at the start of the mention ``span`` (讯飞 in 讯飞星火), as a span of its own."""
    if not span.surface or span.antecedent is not None or span.named is not None:
        return None
    brand = brand_prefix(span.surface, dictionary, companies)
    if brand is None:
        return None
    name, end = brand
    return Span(name, E.COMPANY, span.start, span.start + end, span.surface[:end], inside=True)
