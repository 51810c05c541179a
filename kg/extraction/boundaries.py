"""Where a guessed name begins and ends: a small correction of the mentions the recognisers chose,
before they are resolved to entities.

A tagger reads characters, so now and then its name runs into the next word (雷军一 from 雷軍一上台,
华为轮值 from 华为轮值董事长), starts inside one (普政府 from 川普政府), cuts an English word
(xecutive), or takes a generic phrase along (DeepSeek-R1等推理模型, Qwen系列开源模型). Only guesses
are corrected (a tagger's or a rule's); names the dictionary, the patterns or a reference found are
kept as they are. Each correction either moves an edge to where a word begins or ends, or drops a
mention that is no name; a mention cut down to a name the dictionary knows becomes that name.

>>> from kg.extraction.dictionary import Dictionary
>>> from kg.schema import EntityType, Origin
>>> view = TextView("小米董事长雷軍一上台就宣布了新战略。")
>>> m = view.mention(5, 8, EntityType.PERSON, origin=Origin.TAGGER)
>>> [(x.text, x.canonical) for x in corrected(view, [m], Dictionary.default())]
[('雷軍', '雷军')]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.extraction.dictionary import Dictionary
from kg.extraction.lexicons import union, words
from kg.extraction.ner.textview import TextView
from kg.io.normalize import key
from kg.models import Mention
from kg.schema import EntityType, Origin

#: Recognisers whose names are guesses (the others found a known name or a reference to one).
GUESSES = frozenset({Origin.TAGGER, Origin.NER})

#: Words that close a list of names (DeepSeek-R1等推理模型): the name ends before them.
_LIST_CLOSERS = tuple(words("resolution.list_closers"))
#: 系列 (a family of products or models): a name may end with it, never run on past it.
_SERIES = tuple(words("resolution.series_words"))
#: Generic words that make a "model" no name (推理模型, 开源大模型).
_GENERIC = frozenset(union("resolution.generic_model_words", "products.generic_model_descriptors"))
_MODEL_HEADS = tuple(sorted(words("resolution.model_heads"), key=len, reverse=True))
#: Words that begin a title (轮值董事长, 执行总裁): they never end a name.
_TITLE_MODIFIERS = tuple(sorted(words("resolution.title_modifiers"), key=len, reverse=True))
_TITLES = tuple(sorted(union("titles.chairman", "titles.founder", "titles.ceo", "titles.other"), key=len,
                       reverse=True))
#: Institution words that are no name alone.
_GENERIC_NAMES = frozenset(union("organisations.generic_names", "resolution.generic_names"))
_INSTITUTION_ENDINGS = tuple(words("resolution.institution_endings"))
_ORG_ENDINGS = tuple(union("organisations.org_suffixes", "resolution.institution_endings"))
_UNITS = tuple(sorted(words("resolution.units"), key=len, reverse=True))
_DIGITS = re.compile(r"[0-9][0-9.,]*")
_LATIN = re.compile(r"[A-Za-z0-9]")
_CJK = re.compile(r"[\u3400-\u9fff]")


def corrected(view: TextView, mentions: Sequence[Mention], dictionary: Dictionary) -> list[Mention]:
    """``mentions`` with the guesses' edges corrected and the guesses that are no name dropped."""
    people = _people(mentions)
    out: list[Mention] = []
    for m in mentions:
        if _quantity(view.norm, m):
            continue
        fixed = _correct(view, m, dictionary, people) if m.origin in GUESSES else m
        if fixed is None:
            continue
        if out and fixed.start < out[-1].end:  # it now starts earlier: it takes in what it covers
            inside = [o for o in out if o.end > fixed.start]
            if any(o.start < fixed.start for o in inside):
                fixed = m  # a part of an earlier mention: the correction would overlap it
            else:
                del out[len(out) - len(inside):]
        out.append(fixed)
    return out


def _correct(view: TextView, m: Mention, dictionary: Dictionary, people: frozenset[str]) -> Mention | None:
    start, end = m.start, m.end
    if not _latin_aligned(view.norm, start, end):
        return None
    end = _before_list_closer(view.norm, start, end)
    end = _series_end(view.norm, start, end)
    end = _before_title_modifier(view.norm, start, end)
    if _generic_model(view.norm[start:end]):
        return None
    if m.type is EntityType.PERSON:
        end = _known_person(view, start, end, people, dictionary)
    if m.type is EntityType.ORGANIZATION:
        start = _place_start(view, start, end)
        end = _institution_end(view.norm, start, end)
    if view.norm[start:end].strip() in _GENERIC_NAMES:
        return None
    if (start, end) == (m.start, m.end):
        return m if not _series_name(view.norm[start:end]) else _remade(view, m, start, end, dictionary)
    if end - start < 2:
        return None
    return _remade(view, m, start, end, dictionary)


def _quantity(norm: str, m: Mention) -> bool:
    """360 of 斥资360亿元 or 覆盖360°: digits before a unit are a quantity, never a name."""
    return bool(_DIGITS.fullmatch(norm[m.start:m.end].strip())) and norm.startswith(_UNITS, m.end)


def _people(mentions: Sequence[Mention]) -> frozenset[str]:
    """The keys of the persons the document names."""
    return frozenset(key(m.canonical) for m in mentions if m.type is EntityType.PERSON)


