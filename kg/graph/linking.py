"""Across documents: which entities of which documents are one node of the graph.

Every document's extraction names its entities (name, type, aliases); the graph needs one node per
real-world entity. Two entities of different documents are one node when their types agree and

1. their names have the same matching key (:func:`kg.io.normalize.key`: 科大訊飛 = 科大讯飞), or
2. the name of one is an alias of the other, or they share an alias (宁德时代 / CATL);

but never two entities of one document (the document's own resolution told them apart, see
:mod:`kg.extraction.merging`), and never a model, product or chip whose makers disagree: an ambiguous short
name (麒麟, 星火, 天工) is linked to a node only if the document names no maker of it (DEVELOPS,
or a company before its name) other than the node's makers, or names one of them (co-occurring
maker). So CATL's 麒麟 battery and Huawei's 麒麟 chip stay two nodes even when both are typed Chip.

Links are made in that order (same names first, then aliases), companies and the other kinds
before models, products and chips (whose makers are companies). A node is named by the name most
of its documents use (a Chinese and a shorter one on a tie); homonyms that stay apart are told
apart by their maker or type: ``麒麟 (宁德时代)``.

The user's curation (:mod:`kg.graph.curation`) comes first: entities it says are none are left out, its
types replace the extractor's, its merges join nodes whatever the rules say, its splits keep names
or documents apart, and its renames name the node.

>>> from kg.models import Entity, Extraction, Relation
>>> def doc(doc_id, *entities, develops=()):
...     return Extraction(doc_id=doc_id, entities=list(entities), relations=[Relation(head=h,
...         relation="DEVELOPS", tail=t, evidence=h + t, doc_id=doc_id, start=0, end=2) for h, t in develops])
>>> exs = [doc("a", Entity(name="宁德时代", type="Company", aliases=["CATL"])),
...        doc("b", Entity(name="宁德时代新能源科技股份有限公司", type="Company", aliases=["CATL"])),
...        doc("c", Entity(name="华为", type="Company"), Entity(name="麒麟", type="Chip"), develops=[("华为", "麒麟")]),
...        doc("d", Entity(name="宁德时代", type="Company"), Entity(name="麒麟", type="Chip"),
...            develops=[("宁德时代", "麒麟")])]
>>> nodes = link(exs).node_of
>>> nodes["a", "宁德时代"] == nodes["b", "宁德时代新能源科技股份有限公司"] == nodes["d", "宁德时代"]
True
>>> nodes["c", "麒麟"], nodes["d", "麒麟"]
('麒麟', '麒麟 (宁德时代)')
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from kg.extraction.merging import model_key
from kg.io.normalize import key as _key
from kg.models import Extraction
from kg.schema import ORG_LIKE, EntityType, RelationType

E = EntityType
#: The matching key of a name, remembered: a corpus names the same entities again and again.
key = lru_cache(maxsize=1 << 18)(_key)
_CJK = re.compile(r"[\u3400-\u9fff]")
#: Kinds whose makers tell homonyms apart; linked after the companies that make them.
ARTIFACTS = frozenset({E.AIMODEL, E.PRODUCT, E.CHIP})


@dataclass
class Item:
    """One entity of one document, as linking reads it."""

    doc: str
    name: str
    type: str
    name_key: str
    keys: frozenset[str]
    docs_index: int  # the document's place in the input (links are made in input order)
    mentions: int = 1
    makers: frozenset[str] = frozenset()  # names of the entities the document says make it
    companies: frozenset[str] = frozenset()  # names of the document's companies and organisations


@dataclass
class Linking:
    """``node_of[(doc_id, entity name)]``: the node of each entity; ``types``: each node's type."""

    node_of: dict[tuple[str, str], str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)


