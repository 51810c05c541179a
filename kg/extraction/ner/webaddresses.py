"""Web addresses in news text: scraped articles carry their page's address, image links
(``![](https://…/article/…png)``) and e-mail addresses, whose pieces are no names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.models import Mention

# A scheme or www. up to the first space or non-ASCII character (官网:https://x.com/壁仞科技 keeps
# the company after it); an e-mail address.
_WEB = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[!-~]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
                  re.ASCII)


def web_address_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every web or e-mail address in ``text``.

    >>> web_address_spans("官网:https://www.example.com/壁仞科技")
    [(3, 27)]
    """
    return [m.span() for m in _WEB.finditer(text)]


def outside_web_addresses(text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions that do not touch a web or e-mail address of ``text``."""
    spans = web_address_spans(text)
    if not spans:
        return list(mentions)
    return [m for m in mentions if not any(s < m.end and m.start < e for s, e in spans)]
