"""The interactive page as a sink (``html``): what ``kg build`` writes as graph.html, and what
``kg export -f html -o FILE`` writes anywhere (the page itself is made in :mod:`kg.sinks.html`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from kg.sinks.base import Export, Note, PathOrFile
from kg.sinks.webitems import MAX_NODES


class PageSettings(BaseModel):
    """The settings of the sink ``html``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: the page's title (None: "kg · knowledge graph")
    title: str | None = None
    #: draw at most this many entities, the best-connected (0: all)
    max_nodes: int = Field(default=MAX_NODES, ge=0)
    #: initial node size
    size_by: Literal["degree", "mentions"] = "degree"
    #: an entity (canonical name) to select and centre once the layout settles; ``kg html --focus``
    #: draws its neighbourhood so (None, or a name not in the graph: none)
    focus: str | None = None


class Page:
    """``kg export -f html``: one self-contained, offline page of the graph."""

    title: ClassVar[str] = "HTML page"
    help: ClassVar[str] = "the interactive, offline page (graph.html)"
    target: ClassVar[str] = "graph.html"
    suffixes: ClassVar[tuple[str, ...]] = (".html", ".htm")
    folder: ClassVar[bool] = False
    files: ClassVar[tuple[str, ...]] = ()
    unsafe: ClassVar[str] = "a page would hide or obey"
    Settings: ClassVar[type[BaseModel]] = PageSettings

    def write(self, G: nx.MultiDiGraph, target: PathOrFile, settings: BaseModel) -> Export:
        from kg.sinks.html import write_html  # pyvis, jinja2: only when a page is written

        assert isinstance(settings, PageSettings) and not hasattr(target, "write")
        path = Path(target)  # type: ignore[arg-type]
        nodes, relations = write_html(G, path, title=settings.title, focus=settings.focus, size_by=settings.size_by,
                                      max_nodes=settings.max_nodes)
        return Export("html", [path], nodes, relations)

    def notes(self, export: Export, settings: BaseModel) -> list[Note]:
        return []


SINK = Page()
