"""JSON from files and the command line, parsed with a bound on how deeply it nests.

Python's parser recurses once per level and gives up with ``RecursionError`` near 1,000 levels;
what a value nested a few hundred levels deep does to the code after it (``json.dumps``, the
database's parser) is no better. Nothing kg reads nests more than a few levels, so :func:`loads`
refuses anything deeper than :data:`MAX_DEPTH` with :class:`TooDeep`, a ``ValueError`` whose
message fits a one-line report ("JSON nested more than 64 levels deep").

>>> loads('{"id": "a", "text": "科大讯飞"}')
{'id': 'a', 'text': '科大讯飞'}
>>> loads("[" * 65 + "]" * 65)
Traceback (most recent call last):
...
kg.io.jsonlimits.TooDeep: JSON nested more than 64 levels deep
"""

from __future__ import annotations

import json
from typing import Any

#: Deepest nesting accepted (kg's own files nest five levels at most).
MAX_DEPTH = 64


class TooDeep(ValueError):
    """JSON nested more than the limit allows."""

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(f"JSON nested more than {limit} levels deep")


def loads(text: str | bytes, max_depth: int | None = MAX_DEPTH) -> Any:
    """``json.loads(text)``, or :class:`TooDeep` for a value nested more than ``max_depth`` levels
    (``None``: only as deep as the parser can go, for callers that check a fixed shape field by
    field). Malformed JSON raises ``json.JSONDecodeError`` as usual."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise TooDeep(max_depth or MAX_DEPTH) from None
    if max_depth is not None and deeper_than(value, max_depth):
        raise TooDeep(max_depth)
    return value


def deeper_than(value: Any, limit: int) -> bool:
    """Does ``value`` nest lists and objects more than ``limit`` levels? (No recursion: any depth.)"""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False
