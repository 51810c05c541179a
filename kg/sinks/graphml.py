"""GraphML (Gephi, Cytoscape, yEd): the sink ``graphml``."""

from __future__ import annotations

from typing import ClassVar

import networkx as nx
from pydantic import BaseModel

from kg.sinks.base import Export, NoSettings, Note, PathOrFile
from kg.sinks.streams import binary, files_of
from kg.sinks.xml import from_xml_graph, xml_graph


def to_graphml(G: nx.MultiDiGraph, path: PathOrFile) -> Export:
    """Write ``G`` as GraphML (``nx.write_graphml``) to ``path``, a file name or an open binary file.

    Read it back with :func:`read_graphml`, or ``nx.read_graphml(path, force_multigraph=True)`` and
    ``json.loads`` on ``aliases``, ``docs`` and ``evidence`` (the module docstring shows both).
    """
    H, escaped = xml_graph(G, edge_keys="serial")
    with binary(path) as fh:
        nx.write_graphml(H, fh, encoding="utf-8")
    return Export("graphml", files_of(path), H.number_of_nodes(), H.number_of_edges(), escaped)



def read_graphml(path: PathOrFile) -> nx.MultiDiGraph:
    """The kg graph in a GraphML file written by :func:`to_graphml` (relation types as edge keys again)."""
    return from_xml_graph(nx.read_graphml(path, force_multigraph=True))


class GraphML:
    """``kg export -f graphml``: one file for Gephi, Cytoscape or yEd."""

    title: ClassVar[str] = 'GraphML'
    help: ClassVar[str] = 'for Gephi, Cytoscape, yEd'
    target: ClassVar[str] = 'graph.graphml'
    suffixes: ClassVar[tuple[str, ...]] = ('.graphml',)
    folder: ClassVar[bool] = False
    files: ClassVar[tuple[str, ...]] = ()
    unsafe: ClassVar[str] = 'XML 1.0 cannot carry'
    Settings: ClassVar[type[BaseModel]] = NoSettings

    def write(self, G: nx.MultiDiGraph, target: PathOrFile, settings: BaseModel) -> Export:
        return to_graphml(G, target)

    def notes(self, export: Export, settings: BaseModel) -> list[Note]:
        return []


SINK = GraphML()
