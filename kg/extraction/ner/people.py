"""People (and bylined outlets) found by where names stand: after a title (董事长刘庆峰), in a byline
(作者 | 闫俊文), as a transliterated name with a middle dot (史蒂夫·乔布斯), or opening a profile
(赵德海，江苏远帆物流股份有限公司董事长)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from kg.extraction.ner.lexicon import (
    BYLINE_ORG,
    BYLINE_PERSON,
    NAME_TRAILING_NON_NAME,
    PERSON_TITLES,
    STOP_WORDS,
    SURNAMES_1,
    SURNAMES_2,
)
from kg.extraction.ner.textview import TextView
from kg.extraction.ner.words import word_frequencies
from kg.models import Mention
from kg.schema import EntityType, Origin

E = EntityType
CJK = "\u4e00-\u9fff"
TITLE_RX = "|".join(sorted(map(re.escape, PERSON_TITLES), key=len, reverse=True))


def is_person_name(name: str) -> bool:
    """Two to four Chinese characters opening with a common surname.

    >>> is_person_name("刘庆峰"), is_person_name("欧阳修"), is_person_name("大模型")
    (True, True, False)
    """
    if not re.fullmatch(rf"[{CJK}]{{2,4}}", name):
        return False
    if name[:2] in SURNAMES_2:
        return len(name) in (3, 4)
    return name[0] in SURNAMES_1 and len(name) in (2, 3)


_TITLE_THEN_NAME = re.compile(rf"(?:{TITLE_RX})\s?[:：]?\s?(?P<name>[{CJK}]{{2,6}})")
_PROFILE_OPENER = re.compile(rf"\s*(?P<name>[{CJK}]{{2,3}})\s*[,，]")
_TITLE_RX_COMPILED = re.compile(TITLE_RX)
_DOT_PART = re.compile(rf"[{CJK}]{{1,8}}(?:[·•][{CJK}]{{1,8}})+")


def dotted_names(text: str) -> Iterator[tuple[int, int]]:
    """阿尔芒·标致, 史蒂夫·乔布斯: transliterated names keep their middle dot. The left part stops
    after a title or a function word (创始人约翰·哈里森 -> 约翰·哈里森).

    >>> t = "创始人约翰·哈里森接受了采访"
    >>> [t[a:b] for a, b in dotted_names(t)]
    ['约翰·哈里森']
    """
    for match in _DOT_PART.finditer(text):
        start, end = match.span()
        head = text[start:text.index("·", start) if "·" in text[start:end] else text.index("•", start)]
        cut = max((head.rfind(t) + len(t) for t in (*PERSON_TITLES, *STOP_WORDS) if t in head), default=0)
        start += cut
        # the right part ends where the next word starts (约翰·哈里森接受了采访 -> 约翰·哈里森)
        last_dot = max(text.rfind("·", start, end), text.rfind("•", start, end))
        end = next((p for p in range(last_dot + 3, end + 1) if name_ends_at(text, p)), end)
        if end - start >= 3 and text[start] not in "·•":
            yield start, end


_BYLINE = re.compile(
    rf"(?:^|[\s|*(（])(?P<role>{'|'.join(BYLINE_PERSON)})\s*[|｜:：]?\s*(?P<name>[{CJK}]{{2,3}})(?![{CJK}])"
)
_BYLINE_ORG_RX = re.compile(
    rf"(?P<role>{'|'.join(BYLINE_ORG)})\s*[|｜:：]\s*(?P<name>[{CJK}A-Za-z0-9]{{2,10}})(?![{CJK}A-Za-z0-9])"
)


def trim_name(candidate: str) -> str | None:
    """刘庆峰说 -> 刘庆峰, 李笛就是 -> 李笛, 单森林先生 -> 单森林: a name ends where the next word starts.

    >>> trim_name("刘庆峰说"), trim_name("李笛就是")
    ('刘庆峰', '李笛')
    """
    # 李笛就是: a function character in third place ends a two-character name
    order = (2, 3, 4) if len(candidate) > 2 and candidate[2] in NAME_TRAILING_NON_NAME else (3, 2, 4)
    for length in order:
        name = candidate[:length]
        if len(name) == length and is_person_name(name) and name_ends_at(candidate, length):
            return name
    return None


def name_ends_at(text: str, pos: int) -> bool:
    """True when a name may end at ``pos``: end of text, a non-name character, or a known word."""
    if pos >= len(text):
        return True
    if text[pos] in NAME_TRAILING_NON_NAME or not "\u4e00" <= text[pos] <= "\u9fff":
        return True
    freq = word_frequencies()
    return any(freq.get(text[pos:pos + k]) for k in (2, 3, 4) if pos + k <= len(text))


def title_person_mentions(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """People named right after a title (董事长刘庆峰, CEO李笛) or in a byline (作者 | 闫俊文), and
    outlets in a byline (出品 | 搜狐科技).

    >>> [m.canonical for m in title_person_mentions(TextView("公司董事长刘庆峰说。"), [])]
    ['刘庆峰']
    >>> [m.canonical for m in title_person_mentions(TextView("星海科技创始人兼董事长王立群表示"), [])]
    ['王立群']
    """
    out = []
    text = view.norm
    pos = 0
    while match := _TITLE_THEN_NAME.search(text, pos):
        start = match.start("name")
        name = trim_name(match.group("name"))
        if name:
            out.append(view.mention(start, start + len(name), E.PERSON, name, origin=Origin.NER))
            pos = start + len(name)
        else:
            pos = start  # 创始人兼董事长王立群: the next title starts inside what was not a name
    for match in _BYLINE.finditer(text):
        name = match.group("name")
        if is_person_name(name):
            out.append(view.mention(match.start("name"), match.end("name"), E.PERSON, name, origin=Origin.NER))
    for start, end in dotted_names(text):
        out.append(view.mention(start, end, E.PERSON, text[start:end].replace("•", "·"), origin=Origin.NER))
    for s, e in view.sentences:
        # 赵德海，江苏远帆物流股份有限公司董事长: a profile opens with the name alone
        opener = _PROFILE_OPENER.match(text, s, e)
        if opener and is_person_name(opener.group("name")) and not word_frequencies().get(opener.group("name")) \
                and _TITLE_RX_COMPILED.search(text, opener.end(), e):
            start, end = opener.span("name")
            out.append(view.mention(start, end, E.PERSON, opener.group("name"), origin=Origin.NER))
    for match in _BYLINE_ORG_RX.finditer(text):
        start, end = match.start("name"), match.end("name")
        out.append(view.mention(start, end, E.ORGANIZATION, text[start:end], origin=Origin.NER))
    return out
