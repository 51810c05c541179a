"""Characters that change how text looks without being seen: controls, bidi overrides, zero-width.

One definition serves three places:

* normalisation blanks format characters (zero-width, bidi) to spaces, keeping offsets, so 科大​讯飞
  with a zero-width space is the same node as 科大讯飞 (:func:`blank_format`, :func:`strip_format`);
* the terminal and the HTML page show every such character, and every control character, as a
  visible escape (``\\u202e``), so text from a document can neither move the cursor, set a link
  (OSC 8), recolour the terminal, nor turn ``‮moc.live‬`` into "evil.com" (:func:`visible`);
* JSON printed for machines keeps the data but escapes the same characters (:func:`json_text`).

>>> visible("evil\\u202emoc.\\x1b[31m")
'evil\\\\u202emoc.\\\\x1b[31m'
>>> strip_format("科大\\u200b讯飞")
'科大讯飞'
"""

from __future__ import annotations

import json
import re
from typing import Any

# Unicode "Cf" (format) characters, and the line/paragraph separators, which render as nothing
# or reorder what follows: soft hyphen, Arabic/Syriac marks, zero-width and bidi controls, word
# joiners, BOM, interlinear annotation, tag characters.
_FORMAT = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u2028-\u202e"
           "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
           "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
FORMAT_CHARS = re.compile(f"[{_FORMAT}]")
# C0 and C1 controls (ESC starts ANSI and OSC sequences), but not tab and newline.
_INVISIBLE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_FORMAT}]")


def _escape(match: re.Match[str]) -> str:
    cp = ord(match.group())
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}"


def visible(text: str) -> str:
    """``text`` with every control and format character written as an escape (``\\x1b``)."""
    return _INVISIBLE.sub(_escape, text)


def blank_format(text: str) -> str:
    """Format characters as spaces: same length, so offsets stay valid."""
    return FORMAT_CHARS.sub(" ", text)


def strip_format(text: str) -> str:
    """Format characters removed (names and aliases)."""
    return FORMAT_CHARS.sub("", text)


def json_text(value: Any, indent: int | None = 2) -> str:
    """JSON of ``value`` with non-ASCII text as is, but controls and format characters escaped
    (``\\u202e``): the same data once parsed, harmless on a terminal."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) < 0x10000 else
                          json.dumps(m.group()).strip('"'),
                          json.dumps(value, ensure_ascii=False, indent=indent))
