"""Text each format can hold: what XML, CSV and JSON cannot carry as it is, and the escapes that
replace it (the rules are in :mod:`kg.sinks.formats`)."""

from __future__ import annotations

import json
import re
from typing import Any

from kg.io.textsafety import FORMAT_CHARS
from kg.sinks.base import Escaped

#: What XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF;
#: unpaired surrogates), and the carriage return, which a parser reads back as a line feed.
XML_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
#: What UTF-8 cannot encode.
SURROGATES = re.compile("[\ud800-\udfff]")
#: What JSON text escapes beyond what ``json.dumps`` does itself (it escapes C0 controls): C1
#: controls, format characters (bidi, zero-width, line and paragraph separators), surrogates and
#: the noncharacters XML refuses.
JSON_EXTRA = re.compile(f"[\x7f-\x9f\ud800-\udfff\ufffe\uffff]|{FORMAT_CHARS.pattern}")


def escape_char(match: re.Match[str]) -> str:
    cp = ord(match.group())
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def json_text(value: Any) -> str:
    """Compact JSON of ``value``, non-ASCII text as is, with control, format and line-separator
    characters, surrogates and U+FFFE/U+FFFF escaped (``\\u202e``): ``json.loads`` gives ``value`` back.

    >>> json_text(["讯飞", "a\\u2028b", "\\x1b"])
    '["讯飞","a\\\\u2028b","\\\\u001b"]'
    """
    return JSON_EXTRA.sub(json_escape_char, json.dumps(value, ensure_ascii=False, separators=(",", ":")))


class Escaper:
    """Applies one format's escape to plain-text values and remembers what it changed."""

    def __init__(self, unsafe: re.Pattern[str]) -> None:
        self.unsafe = unsafe
        self.escaped: list[Escaped] = []

    def __call__(self, value: str, where: str) -> str:
        found = self.unsafe.findall(value)
        if not found:
            return value
        self.escaped.append(Escaped(where, value, tuple(dict.fromkeys(found))))
        return self.unsafe.sub(escape_char, value)


def json_escape_char(match: re.Match[str]) -> str:
    return json.dumps(match.group())[1:-1]

