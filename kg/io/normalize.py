"""Text normalisation that keeps offsets: every function here returns text of the same length.

Traditional -> simplified goes through OpenCC (the reference converter, also used by the scorer);
full-width ASCII -> half-width is a fixed character map. Because lengths never change, an offset
into the normalised text is the same offset into the original, and evidence can be quoted verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import opencc

from kg.io.textsafety import blank_format, strip_format

_T2S = opencc.OpenCC("t2s")

# U+FF01..U+FF5E are full-width forms of U+0021..U+007E; U+3000 is the ideographic space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Full-width punctuation (，！？；（）) folds to ASCII too; the sentence splitter knows both forms.


def to_halfwidth(text: str) -> str:
    """Fold full-width Latin letters, digits and symbols to ASCII (same length).

    >>> to_halfwidth("ＧＰＴ－４")
    'GPT-4'
    """
    return text.translate(_FULLWIDTH)


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese, guaranteed to keep the length.

    OpenCC converts phrases as a whole; in the rare case a phrase rule changes the length we fall
    back to character-by-character conversion so offsets stay valid.

    >>> to_simplified("科大訊飛董事長劉慶峰")
    '科大讯飞董事长刘庆峰'
    """
    out = _T2S.convert(text)
    if len(out) == len(text):
        return out
    return "".join(_char_t2s(ch) for ch in text)


@lru_cache(maxsize=8192)
def _char_t2s(ch: str) -> str:
    out = _T2S.convert(ch)
    return out if len(out) == 1 else ch


#: Texts longer than this are converted piece by piece, so the converter's buffers (several copies
#: of the text) stay small however long the text is.
_PIECE = 1 << 18
#: A piece ends after one of these where it can (no OpenCC phrase spans punctuation or a space).
_PIECE_ENDS = "\n。，、；！？ ,;!?"


def normalize(text: str) -> str:
    """Simplified, half-width text of exactly the same length as ``text``; zero-width and bidi
    characters become spaces, so a name with one hidden inside is still that name.

    >>> normalize("科大\u200b訊飛")
    '科大 讯飞'
    """
    if len(text) <= _PIECE:
        return to_simplified(to_halfwidth(blank_format(text)))
    return "".join(to_simplified(to_halfwidth(blank_format(text[a:b]))) for a, b in _pieces(text, _PIECE))


def _pieces(text: str, size: int) -> Iterator[tuple[int, int]]:
    """Consecutive ``(start, end)`` of at most ``size`` characters, ending after punctuation or a
    space where there is one."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = max(text.rfind(ch, start, end) for ch in _PIECE_ENDS)
            end = cut + 1 if cut > start else end
        yield start, end
        start = end


def key(name: str) -> str:
    """The matching key of a name: the rule of the gold scorer (shared/gold/GUIDELINES.md).

    NFKC, traditional -> simplified, lower case, no spaces, hyphens, underscores or middle dots
    (nor zero-width or bidi characters).

    >>> key("DeepSeek-R1") == key("deepseek r1")
    True
    >>> key("科大訊飛") == key("科大讯飞")
    True
    """
    name = name or ""
    if len(name) <= _CACHED_KEY_CHARS:
        return _cached_key(name)
    return _key(name)


#: Names up to this long have their keys remembered: a corpus repeats its names thousands of times.
_CACHED_KEY_CHARS = 48


def _key(name: str) -> str:
    s = unicodedata.normalize("NFKC", strip_format(name))
    s = _t2s_any(s).lower()
    return "".join(ch for ch in s if not ch.isspace() and ch not in "-_·・")


_cached_key = lru_cache(maxsize=1 << 16)(_key)


_SURROGATE = re.compile("([\ud800-\udfff])")


def _t2s_any(text: str) -> str:
    """Traditional -> simplified of any string: a lone surrogate (no UTF-8, which the converter
    needs) is kept as it is and the pieces around it converted.

    >>> _t2s_any("華" + chr(0xD800) + "為") == "华" + chr(0xD800) + "为"
    True
    """
    if not _SURROGATE.search(text):
        return _T2S.convert(text)
    return "".join(p if _SURROGATE.fullmatch(p) else _T2S.convert(p) for p in _SURROGATE.split(text) if p)


_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』\"')）]*|\n+")
#: Longest sentence :func:`sentence_spans` yields: the statistical tagger's own window (it reads
#: longer sentences in pieces of this size anyway). Real sentences are shorter (under 200
#: characters in the seeds and the 65,000 sentences of the benchmark corpus); a text without
#: punctuation or spaces would otherwise be one sentence, and the per-sentence work (relation
#: components pair its mentions) quadratic: at 1,000 characters a piece, 1M such characters took
#: 840 MB and twice the CPU of normal text, at 250 the same as normal text (about 410 MB).
MAX_SENTENCE = 250
#: Where an over-long sentence is cut, by preference: after its last clause break or space.
_CLAUSE_BREAKS = "，,；;、 \t\u3000"


def sentence_spans(text: str, max_len: int = MAX_SENTENCE) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each non-blank sentence, stripped of surrounding whitespace.

    A sentence longer than ``max_len`` is cut after the last clause break (，；、) or space before
    the limit, else at the limit, so no span is longer than ``max_len``.

    >>> t = "刘庆峰说。好！\\n新段落"
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['刘庆峰说。', '好！', '新段落']
    >>> t = "甲乙丙，丁戊己庚辛壬癸"
    >>> [t[s:e] for s, e in sentence_spans(t, max_len=5)]
    ['甲乙丙，', '丁戊己庚辛', '壬癸']
    """
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end() if m.group().strip() else m.start()
        yield from _bounded_spans(text, start, end, max_len)
        start = m.end()
    yield from _bounded_spans(text, start, len(text), max_len)


def _bounded_spans(text: str, start: int, end: int, max_len: int) -> Iterator[tuple[int, int]]:
    for s, e in _strip_span(text, start, end):
        while e - s > max_len:
            cut = _clause_cut(text, s, s + max_len)
            yield from _strip_span(text, s, cut)
            s = cut
        yield from _strip_span(text, s, e)


def _clause_cut(text: str, start: int, limit: int) -> int:
    """Where to cut ``text[start:limit]`` (> ``start``): after its last clause break, else at the limit."""
    last = max(text.rfind(ch, start, limit) for ch in _CLAUSE_BREAKS)
    return last + 1 if last >= start else limit


def _strip_span(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end
