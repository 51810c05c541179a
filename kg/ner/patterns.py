"""Names found by how they are built, not by list: model versions, chips, products, events.

Each function takes the text view and the dictionary mentions already found (brands, model
families) and returns new candidate mentions; :mod:`kg.ner.combine` settles overlaps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from kg.lexicons import words
from kg.models import Mention
from kg.ner.lexicon import CHIP_CUES, EVENT_HEADS, LAUNCH_VERBS, PRODUCT_HEADS
from kg.ner.spans import MentionIndex
from kg.ner.textview import TextView
from kg.schema import EntityType

E = EntityType
CJK = "\u4e00-\u9fff"
_EDITION = r"(?:\s?(?:Turbo|Pro|Max|Plus|Ultra|Mini|mini|Lite|Flash|Air))?"
# A version: 4.0 / V3.0 / X1 / -R1 / 3.5 Turbo / 3.0版. Plain integers only with 版/版本 after them,
# so "星火 1 月" or "星火用户 1200 万" never become versions.
VERSION = (
    rf"(?:[Vv]\d+(?:\.\d+)*{_EDITION}"
    rf"|\d+\.\d+{_EDITION}"
    rf"|[A-Z]\d{{1,2}}{_EDITION}"
    rf"|\d+(?=版本?)"
    rf"|[o]\d(?![0-9]))"
)
_AFTER_MODEL = re.compile(
    rf"(?P<fill>(?:[{CJK}]{{0,6}}?(?:大模型|模型))|认知)?\s?-?\s?(?P<ver>{VERSION})(?![A-Za-z0-9.])(?P<ban>版本|版)?"
)
_DESCRIPTOR_MODEL = re.compile(rf"(?P<desc>[{CJK}A-Za-z]{{1,6}}?)(?P<head>大模型|模型)")
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


_LATIN_MODEL = re.compile(
    rf"(?<![A-Za-z0-9])(?P<name>[A-Z][A-Za-z]{{1,14}})[- ]?(?P<ver>\d+(?:\.\d+)*[a-z]?{_EDITION}|[A-Z]\d{{1,2}}[a-z]?)"
    rf"(?![A-Za-z0-9.])"
)
_MODEL_CUE = re.compile(r"\s?(?:系列)?(?:大模型|模型|推理模型|语言模型)")


def latin_models(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """Latin-script model names with a version that the text calls a model: Qwen2.5 大模型."""
    out = []
    for match in _LATIN_MODEL.finditer(view.norm):
        if _MODEL_CUE.match(view.norm, match.end()):
            name = _join_version(match.group("name"), match.group("ver"))
            out.append(view.mention(match.start(), match.end(), E.AIMODEL, name))
    return out


_CHIP_NUMBER = re.compile(r"\s?(?P<num>\d{2,4}[A-Z]?)(?![A-Za-z0-9])")
_LATIN_CHIP = re.compile(r"(?<![A-Za-z0-9])(?P<name>[A-Z]{1,3}\d{2,4}[A-Z]?)(?![A-Za-z0-9])")


def chips(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """Chip family + number (昇腾910B, 升腾 910B) and Latin part numbers (A100) in a chip context
    or right after a chip maker's name (英伟达A100)."""
    out = []
    text = view.norm
    for m in known:
        if m.type is E.CHIP:
            num = _CHIP_NUMBER.match(text, m.end)
            if num and not m.canonical[-1:].isdigit():
                out.append(view.mention(m.start, num.end(), E.CHIP, m.canonical + num.group("num")))
    company_ends = {k.end for k in known if k.type is E.COMPANY}
    for s, e in view.sentences:
        sentence = text[s:e]
        has_cue = any(cue in sentence for cue in CHIP_CUES)
        for match in _LATIN_CHIP.finditer(sentence):
            start, end = s + match.start(), s + match.end()
            after_maker = start in company_ends
            if has_cue or after_maker:
                out.append(view.mention(start, end, E.CHIP, match.group("name")))
    return out


_QUOTED = re.compile(r"[“\"「『](?P<name>[^“”\"「」『』,，。!?;:、\s]{2,14})[”\"」』]")
_PLATFORM_HEADS = words("products.platform_heads")