class _Groups:
    """Union-find over items, each group with its documents and makers (node names of companies)."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.parent = list(range(len(items)))
        self.docs: list[set[str]] = [{it.doc} for it in items]
        self.makers: list[set[int]] = [set() for _ in items]
        self.apart: set[frozenset[int]] = set()  # roots the curation keeps apart (updated on union)
        self.companies: dict[str, set[int]] = {}  # document -> its company nodes (set once linked)

    def companies_of(self, root: int) -> set[int]:
        """The company nodes named in the documents of group ``root``."""
        return {self.find(c) for doc in self.docs[root] for c in self.companies.get(doc, ())}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def may_join(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.docs[ra] & self.docs[rb]:
            return False  # a node never holds two entities of one document
        return frozenset((ra, rb)) not in self.apart

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, gone = min(ra, rb), max(ra, rb)
        self.parent[gone] = keep
        self.docs[keep] |= self.docs[gone]
        self.makers[keep] |= self.makers[gone]
        self.apart = {frozenset(keep if r == gone else r for r in pair) for pair in self.apart}


def items_of(extractions: Iterable[Extraction]) -> list[Item]:
    """What linking reads of each extraction's entities."""
    items: list[Item] = []
    for n, ex in enumerate(extractions):
        companies = frozenset(e.name for e in ex.entities if e.type in ORG_LIKE)
        company_keys = {key(e.name): e.name for e in ex.entities if e.type in ORG_LIKE}
        for e in ex.entities:
            if e.type in ORG_LIKE:
                company_keys.update({key(a): e.name for a in e.aliases if len(key(a)) >= 2})
        develops: dict[str, set[str]] = defaultdict(set)
        for r in ex.relations:
            if r.relation is RelationType.DEVELOPS:
                develops[r.tail].add(r.head)
        for e in ex.entities:
            names = [e.name, *e.aliases, *([e.english] if e.english else [])]
            keys = frozenset(k for k in map(key, names) if k)
            if e.type is E.AIMODEL:  # 星火V3.0 = 星火3.0, 文心大模型4.5 = 文心4.5 (as within a document)
                keys |= {m for m in map(model_key, keys) if len(m) >= 2}
            makers = set(develops.get(e.name, ()))
            if e.type in ARTIFACTS:  # 华为麒麟: a company of the document before the name
                for k in keys:
                    makers |= {c for ck, c in company_keys.items() if k.startswith(ck) and len(k) > len(ck)}
            items.append(Item(ex.doc_id, e.name, str(e.type), key(e.name), keys, n, max(e.mentions, 1),
                              frozenset(makers), companies))
    return items


def link(extractions: Iterable[Extraction], apart: Iterable[tuple[str, str]] = (),
         together: Iterable[Iterable[str]] = (), names: dict[str, str] | None = None) -> Linking:
    """The node of every entity of ``extractions`` (see the module docstring). The user's curation
    (:mod:`kg.graph.curation`): ``apart``, pairs of names (any alias, matched by key) never in one node;
    ``together``, groups of names always in one; ``names``, name key -> the name of the node of an
    entity of that name."""
    items = items_of(extractions)
    groups = _Groups(items)
    apart = list(apart)
    _link_kinds(items, groups, [t for t in map(str, EntityType) if EntityType(t) not in ARTIFACTS], apart)
    _set_makers(items, groups)
    _link_kinds(items, groups, [str(t) for t in ARTIFACTS], apart)
    together, names = [list(g) for g in together], dict(names or {})
    if not together and not names:
        return _named(items, groups, {})
    # the user names nodes as the graph shows them (麒麟 (宁德时代)) or by an entity's name
    shown = _named(items, groups, {})
    for group in together:
        roots = {r for n in group for r in _roots_named(items, groups, shown, n)}
        first = min(roots, default=None)
        for r in roots:
            groups.union(first, r)
    forced: dict[int, str] = {}
    for group in together:
        forced.update({r: group[0] for r in _roots_named(items, groups, shown, group[0])})
    for old_key, new in names.items():
        forced.update({r: new for r in _roots_named(items, groups, shown, old_key)})
    return _named(items, groups, forced)


def _by_key(items: list[Item], kinds: set[str]) -> tuple[dict[tuple[str, str], list[int]], dict[tuple[str, str],
                                                                                                    list[int]]]:
    names: dict[tuple[str, str], list[int]] = defaultdict(list)
    aliases: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        if it.type in kinds:
            names[(it.type, it.name_key)].append(i)
            for k in it.keys:
                aliases[(it.type, k)].append(i)
    return names, aliases


def _keep_apart(items: list[Item], groups: _Groups, apart: Iterable[tuple[str, str]]) -> None:
    """Make the groups holding the two names of each pair of ``apart`` unjoinable."""
    for a, b in apart:
        ka, kb = key(a), key(b)
        left = {groups.find(i) for i, it in enumerate(items) if ka in it.keys}
        right = {groups.find(i) for i, it in enumerate(items) if kb in it.keys}
        groups.apart |= {frozenset((x, y)) for x in left for y in right if x != y}


def _link_kinds(items: list[Item], groups: _Groups, kinds: list[str], apart: Iterable[tuple[str, str]]) -> None:
    """Link the items of ``kinds``: same names first, then a name that is another's alias, then
    shared aliases; each link checked (:meth:`_Groups.may_join`, makers)."""
    names, aliases = _by_key(items, set(kinds))
    _keep_apart(items, groups, apart)
    for members in names.values():
        _join_all(items, groups, members)
    for (etype, k), members in names.items():
        _join_all(items, groups, members + aliases.get((etype, k), []))
    for members in aliases.values():
        _join_all(items, groups, members)


