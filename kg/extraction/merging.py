"""Within one document: entities that are one, merged, with the evidence that justified it kept on
the entity (:class:`kg.models.Merge`).

Resolving mentions (:mod:`kg.extraction.resolve`) joins the surface forms of one name; a text also names one
thing in several ways, and says so or shows it:

* declared: 宁德时代新能源科技股份有限公司（以下简称"宁德时代"）, 华为（Huawei）, 又称 …;
* short form: a registered or fuller name and the short one, where the text uses both
  (X股份有限公司 / X科技 / X集团 -> X, 杭州宇树科技股份有限公司 -> 宇树科技, 合肥市 -> 合肥,
  清华大学 -> 清华, X大模型 -> X, X系列 -> X): what each type's fuller form may add is listed in
  ``kg/data/lexicons.toml`` (``resolution.restating_*``), measured on the annotated news;
* maker: a model or product and its maker-prefixed form, the maker a company of the document
  (腾讯混元 / 混元, 理想MEGA / MEGA, DeepSeek-R1 / R1).

Both sides must have the same type, and a company's own business (小米旗下的小米汽车) stays apart.
The merged entity keeps the name the text uses most (the dictionary's name first), every other
name as an alias, and a ``merged_from`` record per merged entity: its name, the rule, and where the
text shows it (the declaration, or the merged name's first mention), offsets into the document.

>>> from kg.extraction.dictionary import Dictionary
>>> from kg.models import Mention
>>> text = "宁德时代新能源科技股份有限公司（以下简称“宁德时代”）成立于2011年，宁德时代总部位于宁德。"
>>> view = TextView(text)
>>> C = EntityType.COMPANY
>>> ms = [view.mention(0, 15, C), view.mention(21, 25, C), view.mention(37, 41, C)]
>>> entities = [Entity(name="宁德时代新能源科技股份有限公司", type=C, mentions=1),
...             Entity(name="宁德时代", type=C, mentions=2)]
>>> owner = {0: "宁德时代新能源科技股份有限公司", 1: "宁德时代", 2: "宁德时代"}
>>> merged, owner = merge_within(view, ms, entities, owner, Dictionary.load(shipped=False))
>>> [(e.name, e.aliases, [(f.name, f.rule, text[f.start:f.end]) for f in e.merged_from]) for e in merged]
[('宁德时代', ['宁德时代新能源科技股份有限公司'], [('宁德时代新能源科技股份有限公司', 'declared', \
'宁德时代新能源科技股份有限公司（以下简称“宁德时代”）')])]
>>> sorted(set(owner.values()))
['宁德时代']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.extraction.dictionary import Dictionary
from kg.extraction.lexicons import alternation, words
from kg.extraction.ner.textview import TextView
from kg.io.normalize import key
from kg.models import Entity, Mention, Merge
from kg.schema import ORG_LIKE, EntityType

E = EntityType
#: What the fuller form of a name of each type may add to the short one (see the module docstring).
RESTATING: dict[EntityType, tuple[str, ...]] = {
    E.COMPANY: words("resolution.restating_company"),
    E.ORGANIZATION: words("resolution.restating_organization"),
    E.PLACE: words("resolution.restating_place"),
    E.AIMODEL: words("resolution.restating_aimodel"),
    E.CHIP: words("resolution.restating_chip"),
    E.PRODUCT: words("resolution.restating_product"),
}
_REGISTERED = tuple(key(w) for w in words("resolution.registered_endings"))
_BUSINESS_LINES = tuple(key(w) for w in words("resolution.business_lines"))
#: Most characters a registered name may give its trade between the short name and the ending.
_TRADE = 8
_ARTIFACTS = frozenset({E.AIMODEL, E.PRODUCT, E.CHIP})
_DECLARING = sorted(words("resolution.declaring_words"), key=len, reverse=True)
_SUBSIDIARY = words("resolution.subsidiary_words")
_PARENS = re.compile(r"[(（](?P<inside>[^()（）]{1,60})[)）]")
_NO_PARENS = re.compile(rf"[，,]\s*(?:{'|'.join(map(re.escape, _DECLARING))})\s*[:：]?\s*[“\"「『]?"
                        r"(?P<short>[^，,。；;：:“”\"「」『』()（）\s]{2,20}?)[”\"」』]?(?=[，,。；;）)\s])")
_QUOTES = "“”\"「」『』‘’'《》"
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9 .&'+\-]*[A-Za-z0-9.+]")
_TICKER = re.compile(r"\.[A-Za-z]{1,2}$|^[A-Z]{1,6}\s*[:：]|\d{4,}")
_MODEL_INFIX = re.compile(alternation("products.model_heads").pattern + r"|(?<=[^a-z0-9])v(?=\d)|^v(?=\d)")


@dataclass
class _Join:
    """Two entities found to be one, and where the text shows it. ``into`` is the name the rule
    prefers to keep (unless the dictionary or the text's usage says otherwise)."""

    into: str
    merged: str
    rule: str
    start: int
    end: int


@dataclass
class _Document:
    """What the rules read: each entity's forms as the text writes them (matching keys), its type,
    its first mention, and the document's companies."""

    view: TextView
    entities: dict[str, Entity]
    forms: dict[str, set[str]] = field(default_factory=dict)
    first: dict[str, tuple[int, int]] = field(default_factory=dict)
    spans: dict[tuple[int, int], str] = field(default_factory=dict)

    @classmethod
    def read(cls, view: TextView, mentions: Sequence[Mention], entities: Iterable[Entity],
             owner: dict[int, str]) -> _Document:
        doc = cls(view, {e.name: e for e in entities})
        for name in doc.entities:
            doc.forms[name] = {key(name)}
        for i, m in enumerate(mentions):
            name = owner[i]
            doc.forms[name].update(k for k in (key(m.text), key(m.canonical)) if k)
            doc.first.setdefault(name, (m.start, m.end))
            doc.spans[(m.start, m.end)] = name
        return doc

    def by_form(self, types: Iterable[EntityType]) -> dict[str, set[str]]:
        wanted = set(types)
        out: dict[str, set[str]] = defaultdict(set)
        for name, forms in self.forms.items():
            if self.entities[name].type in wanted:
                for f in forms:
                    out[f].add(name)
        return out

    def evidence(self, name: str) -> tuple[int, int]:
        return self.first.get(name, (0, 0))


def merge_within(view: TextView, mentions: Sequence[Mention], entities: list[Entity], owner: dict[int, str],
                 dictionary: Dictionary, offset: int = 0) -> tuple[list[Entity], dict[int, str]]:
    """The entities of one text (``view``, at ``offset`` in its document) with those that are one
    merged, and each mention's owner updated. ``entities`` and ``owner`` are what
    :func:`kg.extraction.resolve.resolve_mentions` gives for ``mentions``."""
    if len(entities) < 2 and not _PARENS.search(view.norm):
        return entities, owner
    doc = _Document.read(view, mentions, entities, owner)
    joins = [*declared(doc), *short_forms(doc, dictionary), *maker_prefixed(doc)]
    aliases = _declared_aliases(doc)
    if not joins and not aliases:
        return entities, owner
    merged = _apply(doc, joins, dictionary, offset)
    for name, extra in aliases.items():
        target = merged.renamed.get(name, name)
        e = merged.entities[target]
        for alias in extra:
            if alias != e.name and alias not in e.aliases:
                e.aliases.append(alias)
            if _LATIN_NAME.fullmatch(alias) and not e.english:
                e.english = alias
    new_owner = {i: merged.renamed.get(name, name) for i, name in owner.items()}
    order = list(dict.fromkeys(merged.renamed.get(e.name, e.name) for e in entities))
    return [merged.entities[n] for n in order], new_owner


# --- the rules ----------------------------------------------------------------------------------


def _inside_parts(inside: str) -> list[tuple[str, bool]]:
    """The names in a parenthesis (宁德时代, Huawei, 又譯川普 …), each with whether a declaring word
    (以下简称, 又称 …) introduced it."""
    parts = []
    for part in re.split(r"[，,;；、]", inside):
        part = part.strip()
        declared_here = False
        for word in _DECLARING:
            if part.startswith(word):
                part, declared_here = part[len(word):].lstrip(":： "), True
                break
        part = part.strip(_QUOTES + " ")
        if part:
            parts.append((part, declared_here))
    return parts


def _before_paren(doc: _Document, at: int) -> tuple[str, int] | None:
    """The entity whose mention ends at ``at`` (spaces before a parenthesis allowed), and where
    that mention starts."""
    while at > 0 and doc.view.norm[at - 1] == " ":
        at -= 1
    for (start, end), name in doc.spans.items():
        if end == at:
            return name, start
    return None


def declared(doc: _Document) -> Iterable[_Join]:
    """X（以下简称Y）, X（Y） with Y an entity of X's type, X，简称Y: Y is X."""
    names = doc.by_form(EntityType)
    for match in _PARENS.finditer(doc.view.norm):
        found = _before_paren(doc, match.start())
        if found is None:
            continue
        full, start = found
        for part, declared_here in _inside_parts(match.group("inside")):
            for other in names.get(key(part), ()):
                if other != full and _may_declare(doc, full, other, declared_here):
                    # a declared short name is the one the text goes on to use; a translation is not
                    into, merged = (other, full) if declared_here else (full, other)
                    yield _Join(into, merged, "declared", start, match.end())
    for match in _NO_PARENS.finditer(doc.view.norm):
        found = _before_paren(doc, match.start())
        if found is None:
            continue
        full, start = found
        for other in names.get(key(match.group("short")), ()):
            if other != full and doc.entities[other].type is doc.entities[full].type:
                yield _Join(other, full, "declared", start, match.end())


def _may_declare(doc: _Document, full: str, other: str, declared_here: bool) -> bool:
    """Whether a parenthesis after ``full`` naming ``other`` makes them one: the same type, and
    without a declaring word neither places (中国（深圳）: a place in a place) nor a model and its
    family (Qwen-7B（通义千问）: one has a version, the other none)."""
    a, b = doc.entities[full], doc.entities[other]
    if a.type is not b.type:
        return False
    if declared_here:
        return True
    if a.type is E.PLACE:
        return False
    return not (a.type in _ARTIFACTS and bool(re.search(r"\d", full)) != bool(re.search(r"\d", other)))


def _declared_aliases(doc: _Document) -> dict[str, list[str]]:
    """Names a parenthesis gives an entity that are no entity of the document: a short name
    declared (以下简称Y) or an English name (华为（Huawei）), each an alias of the entity."""
    known = doc.by_form(EntityType)
    out: dict[str, list[str]] = defaultdict(list)
    for match in _PARENS.finditer(doc.view.norm):
        found = _before_paren(doc, match.start())
        if found is None:
            continue
        full = found[0]
        for part, declared_here in _inside_parts(match.group("inside")):
            if key(part) in known or not 2 <= len(part) <= 40:
                continue
            latin = _LATIN_NAME.fullmatch(part) is not None and not _TICKER.search(part)
            if latin or (declared_here and re.fullmatch(r"[\u3400-\u9fffA-Za-z0-9·.\-]+", part)):
                out[full].append(part)
    return out


def _subsidiary_before(doc: _Document, long: str) -> bool:
    """True when the text says the fuller name is a business of another company (小米旗下小米汽车,
    X的子公司X科技): a word of ownership right before the fuller name's first mention."""
    start, _ = doc.evidence(long)
    before = doc.view.norm[max(0, start - 6):start]
    return any(w in before for w in _SUBSIDIARY)


def _own_business(dictionary: Dictionary, short: str, long: str, ending: str) -> bool:
    """True for 小米 / 小米汽车: an ending that may name a business of the company, after a short
    name the dictionary knows without that fuller form among its names."""
    if ending not in _BUSINESS_LINES:
        return False
    entry = dictionary.lookup(short)
    return entry is not None and entry.type is E.COMPANY and dictionary.lookup(long) is not entry


def short_forms(doc: _Document, dictionary: Dictionary) -> Iterable[_Join]:
    """A fuller form and a short one of the same type, both in the text (see ``RESTATING``).

    A registered name with a trade between the short name and its ending (奥克斯电气有限公司 /
    奥克斯) is the short one's only where it introduces the company (named first) and names no
    region (黑芝麻智能科技(上海)有限公司 is a subsidiary); where the text names both a group and a
    listed company of one short name (通威集团, 通威股份), the short name is the listed company."""
    places = set(doc.by_form([E.PLACE])) | _dictionary_places(doc, dictionary)
    for etype, restating in RESTATING.items():
        shorts = doc.by_form([etype])
        if len(shorts) < 2:
            continue
        endings = tuple(key(w) for w in restating)
        found: dict[str, dict[str, str]] = defaultdict(dict)  # short -> long -> the ending's first word
        for form, longs in list(shorts.items()):
            for short_form, ending, registered in _shorter(form, endings, shorts, places, etype):
                for long in longs:
                    for short in shorts[short_form]:
                        if short == long or _subsidiary_before(doc, long) or \
                                _own_business(dictionary, short, long, ending):
                            continue
                        if registered and (doc.evidence(long) > doc.evidence(short) or "(" in long or "（" in long):
                            continue
                        found[short].setdefault(long, ending)
        for short, longs in found.items():
            group_and_listed = {"集团", "股份"} <= {e[:2] for e in longs.values()}
            for long, ending in longs.items():
                if not (group_and_listed and ending.startswith("集团")):
                    yield _Join(short, long, "short-form", *doc.evidence(long))
        if etype is E.AIMODEL:
            yield from _model_variants(doc, shorts)


def _dictionary_places(doc: _Document, dictionary: Dictionary) -> set[str]:
    """Places the dictionary knows that open an organisation's name in the text (杭州 of
    杭州宇树科技股份有限公司, 中国 of 中国证监会), as matching keys."""
    out = set()
    for name, forms in doc.forms.items():
        if doc.entities[name].type in ORG_LIKE:
            for form in forms:
                for cut in range(2, min(len(form) - 1, 5)):
                    entry = dictionary.lookup(form[:cut])
                    if entry is not None and entry.type is E.PLACE:
                        out.add(form[:cut])
    return out


def _shorter(form: str, endings: tuple[str, ...], shorts: dict[str, set[str]], places: set[str],
             etype: EntityType) -> Iterable[tuple[str, str, bool]]:
    """The short forms of the document that ``form`` restates, each with the ending ``form`` adds
    and whether it is a registered name with its trade: ``form`` is the short form plus one of
    ``endings`` (or, for a company, a trade and a registered ending), after a place that may open a
    registered name (杭州宇树科技股份有限公司)."""
    bodies = [form]
    if etype in ORG_LIKE:
        bodies += [form[len(p):] for p in places if form.startswith(p) and len(form) - len(p) >= 2]
        # 中国证监会 / 证监会, 美国英伟达 / 英伟达: the place alone before the short name
        yield from ((b, "", False) for b in bodies[1:] if b in shorts and b != form)
    for body in bodies:
        for ending in endings:
            if body.endswith(ending) and len(body) > len(ending):
                stem = body[: -len(ending)]
                if stem in shorts and stem != form:
                    yield stem, ending, False
        if etype is E.COMPANY:
            for ending in _REGISTERED:
                if body.endswith(ending):
                    head = body[: -len(ending)]
                    for cut in range(2, len(head)):
                        if len(head) - cut <= _TRADE and head[:cut] in shorts:
                            yield head[:cut], head[cut:] + ending, True


def model_key(form: str) -> str:
    """A model's name without 大模型 or a V before its version: 文心大模型4.5 = 文心4.5."""
    return _MODEL_INFIX.sub("", form)


def _model_variants(doc: _Document, forms: dict[str, set[str]]) -> Iterable[_Join]:
    """Names of one model written with and without 大模型 inside (文心大模型4.5 / 文心4.5)."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for form, names in forms.items():
        if model_key(form):
            by_key[model_key(form)].update(names)
    for names in by_key.values():
        ordered = sorted(names)
        for other in ordered[1:]:
            yield _Join(ordered[0], other, "short-form", *doc.evidence(other))


def _makers(doc: _Document) -> dict[str, str]:
    """The matching keys of the companies (and organisations) of the document, with their aliases
    and their short forms (理想 of 理想汽车: 理想MEGA is 理想汽车's), each with its company."""
    endings = tuple(key(w) for w in RESTATING[E.COMPANY])
    out: dict[str, str] = {}
    for name, e in doc.entities.items():
        if e.type in ORG_LIKE:
            forms = doc.forms[name] | {key(a) for a in [*e.aliases, e.english or ""] if a}
            forms |= {k[: -len(x)] for k in forms for x in endings if k.endswith(x)}
            out.update({k: name for k in forms if len(k) >= 2})
    return out


def maker_prefixed(doc: _Document) -> Iterable[_Join]:
    """腾讯混元 / 混元: a model, product or chip named with and without its maker (a company of the
    document) before it, the bare name at least two characters long."""
    makers = _makers(doc)
    if not makers:
        return
    for etype in _ARTIFACTS:
        forms = doc.by_form([etype])
        if etype is E.AIMODEL:  # 讯飞星火大模型V3.0 / 星火V3.0: compared without 大模型 or V
            keyed: dict[str, set[str]] = defaultdict(set)
            for form, names in forms.items():
                keyed[model_key(form)] |= names
            forms = keyed
        bare_of: dict[str, set[str]] = defaultdict(set)  # bare form -> names with a maker before it
        made_by: dict[str, set[str]] = defaultdict(set)  # bare form -> the companies before it
        for form, names in forms.items():
            for maker, company in makers.items():
                if form.startswith(maker) and len(form) - len(maker) >= 2 and form[len(maker):] in forms:
                    bare_of[form[len(maker):]].update(names)
                    made_by[form[len(maker):]].add(company)
        for bare, prefixed in bare_of.items():
            if len(made_by[bare]) != 1:
                continue  # two makers' products of one bare name: which one is meant is unclear
            long = min(prefixed, key=lambda n: (-doc.entities[n].mentions, n))
            for short in forms[bare] | prefixed:
                if short != long:
                    yield _Join(long, short, "maker", *doc.evidence(short))


# --- merging ------------------------------------------------------------------------------------


@dataclass
class _Merged:
    entities: dict[str, Entity]
    renamed: dict[str, str]


def _apply(doc: _Document, joins: list[_Join], dictionary: Dictionary, offset: int) -> _Merged:
    """Union the joined entities (same type only), keep for each group the name the text uses
    most, and record how each other member joined it."""
    parent = {name: name for name in doc.entities}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    how: dict[str, _Join] = {}
    for j in joins:
        if doc.entities[j.into].type is not doc.entities[j.merged].type:
            continue
        a, b = find(j.into), find(j.merged)
        if a != b:
            parent[b] = a
            how.setdefault(j.merged, j)
            how.setdefault(j.into, j)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in doc.entities:
        groups[find(name)].append(name)
    out: dict[str, Entity] = {}
    renamed: dict[str, str] = {}
    for members in groups.values():
        keep = max(members, key=lambda n: _preference(doc, n, dictionary, how.get(n)))
        base = doc.entities[keep].model_copy(deep=True)
        for name in members:
            renamed[name] = keep
            if name == keep:
                continue
            other = doc.entities[name]
            base.aliases = list(dict.fromkeys([*base.aliases, name, *other.aliases]))
            base.mentions += other.mentions
            base.english = base.english or other.english
            base.merged_from += other.merged_from
            j = how.get(name) or how[keep]
            base.merged_from.append(Merge(name=name, rule=j.rule, start=offset + j.start, end=offset + j.end))
        base.aliases = [a for a in base.aliases if a != base.name]
        out[keep] = base
    return _Merged(out, renamed)


def _preference(doc: _Document, name: str, dictionary: Dictionary, join: _Join | None) -> tuple:
    """Which name of a group the entity keeps: the dictionary's name, then the one its rule prefers
    (a declared short name, a short form, the maker's form of a model, the name before its
    translation), then the one the text uses most, then the first named."""
    entry = dictionary.lookup(name)
    known = entry is not None and entry.name == name
    rule_side = int(join is not None and join.into == name)
    first = doc.first.get(name, (1 << 30, 0))[0]
    return (known, rule_side, doc.entities[name].mentions, -first)
