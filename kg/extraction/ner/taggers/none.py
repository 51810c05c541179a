"""``none``: no statistical tagger; dictionary, patterns and the title/suffix rules only."""

from __future__ import annotations

from collections.abc import Sequence

from kg.extraction.config import ExtractorConfig
from kg.extraction.ner.taggers.base import Recogniser
from kg.extraction.ner.textview import TextView
from kg.models import Mention


def _nothing(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    return []


def no_tagger(config: ExtractorConfig) -> Recogniser:
    return _nothing