def _remade(view: TextView, m: Mention, start: int, end: int, dictionary: Dictionary) -> Mention:
    """The mention of ``[start, end)``: the dictionary's name if it knows the text (with or without
    a trailing 系列), else the guess's type with the text as its name (系列 left out of the name)."""
    text = view.norm[start:end].replace(" ", "")
    name = _series_name(text) or text
    entry = dictionary.lookup(text) or dictionary.lookup(name)
    if entry is not None:
        return view.mention(start, end, entry.type, entry.name, origin=Origin.DICTIONARY)
    return view.mention(start, end, m.type, name, origin=m.origin)


def _latin_aligned(norm: str, start: int, end: int) -> bool:
    """False when a Latin edge of the span lies inside a Latin word (xecutive of Executive)."""
    if _LATIN.match(norm[start]) and start > 0 and _LATIN.match(norm[start - 1]):
        return False
    return not (_LATIN.match(norm[end - 1]) and end < len(norm) and _LATIN.match(norm[end]))


def _before_list_closer(norm: str, start: int, end: int) -> int:
    """DeepSeek-R1等推理模型 ends before 等 when only generic words follow it (推理模型 is the kind
    of the list, not a name); 高等教育出版社 keeps its 等."""
    for closer in _LIST_CLOSERS:
        at = norm.find(closer, start + 1, end)
        if at != -1 and _only_generic(norm[at + len(closer):end].replace(" ", "")):
            return at
    return end


def _series_end(norm: str, start: int, end: int) -> int:
    """Qwen系列开源模型 ends after 系列 when only generic words follow it: the family is named, the
    rest says what kind it is."""
    for word in _SERIES:
        at = norm.find(word, start + 1, end)
        if at != -1 and at + len(word) < end and _only_generic(norm[at + len(word):end].replace(" ", "")):
            return at + len(word)
    return end


def _series_name(text: str) -> str | None:
    """The family's name in X系列 (X, when there is one), else None."""
    for word in _SERIES:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)].strip()
    return None


def _before_title_modifier(norm: str, start: int, end: int) -> int:
    """华为轮值 (of 华为轮值董事长徐直军) ends before 轮值: a word that begins a title never ends a name."""
    for modifier in _TITLE_MODIFIERS:
        if norm.endswith(modifier, start, end) and end - len(modifier) - start >= 2 \
                and norm.startswith(_TITLES, end):
            return end - len(modifier)
    return end


#: jieba's tags of a place or an institution: a guessed organisation starting inside one starts with it.
_PLACE_TAGS = frozenset({"ns", "nt"})


def _place_start(view: TextView, start: int, end: int) -> int:
    """市政府 of 高雄市政府 starts at 高雄市: a guessed organisation whose start lies inside a place
    (a word jieba knows as one) begins with that place."""
    if start == 0 or not (_CJK.match(view.norm[start]) and _CJK.match(view.norm[start - 1])):
        return start
    s_start, s_end = view.sentences[view.sentence_of(start)] if view.sentences else (0, len(view.norm))
    if not s_start <= start < end <= s_end:
        return start
    for word, tag, offset in view.tokens(s_start, s_end):
        a = s_start + offset
        if a < start < a + len(word) and tag in _PLACE_TAGS:
            return a
    return start


def _institution_end(norm: str, start: int, end: int) -> int:
    """华中科技大学生物医学 ends after 大学: a guessed organisation that runs on past a university's
    or an institute's ending into words that end no institution (a field, a department)."""
    text = norm[start:end]
    if text.endswith(_ORG_ENDINGS):
        return end
    cut = max((text.rfind(e) + len(e) for e in _INSTITUTION_ENDINGS if text.rfind(e) > 0), default=0)
    return start + cut if cut >= 4 else end


def _generic_model(text: str) -> bool:
    """推理模型, 开源大模型: a kind of model made only of generic words, no name."""
    for head in _MODEL_HEADS:
        if text.endswith(head):
            return _only_generic(text[: -len(head)])
    return False


def _only_generic(text: str) -> bool:
    """True when ``text`` is made only of the generic words (or is empty)."""
    if not text:
        return True
    reachable = [True] + [False] * len(text)
    for i in range(len(text)):
        if reachable[i]:
            for j in range(i + 1, len(text) + 1):
                if text[i:j] in _GENERIC:
                    reachable[j] = True
    return reachable[-1]


def _known_person(view: TextView, start: int, end: int, people: frozenset[str], dictionary: Dictionary) -> int:
    """雷军一 (of 雷軍一上台) ends before 一 when 雷军 is a person the document or the dictionary
    names and 一 begins a word that runs on after the name (一上台, in jieba's words of the
    sentence): a guessed person one character longer than a known one ran into the next word.
    马云双 stays (双 ends its word)."""
    norm = view.norm
    if end - start < 3 or not _CJK.match(norm[end - 1]):
        return end
    shorter = norm[start:end - 1]
    entry = dictionary.lookup(shorter)
    if key(shorter) not in people and (entry is None or entry.type is not EntityType.PERSON):
        return end
    s_start, s_end = view.sentences[view.sentence_of(start)] if view.sentences else (0, len(norm))
    if not s_start <= start < end <= s_end:
        return end
    runs_on = any(s_start + offset == end - 1 and len(word) > 1 for word, _tag, offset in view.tokens(s_start, s_end))
    return end - 1 if runs_on else end
