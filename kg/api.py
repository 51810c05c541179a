"""kg's Python API: knowledge graphs from Chinese news in a few calls. ``import kg`` is enough (the
names below are on the package, imported on first use, so ``import kg`` itself stays cheap).

Extract one text (or a :class:`~kg.models.Document`); the result is an :class:`~kg.models.Extraction`
with entities and relations, each relation with the sentence that states it:

>>> import kg
>>> ex = kg.extract("科大訊飛董事長劉慶峰表示，公司與華為合作。")
>>> sorted(e.name for e in ex.entities)
['刘庆峰', '华为', '科大讯飞']
>>> [(r.head, r.relation.value, r.tail, r.evidence) for r in ex.relations if r.relation.value == "CHAIRMAN_OF"]
[('刘庆峰', 'CHAIRMAN_OF', '科大讯飞', '科大訊飛董事長劉慶峰表示，公司與華為合作。')]

Many documents (a process pool with ``workers > 1``; results in input order), then one graph: a
``networkx.MultiDiGraph`` with one node per entity across documents, one edge per relation type
between two entities, each with its evidence:

>>> docs = [kg.Document(id="a", text="科大讯飞董事长刘庆峰在合肥表示，讯飞星火将持续升级。"),
...         "华为发布了昇腾910B芯片。科大讯飞与华为合作。"]
>>> extractions = list(kg.extract_many(docs, workers=1))
>>> [e.doc_id for e in extractions]
['a', 'doc-2']
>>> G = kg.build_graph(extractions)
>>> sorted(G.predecessors("科大讯飞"))
['刘庆峰', '华为']
>>> G.edges["刘庆峰", "科大讯飞", "CHAIRMAN_OF"]["evidence"][0]["doc_id"]
'a'

Save it as a folder (what ``kg build`` writes too: graph.json and its lookup index) and open that
folder read-only: lookups read a few pages of the index, so a graph of millions of relations
answers in milliseconds without being loaded:

>>> import tempfile
>>> folder = kg.save(G, tempfile.mkdtemp())
>>> with kg.open(folder) as graph:
...     print(graph.resolve("iFlytek"), [(r["name"], r["relation"]) for r in graph.neighbours("讯飞").rows])
...     print([(s["from"], s["relation"], s["to"]) for s in graph.path("刘庆峰", "华为")])
...     print(graph.stats()["relation_types"]["CHAIRMAN_OF"], graph.search("華為")[0]["name"])
科大讯飞 [('刘庆峰', 'CHAIRMAN_OF'), ('华为', 'PARTNERS_WITH')]
[('刘庆峰', 'CHAIRMAN_OF', '科大讯飞'), ('科大讯飞', 'PARTNERS_WITH', '华为')]
1 华为

Names may be any alias in either script (``讯飞``, ``iFlytek``, ``科大訊飛``); an unknown one raises
:class:`~kg.graph.index.UnknownName`, a ``LookupError`` naming the closest known names.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.graph.indexed import GraphUnavailable, IndexedGraph, open_graph

if TYPE_CHECKING:
    import networkx as nx

    from kg.extraction.config import ExtractorConfig
    from kg.graph.curation import Curation
    from kg.models import Document, Extraction

__all__ = ["ExtractionFailed", "GraphUnavailable", "IndexedGraph", "build_graph", "extract", "extract_many",
           "open", "save"]

#: The id a text without one is given: ``doc-1`` for the first of :func:`extract_many`, and for :func:`extract`.
TEXT_ID = "doc-{}"


class ExtractionFailed(RuntimeError):
    """The extractor failed on a document (the message names it and says why, in one line)."""


def _document(item: str | Document | Mapping[str, Any], position: int) -> Document:
    """A Document from a text (id ``doc-N``), a Document, or a mapping with ``text`` (and ``id``)."""
    from kg.models import Document

    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(id=TEXT_ID.format(position), text=item)
    if isinstance(item, Mapping) and isinstance(item.get("text"), str):
        return Document(id=str(item.get("id") or TEXT_ID.format(position)), text=item["text"],
                        source=str(item.get("source", "")))
    raise TypeError(f"document {position}: expected a text, a kg.Document or a mapping with 'text', "
                    f"not {type(item).__name__}")


def _extractor(config: ExtractorConfig | None) -> Any:
    from kg.extraction.extractor import Extractor

    return Extractor(config)


def extract(text_or_document: str | Document | Mapping[str, Any], config: ExtractorConfig | None = None,
            ) -> Extraction:
    """The entities and relations of one text or :class:`~kg.models.Document` (``config``: an
    :class:`~kg.extraction.config.ExtractorConfig`, e.g. another tagger or a minimum confidence; default: the
    shipped models). A plain text gets the id ``doc-1``. The first call in a process loads the models
    (about a second); later ones reuse them."""
    return _extractor(config).extract(_document(text_or_document, 1))


def extract_many(documents: Iterable[str | Document | Mapping[str, Any]], workers: int | None = 1,
                 config: ExtractorConfig | None = None) -> Iterator[Extraction]:
    """Extractions of ``documents`` (texts, Documents or ``{"id", "text"}`` mappings; a text gets the id
    ``doc-N``, N its position from 1), in input order, read lazily: memory stays flat however many
    there are. ``workers > 1`` extracts on a pool of that many processes (None: one per CPU core).
    A document the extractor fails on raises :class:`ExtractionFailed` where it comes."""
    from kg.extraction.pipeline import default_workers, extract_stream

    def failed(problem: Any) -> None:
        raise ExtractionFailed(f"{problem.where}: {problem.reason}")

    docs = (_document(item, i) for i, item in enumerate(documents, 1))
    yield from extract_stream(docs, _extractor(config), workers=default_workers() if workers is None else workers,
                              on_problem=failed)


def build_graph(extractions: Iterable[Extraction], curation: Curation | None = None) -> nx.MultiDiGraph:
    """The ``networkx.MultiDiGraph`` of ``extractions``: one node per entity across documents (same name or
    alias and type), keyed by name, with ``type``, ``aliases``, ``english``, ``mentions`` and ``docs``; one
    edge per relation type between two entities, keyed by the type, with ``confidence`` and ``evidence``
    (each sentence that states it, with where both ends are). ``curation``: merges, renames and
    removals to apply (:class:`~kg.graph.curation.Curation`, what ``kg merge``/``rename``/``forget`` write)."""
    from kg.graph.network import build_graph as build

    return build(extractions, curation)


def save(G: nx.MultiDiGraph, folder: str | Path) -> Path:
    """Write ``G`` into ``folder`` (created if needed) as ``kg build`` does: graph.json and its lookup
    index, each replaced whole or not at all; returns the folder, for :func:`open`."""
    import os
    import tempfile

    from kg.graph.index import INDEX_FILE, write_index
    from kg.graph.indexed import GRAPH_FILE
    from kg.graph.network import save_json

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    save_json(G, folder / GRAPH_FILE)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{INDEX_FILE}.", suffix=".tmp")
    os.close(fd)
    try:
        os.unlink(tmp)  # sqlite creates it afresh
        write_index(G, tmp, source=folder / GRAPH_FILE).close()
        os.replace(tmp, folder / INDEX_FILE)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return folder


def open(folder: str | Path) -> IndexedGraph:  # noqa: A001 - kg.open, as the issue and the docs call it
    """The graph of a build folder (``kg build``'s output, or :func:`save`'s), read-only, answered from its
    lookup index: ``neighbours``, ``path``, ``stats``, ``search``, ``entity`` (see
    :class:`~kg.graph.indexed.IndexedGraph`). :class:`GraphUnavailable` when the folder holds no readable graph."""
    return open_graph(folder)
