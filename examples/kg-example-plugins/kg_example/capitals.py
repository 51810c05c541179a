"""A (silly) tagger: every run of capital letters is a company.

One module and one entry point (``[project.entry-points."kg.taggers"]``): once the package is
installed, ``kg extract in/ -o out.jsonl --ner capitals`` uses it, ``--help`` lists it, and a
configuration file sets its option (``[components.capitals] min_length = 4``).
"""

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from kg.extraction.config import ExtractorConfig
from kg.extraction.ner.taggers.base import Recogniser
from kg.extraction.ner.textview import TextView
from kg.models import Mention
from kg.schema import EntityType, Origin


class CapitalsSettings(BaseModel):
    """``[components.capitals]``: the tagger's own settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: the shortest run of capitals taken for a name
    min_length: int = Field(default=3, ge=1)


def capitals(config: ExtractorConfig) -> Recogniser:
    """The factory kg calls once per configuration (a real tagger loads its model here)."""
    settings = config.settings_of("capitals")
    pattern = re.compile(rf"[A-Z]{{{settings.min_length},}}")

    def recognise(view: TextView, known: Sequence[Mention]) -> list[Mention]:
        # Origin.TAGGER: a tagger that read the sentence; its names push out the rules' guesses they overlap
        return [view.mention(m.start(), m.end(), EntityType.COMPANY, origin=Origin.TAGGER)
                for m in pattern.finditer(view.norm)]

    return recognise


capitals.help = "runs of capital letters are companies"  # shown in --help
capitals.Settings = CapitalsSettings  # what [components.capitals] holds
