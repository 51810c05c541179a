"""kg: typed, queryable knowledge graphs from Chinese news articles.

The pipeline flows one way::

    documents -> normalised text -> mentions -> entities -> relations -> Extraction
              -> networkx graph -> sinks (JSON, lookup index, Bolt database, HTML)

The Python API (:mod:`kg.api`) is on the package: ``kg.extract``, ``kg.extract_many``,
``kg.build_graph``, ``kg.save``, ``kg.open``, and the models ``kg.Document``, ``kg.Extraction``,
``kg.ExtractorConfig``. They are imported on first use, so ``import kg`` costs next to nothing:

>>> import kg
>>> kg.extract("华为发布了昇腾910B芯片。").entities[0].name
'华为'
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

#: name on the package -> the module it comes from (``kg.extract`` is the module kg/extract.py, which
#: is callable as the API's function: see :class:`kg.extract._CallableModule`)
_API = {
    "extract_many": "kg.api", "build_graph": "kg.api", "save": "kg.api", "open": "kg.api",
    "ExtractionFailed": "kg.api", "GraphUnavailable": "kg.api", "IndexedGraph": "kg.api",
    "UnknownName": "kg.graph.index",
    "Document": "kg.models", "Extraction": "kg.models", "Entity": "kg.models", "Relation": "kg.models",
    "ExtractorConfig": "kg.extraction.config",
}
__all__ = ["__version__", "extract", *_API]


def __getattr__(name: str) -> Any:
    """The API's names, imported on first use."""
    import importlib

    if name == "extract":
        return importlib.import_module("kg.extract")  # sets the package's attribute as it loads
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


# jieba.posseg's tag table read when first needed, from a compact copy (see kg.extraction.postags)
from kg.extraction import postags as _postags  # noqa: E402

_postags.install()
