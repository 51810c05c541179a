"""Bytes of an input file to text: UTF-8 (with or without a BOM), UTF-16 by its BOM, or any other
encoding (GBK, GB18030, Big5, ...) detected by charset-normalizer, or the one the user names.

charset-normalizer is the maintained successor of chardet (and what requests uses): it scores each
candidate decoding by how "chaotic" the text comes out, which works well on Chinese, where legacy
encodings are common and a byte-frequency guess alone often confuses GBK and Big5.

>>> decode("科大讯飞".encode("gbk")).text, decode("科大讯飞".encode("gbk")).encoding
('科大讯飞', 'gb18030')
>>> decode("科大讯飞".encode("utf-8")).encoding
'utf-8'
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

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


#: Tried in turn: the encodings Chinese text comes in, then Western European, then any. A short
#: text fits many encodings; this is a tool for Chinese news, so 科大讯飞 in GBK is GBK, not Korean.
_TIERS: tuple[list[str] | None, ...] = (["gb18030", "big5", "big5hkscs", "cp950", "utf_16", "utf_32"],
                                        ["cp1252", "latin_1"], None)


def _detect(raw: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes  # imported only for files that are not UTF-8

    for candidates in _TIERS:
        best = from_bytes(raw, cp_isolation=candidates).best()
        if best is not None and best.encoding is not None and best.chaos <= _MAX_CHAOS:
            return Decoded(str(best), best.encoding, detected=True)
    return None


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
    guess = _detect(sample)
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
