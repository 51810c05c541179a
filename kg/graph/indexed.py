"""The graph of a build folder, read through its lookup index (``OUT/index.sqlite``, :mod:`kg.graph.index`):
what ``kg.open``, ``kg neighbours``/``path``/``stats`` and ``kg serve`` answer from.

Opening reads no graph: a question reads the few pages of the index it needs, so a 1M-edge graph
opens in milliseconds and neither networkx nor the pydantic models are imported. An index that is
missing, of an older format or older than graph.json is rebuilt from graph.json first (kept in the
folder if it can be written, else held in memory for this process).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from kg.graph.index import INDEX_FILE, GraphIndex, IndexError_, Neighbourhood, UnknownName, write_index

GRAPH_FILE = "graph.json"

__all__ = ["GraphUnavailable", "IndexedGraph", "Neighbourhood", "UnknownName", "open_graph"]


class GraphUnavailable(ValueError):
    """A folder whose graph cannot be read (no graph.json, or not a kg graph); the message is one line."""


class IndexedGraph:
    """A read-only graph answered from an index: :meth:`neighbours`, :meth:`path`, :meth:`stats`,
    :meth:`search`, :meth:`entity`. Names may be any alias, in either script or English; an unknown
    one raises :class:`~kg.graph.index.UnknownName` (a ``LookupError`` naming the closest known names).
    Use it as a context manager, or call :meth:`close`."""

    def __init__(self, index: GraphIndex, folder: Path | None = None) -> None:
        self.index = index
        self.folder = folder

    def __enter__(self) -> IndexedGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        s = self.stats()
        return f"<IndexedGraph {self.folder or ':memory:'}: {s['nodes']} entities, {s['edges']} relations>"

    def close(self) -> None:
        self.index.db.close()

    def resolve(self, name: str) -> str:
        """The canonical name of the entity ``name`` stands for."""
        return self.index.resolve(name)[1]

    def neighbours(self, name: str, depth: int = 1, types: Any = None, relations: Any = None,
                   limit: int | None = None) -> Neighbourhood:
        """Entities within ``depth`` hops of ``name``: ``.entity``, ``.type``, ``.rows`` (name, type, depth,
        via, relation, direction, evidence) and ``.omitted`` (rows beyond ``limit``). ``types`` filters
        the rows, ``relations`` the edges walked."""
        return self.index.neighbours(name, depth=depth, types=types, relations=relations, limit=limit)

    def path(self, a: str, b: str) -> list[dict[str, Any]]:
        """A shortest chain of relations between ``a`` and ``b`` in either direction, one step per
        relation (from, relation, to, direction, evidence); [] if there is none or they are one entity."""
        return self.index.shortest_path(a, b)

    def stats(self) -> dict[str, Any]:
        """Entities, relations and documents; counts by entity and relation type; the best connected."""
        return self.index.stats()

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Entities whose name or alias matches ``query`` (whole, start, anywhere), best first."""
        return self.index.search(query, limit=limit)

    def entity(self, name: str) -> dict[str, Any]:
        """The entity ``name`` stands for: name, type, aliases, english, mentions, docs, degree."""
        return self.index.entity(name)


def open_graph(folder: str | Path) -> IndexedGraph:
    """The graph of a build folder (``kg build``'s output, or any folder holding a graph.json),
    answered from its index; ``GraphUnavailable`` (one line) when the folder has no readable graph."""
    folder = Path(folder)
    graph, path = folder / GRAPH_FILE, folder / INDEX_FILE
    if path.exists():
        try:
            index = GraphIndex.open(path)
            if index.mirrors(graph):
                return IndexedGraph(index, folder)
            index.db.close()
        except IndexError_:
            pass  # unreadable or foreign: rebuilt below
    return IndexedGraph(_rebuilt(folder, graph, path), folder)


def _rebuilt(folder: Path, graph: Path, path: Path) -> GraphIndex:
    """The index of ``graph`` written afresh (networkx is imported only here)."""
    from kg.graph.network import GraphFormatError, load_json

    try:
        G = load_json(graph)
    except GraphFormatError as exc:
        raise GraphUnavailable(str(exc)) from None
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{INDEX_FILE}.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)  # sqlite creates it afresh
        write_index(G, tmp, source=graph).close()
        os.replace(tmp, path)
        return GraphIndex.open(path)
    except (OSError, sqlite3.Error, IndexError_):  # a read-only folder: an index in memory this time
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return GraphIndex(write_index(G, ":memory:", source=graph))
