"""``none``: no statistical tagger; dictionary, patterns and the title/suffix rules only."""

from __future__ import annotations

from collections.abc import Sequence

from kg.config import ExtractorConfig
from kg.models import Mention
from kg.ner.taggers.base import Recogniser
from kg.ner.textview import TextView


def _nothing(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    return []


def no_tagger(config: ExtractorConfig) -> Recogniser:
    return _nothing
