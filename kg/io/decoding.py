"""Bytes of an input file to text: UTF-8 (with or without a BOM), UTF-16 by its BOM, or any other
encoding (GBK, GB18030, Big5, ...) detected by charset-normalizer, or the one the user names.

charset-normalizer is the maintained successor of chardet (and what requests uses): it lists the
candidate decodings that do not come out "chaotic". A short stretch of Chinese often decodes cleanly
as both GB18030 and Big5 (而不精 in GB18030 reads 奧祥儕 in Big5), so a detection is accepted only when
it is sure: the bytes must come back from the text (a round trip), and where candidates give
different texts, the one made of common Chinese characters must beat the others by a clear margin.
Otherwise the file is reported as undetectable, never read as the wrong text.

>>> decode("科大讯飞".encode("gbk")).text, decode("科大讯飞".encode("gbk")).encoding
('科大讯飞', 'gb18030')
>>> decode("科大讯飞".encode("utf-8")).encoding
'utf-8'
"""

from __future__ import annotations

import codecs
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Above this, charset-normalizer judges a decoding too garbled to be text.
_MAX_CHAOS = 0.3


@dataclass(frozen=True)
class Decoded:
    """The text, the encoding it was read with, and whether that was a guess (for the report)."""

    text: str
    encoding: str
    detected: bool = False


class DecodeError(ValueError):
    """Bytes that are no text in the named (or any detected) encoding; the message is one phrase."""


def decode(raw: bytes, encoding: str | None = None) -> Decoded:
    """Decode ``raw`` (see the module docstring); ``DecodeError`` says why it cannot be read."""
    if encoding:
        try:
            return Decoded(raw.decode(encoding), codecs.lookup(encoding).name)
        except LookupError:
            raise DecodeError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise DecodeError(f"{_line_of(raw, exc.start)}not {encoding} (byte 0x{raw[exc.start]:02x} at offset "
                              f"{exc.start})") from None
    for bom, name in _BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(raw.decode(name), name.removesuffix("-sig"))
            except UnicodeDecodeError:
                break
    if b"\x00" in raw[:65536]:  # binary, or UTF-16/32 without a BOM
        guess = _detect(raw)
        if guess is not None and guess.encoding.startswith(("utf_16", "utf_32")):
            return guess
        raise DecodeError("binary file (NUL bytes), not text")
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    guess = None if _utf8_before(raw, utf8_error.start) else _detect(raw)
    if guess is not None:
        return guess
    raise DecodeError(f"{_line_of(raw, utf8_error.start)}not UTF-8 (byte 0x{raw[utf8_error.start]:02x} at offset "
                      f"{utf8_error.start}) and no other encoding fits; name one with --encoding")


#: The encodings Chinese text comes in, decoded strictly and compared by how Chinese they read; a
#: short text fits many encodings, and this is a tool for Chinese news, so 科大讯飞 in GBK is GBK.
_CHINESE = ("gb18030", "big5", "big5hkscs", "cp950")
#: Then, where no Chinese reading is plausible, what charset-normalizer finds among these tiers.
_TIERS: tuple[list[str] | None, ...] = (["utf_16", "utf_32"], ["cp1252", "latin_1"], None)
#: How much more plausible (mean log frequency per non-ASCII character) the chosen reading must be
#: than any other reading of the bytes: right readings of news score about 10-12, wrong ones 1-8.
_MARGIN = 2.0
#: A reading in Chinese characters below this is no Chinese anyone wrote (rare characters only).
_FLOOR = 6.0


class AmbiguousEncoding(DecodeError):
    """Bytes that read as different plausible Chinese texts in several encodings, none clearly."""


