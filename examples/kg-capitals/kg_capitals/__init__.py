"""A (silly) kg tagger in a package of its own: every run of capital letters is a company.

The whole plugin is this file and one entry point in pyproject.toml (``[project.entry-points."kg.taggers"]``):
once the package is installed, ``kg extract in/ -o out.jsonl --ner capitals`` uses it and ``kg extract
--help`` lists it (docs/plugins.md; tests/test_examples.py installs and runs it).
"""

import re
from collections.abc import Sequence

from kg.extraction.config import ExtractorConfig
from kg.extraction.ner.taggers.base import Recogniser
from kg.extraction.ner.textview import TextView
from kg.models import Mention
from kg.schema import EntityType, Origin

#: shown in ``--help`` beside the tagger's name
HELP = "runs of capital letters are companies (example plugin)"


def _capitals(view: TextView, known: Sequence[Mention]) -> list[Mention]:
    # Origin.TAGGER: a tagger that read the sentence; its names push out the rules' guesses they overlap
    return [view.mention(m.start(), m.end(), EntityType.COMPANY, origin=Origin.TAGGER)
            for m in re.finditer(r"[A-Z]{3,}", view.norm)]


def capitals(config: ExtractorConfig) -> Recogniser:
    return _capitals  # a real tagger loads its model here, once per configuration