def _join_all(items: list[Item], groups: _Groups, members: list[int]) -> None:
    """Join each of ``members`` (in input order) to the first group of the earlier ones the checks
    allow; the groups are few (most members join the first), so this is linear in the members."""
    ordered = sorted(set(members), key=lambda i: (items[i].docs_index, i))
    roots: list[int] = []
    for i in ordered:
        roots = list(dict.fromkeys(groups.find(r) for r in roots))
        for r in roots:
            if groups.may_join(r, i) and _makers_agree(groups, r, i):
                groups.union(r, i)
                break
        else:
            roots.append(groups.find(i))


def _set_makers(items: list[Item], groups: _Groups) -> None:
    """Each artifact's makers as company nodes (group roots), and each document's company nodes,
    now that companies are linked."""
    company_root: dict[tuple[str, str], int] = {}
    for i, it in enumerate(items):
        if EntityType(it.type) in ORG_LIKE:
            company_root[(it.doc, it.name)] = root = groups.find(i)
            groups.companies.setdefault(it.doc, set()).add(root)
    for i, it in enumerate(items):
        if it.makers:
            groups.makers[groups.find(i)] |= {company_root[(it.doc, m)] for m in it.makers
                                              if (it.doc, m) in company_root}


def _makers_agree(groups: _Groups, a: int, b: int) -> bool:
    """False for two artifacts whose documents name different makers, neither naming the other's
    (a group without makers, a company or a person agrees with anything)."""
    ra, rb = groups.find(a), groups.find(b)
    ma, mb = groups.makers[ra], groups.makers[rb]
    if not ma or not mb or ma & mb:
        return True
    return bool(ma & groups.companies_of(rb) or mb & groups.companies_of(ra))


def _roots_named(items: list[Item], groups: _Groups, shown: Linking, name: str) -> set[int]:
    """The groups the user means by ``name``: the node shown under that name, else the nodes of
    the entities of that name."""
    k = key(name)
    by_node = {groups.find(i) for i, it in enumerate(items) if key(shown.node_of[(it.doc, it.name)]) == k}
    return by_node or {groups.find(i) for i, it in enumerate(items) if it.name_key == k}


def _named(items: list[Item], groups: _Groups, forced: dict[int, str]) -> Linking:
    """Name each group: the name the user gave it (``forced``, by group), else the name most of its
    documents use (then the one most mentioned, a Chinese one, the shortest, the first in order); a
    name two groups want goes to the one the user named, else the one with more documents, the
    other told apart by its maker, else its type, else a number."""
    forced = {groups.find(r): name for r, name in forced.items()}
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        members[groups.find(i)].append(i)
    wanted: dict[int, str] = {}
    types: dict[int, str] = {}
    for root, idx in members.items():
        counts = Counter(items[i].name for i in idx)
        said = Counter()
        first: dict[str, int] = {}
        for n, i in enumerate(idx):
            first.setdefault(items[i].name, n)
            said[items[i].name] += items[i].mentions
        wanted[root] = forced.get(root) or max(counts, key=lambda n: (counts[n], said[n], bool(_CJK.search(n)),
                                                                      -len(n), -first[n]))
        votes = Counter(items[i].type for i in idx)
        types[root] = max(sorted(votes), key=votes.__getitem__)
    size = {root: len(groups.docs[root]) for root in members}
    order = sorted(members, key=lambda r: (r not in forced, -size[r], min(items[i].docs_index for i in members[r]), r))
    taken: set[str] = set()
    final: dict[int, str] = {}
    for root in order:
        final[root] = _free_name(wanted[root], types[root], _maker_names(groups, final, root), taken)
        taken.add(final[root])
    out = Linking()
    for root, idx in members.items():
        for i in idx:
            out.node_of[(items[i].doc, items[i].name)] = final[root]
        out.types[final[root]] = types[root]
    return out


def _maker_names(groups: _Groups, final: dict[int, str], root: int) -> list[str]:
    return sorted(final[m] for m in groups.makers[root] if m in final)


def _free_name(name: str, etype: str, makers: list[str], taken: set[str]) -> str:
    """``name``, or the first of ``name (maker)``, ``name (Type)``, ``name (2)`` … no node has."""
    candidates = [name, *(f"{name} ({m})" for m in makers), f"{name} ({etype})"]
    for c in candidates:
        if c not in taken:
            return c
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"
