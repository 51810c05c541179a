"""Organisation and company names no dictionary knows, found by how they are written.

- a name ending in an organisation or company suffix (研究院, 有限公司 ...), its left edge found
  from jieba's words (jieba's dictionary tagger, no HMM tagging);
- the name right before a leader's title, even without a suffix (完美时空董事长池宇峰).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.extraction.lexicons import characters, words
from kg.extraction.ner.lexicon import COMPANY_SUFFIXES, GENERIC_ORG_WORDS, ORG_SUFFIXES, STOP_WORDS
from kg.extraction.ner.textview import TextView
from kg.extraction.ner.words import word_frequencies
from kg.models import Mention
from kg.schema import EntityType, Origin

E = EntityType
CJK = "\u4e00-\u9fff"

SUFFIXES = tuple(sorted(COMPANY_SUFFIXES + ORG_SUFFIXES, key=len, reverse=True))
_SUFFIX_RX = re.compile("|".join(map(re.escape, SUFFIXES)))
# Tags of words that can be part of a name when walking left from a suffix
# (zg, q: single characters of unknown names; unk: new words jieba's HMM found).
_NAME_TAGS = ("n", "nr", "ns", "nt", "nz", "nrt", "j", "eng", "vn", "v", "b", "a", "an", "l", "i", "s", "m", "zg",
              "q", "unk")
_NAME_VERBS = frozenset(words("organisations.name_verbs"))
#: Longest organisation name walked left from its suffix, in characters.
MAX_NAME = 18
# 航空 (6021), 保险 (2635) are common nouns; brands the dictionary lacks are rare words (滴滴: 3, 万科: 75).
_COMMON_NOUN_FREQ = 2000
_ORG_TYPES = (E.COMPANY, E.ORGANIZATION)
_GENERIC_PREFIX_CHARS = characters("organisations.generic_prefix_chars")
_DATE_UNITS = characters("organisations.date_unit_chars")


#: Endings of company names beyond the formal suffixes (星海科技, 浙商银行, 华夏基金).
_COMPANY_ENDINGS = tuple(words("tagger.company_suffixes"))


def org_type(name: str) -> EntityType:
    """Organization for an institution's suffix (研究院, 大学 ...), Company for a company's
    (有限公司, 集团, 科技, 银行 ...), else Organization.

    >>> [org_type(n).value for n in ("星海科技", "中国电信研究院", "月星集团", "国家发展改革委")]
    ['Company', 'Organization', 'Company', 'Organization']
    """
    if name.endswith(ORG_SUFFIXES):
        return E.ORGANIZATION
    return E.COMPANY if name.endswith(COMPANY_SUFFIXES + _COMPANY_ENDINGS) else E.ORGANIZATION


def org_suffix_mentions(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """Names ending in an organisation or company suffix, left edge found from jieba's tokens:
    合肥市大数据资产运营有限公司, 认知智能全国重点实验室, 天津港（集团）有限公司.

    >>> [m.canonical for m in org_suffix_mentions(TextView("他在合肥市大数据资产运营有限公司工作。"), [])]
    ['合肥市大数据资产运营有限公司']
    """
    out = []
    text = view.norm
    known_orgs = {(k.start, k.end) for k in known if k.type in _ORG_TYPES}
    for s, e in view.sentences:
        sentence = text[s:e]
        suffixes = [m.span() for m in _SUFFIX_RX.finditer(sentence)]
        if not suffixes:
            continue
        # Tokenise only from a name's maximum length before the first suffix to the last one:
        # a word cut at that edge lies too far left to be part of any name.
        ws = max(0, suffixes[0][0] - MAX_NAME - 6)
        toks = [(w, f, p + ws) for w, f, p in view.tokens(s + ws, s + suffixes[-1][1])]
        for i, (word, _flag, pos) in enumerate(toks):
            if not word.endswith(SUFFIXES):
                continue
            end = pos + len(word)
            start = left_edge(toks, i - 1, end)
            if start == pos and word in SUFFIXES:
                continue
            if word in COMPANY_SUFFIXES and (s + start, s + pos) in known_orgs:
                continue  # 百度公司, 华为集团: the known name stands (but 中国电信研究院 is an institute of its own)
            mention = _org_mention(view, sentence[start:end], s + start)
            if mention:
                out.append(mention)
    return _merge_chained(out)


def left_edge(toks: list[tuple[str, str, int]], j: int, end: int) -> int:
    """Walk left from token ``j`` over words that can be part of a name; the name's start offset.

    A short parenthesis inside a name is kept: 天津港（集团）有限公司, 聚光科技(杭州)股份有限公司."""
    start = toks[j + 1][2] if j + 1 < len(toks) else end
    verbs: list[int] = []
    first_tag = ""
    while j >= 0:
        w, f, p = toks[j]
        if w in (")", "）"):
            k = next((k for k in range(j - 1, max(-1, j - 5), -1) if toks[k][0] in ("(", "（")), None)
            inner = "".join(t[0] for t in toks[k + 1:j]) if k is not None else ""
            if k is None or not re.fullmatch(rf"[{CJK}]{{1,4}}", inner):
                break
            start, j = toks[k][2], k - 1
            continue
        name_like = f.startswith(_NAME_TAGS) or w in _NAME_VERBS
        if w in STOP_WORDS or not name_like or end - p > MAX_NAME:
            break
        if w in _DATE_UNITS and j > 0 and toks[j - 1][0].isdigit():
            break  # 2024年1月月星集团: the 月 after a number is the date's, the next one the name's
        if f == "unk" and len(w) > 1 and w[0] in STOP_WORDS:
            start = p + 1  # 由公视: a new word jieba made of a function word and the name
            break
        if not re.fullmatch(rf"[{CJK}A-Za-z0-9]+", w):
            break
        if f == "v" and w not in _NAME_VERBS:
            verbs.append(p + len(w))
        start, first_tag = p, f
        j -= 1
    # A verb inside a name is fine after a place (北京华辰拍卖有限公司, 湖南远航控股…); otherwise it
    # is the sentence's own verb (承建认知智能国家重点实验室, 剖析云南省…公司) and the name starts after it.
    if verbs and first_tag != "ns":
        start = max(verbs)
    return start


def _org_mention(view: TextView, name: str, start: int) -> Mention | None:
    """A candidate organisation name, unless it is only generic words (子公司, 国家重点实验室)."""
    stripped = name
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            stripped = name[: -len(suffix)]
            break
    if name in GENERIC_ORG_WORDS or len(stripped) < 2 or stripped in GENERIC_ORG_WORDS or _all_generic(stripped):
        return None
    if stripped != name and word_frequencies().get(stripped, 0) > _COMMON_NOUN_FREQ:
        return None  # 航空公司, 保险公司: a common noun + suffix names no one
    end = start + len(name)
    return view.mention(start, end, org_type(name), name, origin=Origin.NER)


def _all_generic(prefix: str) -> bool:
    """True when the part before the suffix is only generic words (国家重点, 人工智能 ...)."""
    return all(ch in _GENERIC_PREFIX_CHARS for ch in prefix) and len(prefix) <= 4


def _merge_chained(mentions: list[Mention]) -> list[Mention]:
    """Two suffix names back to back (…研究中心 + 国研经济研究院) are one name."""
    mentions.sort(key=lambda m: m.start)
    out: list[Mention] = []
    for m in mentions:
        if out and m.start <= out[-1].end and m.start >= out[-1].start:
            prev = out[-1]
            if m.end > prev.end:
                text = prev.text + m.text[prev.end - m.start:]
                out[-1] = Mention(text=text, start=prev.start, end=m.end, type=org_type(text),
                                  canonical=prev.canonical + m.canonical[prev.end - m.start:], origin=Origin.NER)
            continue
        out.append(m)
    return out
