"""Resolving mentions to entities: one entity per canonical name, whatever the surface form.

Within a document, mentions whose canonical names share a matching key are one entity; model
versions that differ only by a leading V (星火3.0 / 星火V3.0) are one entity too. The type is the
dictionary's where the dictionary knows the name, else the majority of the mentions' types.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from kg.extraction.dictionary import Dictionary
from kg.io.normalize import key, normalize
from kg.io.textsafety import strip_format
from kg.models import Entity, Mention
from kg.schema import EntityType, Origin

_V_BEFORE_DIGIT = re.compile(r"(?<=[^a-z0-9])v(?=\d)|^v(?=\d)")


def _merge_key(m: Mention) -> str:
    k = key(m.canonical)
    if m.type is EntityType.AIMODEL:
        k = _V_BEFORE_DIGIT.sub("", k)
    return k


def resolve_mentions(mentions: list[Mention], dictionary: Dictionary) -> tuple[list[Entity], dict[int, str]]:
    """Entities of a document and, for each mention index, the name of its entity."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        groups[_merge_key(m)].append(i)
    by_name: dict[str, dict] = {}
    owner: dict[int, str] = {}
    for group_key, idxs in groups.items():
        group = [mentions[i] for i in idxs]
        entry = _dictionary_entry(group, group_key, dictionary)
        if entry is not None:
            name, etype, english, extra = entry.name, entry.type, entry.english, list(entry.aliases)
        else:
            names = Counter(m.canonical for m in group)
            # prefer the fullest spelling of a version (V3.0 over 3.0), then the most frequent
            name = max(names, key=lambda n: (len(n), names[n]))
            etype = Counter(m.type for m in group).most_common(1)[0][0]
            english, extra = None, []
        slot = by_name.setdefault(name, {"type": etype, "english": english, "surfaces": [], "count": 0})
        # surface forms as written, without any zero-width or bidi character hidden in them
        slot["surfaces"] += [strip_format(m.text).strip() for m in group]
        slot["surfaces"] += [normalize(strip_format(m.text)).strip() for m in group]
        slot["surfaces"] += [m.canonical for m in group] + extra + ([english] if english else [])
        slot["count"] += len(group)
        for i in idxs:
            owner[i] = name
    for last, surface in compound_places(mentions):
        by_name[owner[last]]["surfaces"].append(surface)
    entities = [
        Entity(name=name, type=slot["type"], english=slot["english"], mentions=slot["count"],
               aliases=[s for s in dict.fromkeys(slot["surfaces"]) if s and s != name])
        for name, slot in by_name.items()
    ]
    return entities, owner


def compound_places(mentions: list[Mention]) -> list[tuple[int, str]]:
    """Places written back to back (广东省深圳市, 德国慕尼黑) name the last, most specific one: for
    each such run, the index of its last mention and the whole run as written (an alias of it).
    ``mentions`` in text order.

    >>> P = EntityType.PLACE
    >>> ms = [Mention(text=t, start=a, end=a + len(t), type=P, canonical=t) for t, a in (("广东省", 0), ("深圳市", 3))]
    >>> compound_places(ms)
    [(1, '广东省深圳市')]
    """
    out = []
    run: list[int] = []
    for i, m in enumerate([*mentions, None]):
        prev = mentions[run[-1]] if run else None
        if m is not None and prev is not None and m.type is prev.type is EntityType.PLACE and m.start == prev.end:
            run.append(i)
            continue
        if len(run) > 1:
            out.append((run[-1], "".join(strip_format(mentions[j].text) for j in run)))
        run = [i] if m is not None and m.type is EntityType.PLACE else []
    return out


def _dictionary_entry(group: list[Mention], group_key: str, dictionary: Dictionary):
    """The dictionary entry a group of mentions stands for, if the dictionary knows it."""
    for m in group:
        entry = dictionary.lookup(m.canonical)
        if entry is not None and (m.origin is Origin.DICTIONARY or key(entry.name) == group_key):
            return entry
    return None
