"""Mentions indexed by position, so a recogniser asks "does a known name overlap (contain, reach)
this span?" in O(log n) instead of scanning every mention: a scan per candidate made long
documents quadratic.

>>> from kg.schema import EntityType
>>> ms = [Mention(text="华为", start=2, end=4, type=EntityType.COMPANY, canonical="华为")]
>>> index = MentionIndex(ms)
>>> index.any_overlapping(3, 6), index.any_overlapping(4, 6), index.any_containing(2, 3), index.any_reaching(4)
(True, False, True, True)
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import accumulate

from kg.models import Mention


class MentionIndex:
    """Any set of mentions (they may overlap), sorted by start, with the running maximum of their
    ends: every question below is one binary search."""

    def __init__(self, mentions: Iterable[Mention]) -> None:
        spans = sorted((m.start, m.end) for m in mentions)
        self._starts = [s for s, _ in spans]
        self._max_end = list(accumulate((e for _, e in spans), max))

    def _max_end_before(self, i: int) -> int:
        """Largest end among the first ``i`` mentions (by start); -1 for none."""
        return self._max_end[i - 1] if i else -1

    def any_overlapping(self, start: int, end: int) -> bool:
        """Some mention ``k`` with ``k.start < end and start < k.end``."""
        return self._max_end_before(bisect_left(self._starts, end)) > start

    def any_containing(self, start: int, end: int) -> bool:
        """Some mention ``k`` with ``k.start <= start and k.end >= end``."""
        return self._max_end_before(bisect_right(self._starts, start)) >= end

    def any_reaching(self, pos: int) -> bool:
        """Some mention ``k`` with ``k.start < pos <= k.end`` (it runs up to or across ``pos``)."""
        return self._max_end_before(bisect_left(self._starts, pos)) >= pos