def _detect(raw: bytes) -> Decoded | None:
    """The one reading of ``raw`` that round-trips and is clearly the likeliest, or None if nothing
    fits; ``AmbiguousEncoding`` when several Chinese readings fit and none is clearly right."""
    readings: dict[str, str] = {}  # text -> the first encoding that gives it
    for encoding in _CHINESE:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _round_trips(raw, text, encoding) and not _has_unassigned(text):
            readings.setdefault(text, encoding)
    plausible = sorted((t for t in readings if _plausibility(t) >= _FLOOR), key=_plausibility, reverse=True)
    if plausible:
        if len(plausible) == 1 or _plausibility(plausible[0]) - _plausibility(plausible[1]) >= _MARGIN:
            return Decoded(plausible[0], readings[plausible[0]], detected=True)
        names = ", ".join(sorted({readings[t] for t in plausible[:3]}))
        raise AmbiguousEncoding(f"the encoding cannot be told ({names} all read as Chinese); "
                                "name one with --encoding")
    other = _detect_other(raw)
    chinese = [t for t in readings if _has_cjk(t)]
    if other is not None and chinese and other.text not in readings:
        # a few Chinese characters too rare or too few to judge, against a reading in another script
        names = ", ".join(sorted({readings[chinese[0]], other.encoding}))
        raise AmbiguousEncoding(f"the encoding cannot be told ({names} both fit); name one with --encoding")
    return other


def _detect_other(raw: bytes) -> Decoded | None:
    """UTF-16/32 without a BOM, Western European, then any encoding: charset-normalizer's best reading
    that round-trips and holds no Chinese (a Chinese reading would have been plausible above)."""
    from charset_normalizer import from_bytes  # imported only for files that are not UTF-8

    for candidates in _TIERS:
        for match in from_bytes(raw, cp_isolation=candidates):
            if match.encoding is None or match.chaos > _MAX_CHAOS:
                continue
            text = str(match)
            if _round_trips(raw, text, match.encoding) and (not _has_cjk(text) or _plausibility(text) >= _FLOOR):
                return Decoded(text, match.encoding, detected=True)
    return None


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def _has_unassigned(text: str) -> bool:
    """Private-use or control characters: what an encoding's unassigned codes decode to."""
    return any(unicodedata.category(ch) in ("Co", "Cn") or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
               for ch in text)


def _round_trips(raw: bytes, text: str, encoding: str) -> bool:
    """The text encodes back to exactly these bytes (a lossy or replacing decoding does not)."""
    try:
        return text.encode(encoding) == raw
    except (UnicodeEncodeError, LookupError):
        return False


def _plausibility(text: str) -> float:
    """Mean log frequency (in jieba's dictionary, after traditional -> simplified) of the text's
    non-ASCII characters; a character outside CJK counts as 0. Higher = more like real Chinese.

    >>> _plausibility("而不精") > _plausibility("奧祥儕") + _MARGIN
    True
    """
    from kg.io.normalize import to_simplified

    # full-width punctuation is neutral: every Chinese encoding has it
    chars = [ch for ch in to_simplified(text)
             if ord(ch) > 0x7F and not ch.isspace() and not unicodedata.category(ch).startswith("P")]
    if not chars:
        return 0.0
    freq = _char_frequencies()
    return sum(math.log1p(freq.get(ch, 0)) if "\u3400" <= ch <= "\u9fff" else 0.0 for ch in chars) / len(chars)


@cache
def _char_frequencies() -> dict[str, int]:
    """Character -> summed frequency of jieba's dictionary words containing it (read only for files
    that are not UTF-8)."""
    from kg.extraction.ner.words import word_frequencies

    counts: Counter[str] = Counter()
    for word, n in word_frequencies().items():
        for ch in word:
            counts[ch] += n
    return dict(counts)


def detect_encoding(sample: bytes) -> str | None:
    """The encoding of a file from the start of it (for streaming a large one), or None for UTF-8."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    try:
        sample.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 or _utf8_before(sample, exc.start):  # cut at the end, or UTF-8 gone bad
            return None
    # the sample may end inside a character: judge its complete lines (in these encodings a newline
    # byte is always a newline)
    cut = sample.rfind(b"\n")
    guess = _detect(sample[: cut + 1] if cut > 0 else sample)
    return guess.encoding if guess else None


def _utf8_before(raw: bytes, offset: int) -> bool:
    """Chinese text in UTF-8 before the first bad byte: a UTF-8 file with a damaged part, not a file
    in another encoding (whose bytes make the odd valid UTF-8 character, but hardly ever CJK ones)."""
    prefix = raw[:offset].decode("utf-8")
    non_ascii = [ch for ch in prefix if ord(ch) > 0x7F]
    cjk = sum(1 for ch in non_ascii if "\u4e00" <= ch <= "\u9fff")
    return cjk >= 2 and cjk * 2 > len(non_ascii)


def _line_of(raw: bytes, offset: int) -> str:
    line = raw[:offset].count(b"\n") + 1
    return f"line {line}: "