def quoted_products(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """Quoted names right after a launch verb (发布了“飞星一号”) or before a product head
    (“飞星一号”大模型算力平台) are products; a quoted name before 大模型 is a model."""
    out = []
    text = view.norm
    named = MentionIndex(known)
    for match in _QUOTED.finditer(text):
        name = match.group("name")
        start, end = match.start("name"), match.end("name")
        if named.any_containing(start, end):
            continue
        before = text[max(0, match.start() - 6):match.start()]
        after = text[match.end():match.end() + 8]
        if after.startswith(("计划", "战略", "工程", "行动", "项目", "倡议", "理念", "口号")):
            continue  # “超脑2030”计划: a programme or slogan, not a product
        if any(after.startswith(h) or before.endswith(h) for h in _PLATFORM_HEADS):
            etype = E.PRODUCT
        elif after.startswith(("大模型", "模型")) or name.endswith("模型"):
            etype = E.AIMODEL
        elif any(cue in after[:4] or name.endswith(cue) for cue in ("芯片", "GPU")):
            etype = E.CHIP
        elif re.search(rf"(?:{'|'.join(LAUNCH_VERBS)}|基于|依托|搭载|采用)了?$", before):
            etype = E.PRODUCT
        else:
            continue
        if not _looks_like_name(name):
            continue
        out.append(view.mention(start, end, etype, name))
    return out


def _looks_like_name(name: str) -> bool:
    return not any(w in name for w in ("的", "了", "是", "我们", "一个", "这个", "什么", "+", "计划"))


_BRAND_PRODUCT = re.compile(rf"\s?(?P<mid>[A-Za-z0-9]{{0,6}}|[{CJK}]{{0,2}})\s?(?P<head>{'|'.join(PRODUCT_HEADS)})")


def brand_products(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """A brand or model name followed by a product head noun: 讯飞AI学习机, 星火一体机, 讯飞星火 APP."""
    out = []
    for m in known:
        if m.type not in (E.COMPANY, E.AIMODEL, E.PRODUCT):
            continue
        match = _BRAND_PRODUCT.match(view.norm, m.end)
        if not match or any(ch in match.group("mid") for ch in "的和与是在被曝了将也还对"):
            continue
        surface = view.norm[m.start:match.end()]
        out.append(view.mention(m.start, match.end(), E.PRODUCT, surface.replace(" ", "")))
    return out


_LAUNCH_LIST = re.compile(
    rf"(?:{'|'.join(LAUNCH_VERBS)})了?(?P<items>[A-Za-z{CJK}]{{2,10}}(?:、[A-Za-z{CJK}]{{2,10}})+)等"
    rf"(?:[{CJK}]{{0,6}})(?:应用|产品)"
)


def launched_lists(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """Enumerated launches: 推出了科研助手、AI心理伙伴等领先行业应用 -> two products."""
    out = []
    named = MentionIndex(known)
    for match in _LAUNCH_LIST.finditer(view.norm):
        pos = match.start("items")
        for item in match.group("items").split("、"):
            start, end = pos, pos + len(item)
            pos = end + 1
            if named.any_overlapping(start, end):
                continue
            out.append(view.mention(start, end, E.PRODUCT, item))
    return out


_NUMBERED_EVENT = re.compile(rf"(?:\d{{4}})?(?:全球|世界)?(?P<name>\d{{2,4}}(?:{'|'.join(EVENT_HEADS)}))")
_EVENT_HEAD_RX = "|".join(EVENT_HEADS)
_ORDINAL_EVENT = re.compile(rf"第[一二三四五六七八九十\d]+届(?P<name>[{CJK}A-Za-z]{{2,12}}?(?:{_EVENT_HEAD_RX}))")
_BRAND_EVENT = re.compile(rf"(?:全球|世界|中国)?(?:\d{{2,4}})?(?:{_EVENT_HEAD_RX})")


def events(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    """Named events: a brand + event head (科大讯飞年会, 讯飞星火大模型发布会), numbered ones
    (全球1024开发者节) and ordinal ones (第六届世界声博会)."""
    out = []
    text = view.norm
    for m in known:
        if m.type not in (E.COMPANY, E.AIMODEL, E.ORGANIZATION):
            continue
        match = _BRAND_EVENT.match(text, m.end)
        if match:
            tail = text[m.end:match.end()]
            canonical = _NUMBERED_EVENT.search(tail)
            name = canonical.group("name") if canonical else text[m.start:match.end()].replace(" ", "")
            out.append(view.mention(m.start, match.end(), E.EVENT, name))
    for rx in (_NUMBERED_EVENT, _ORDINAL_EVENT):
        for match in rx.finditer(text):
            start, end = match.start(), match.end()
            out.append(view.mention(start, end, E.EVENT, match.group("name")))
    return out


def bare_versions(view: TextView, mentions: Iterable[Mention]) -> list[Mention]:
    """A bare version (R1, X1) standing for a model of this document with that version."""
    by_version: dict[str, set[str]] = {}
    for m in mentions:
        if m.type is E.AIMODEL:
            tail = re.search(r"([A-Z]\d{1,2})$", m.canonical)
            if tail:
                by_version.setdefault(tail.group(1), set()).add(m.canonical)
    out = []
    for match in re.finditer(r"(?<![A-Za-z0-9.\-])([A-Z]\d{1,2})(?![A-Za-z0-9])", view.norm):
        models = by_version.get(match.group(1))
        if models and len(models) == 1:
            out.append(view.mention(match.start(), match.end(), E.AIMODEL, next(iter(models))))
    return out


#: The naming patterns, in the order their candidates are offered (it breaks ties between equals).
ALL_PATTERNS = (model_versions, latin_models, chips, quoted_products, brand_products, launched_lists, events)
