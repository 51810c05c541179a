"""``kg.extract``: the API's function (:func:`kg.api.extract`) under the name the package offers it.

The package names the function after this module, so the module answers the call; it also keeps
``kg.extract.Extractor`` and ``kg.extract.extract_document`` readable as they always were (the code
lives in :mod:`kg.extraction.extractor`)."""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from kg.extraction.extractor import Extractor, extract_document

if TYPE_CHECKING:
    from kg.extraction.config import ExtractorConfig
    from kg.models import Extraction

__all__ = ["Extractor", "extract_document"]


class _CallableModule(types.ModuleType):
    """This module, callable as ``kg.extract(text_or_document, config=None)``."""

    def __call__(self, text_or_document: Any, config: ExtractorConfig | None = None) -> Extraction:
        from kg.api import extract

        return extract(text_or_document, config)


sys.modules[__name__].__class__ = _CallableModule
