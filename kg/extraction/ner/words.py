"""jieba's word dictionary, as the recognisers read it.

jieba fills its frequency table on the first cut, so reading ``jieba.dt.FREQ`` before any cut sees
an empty dictionary: a process whose first document met no cut would read that document
differently from the next one. Every reader goes through :func:`word_frequencies`.
"""

from __future__ import annotations

import logging
from functools import cache

import jieba

jieba.setLogLevel(logging.WARNING)


@cache
def word_frequencies() -> dict[str, int]:
    """jieba's dictionary (word -> frequency), loaded on first use.

    >>> word_frequencies()["人工智能"] > 100
    True
    """
    jieba.dt.check_initialized()
    return jieba.dt.FREQ
