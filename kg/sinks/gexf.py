"""GEXF 1.2, Gephi's own format: the sink ``gexf``."""

from __future__ import annotations

from typing import ClassVar

import networkx as nx
from pydantic import BaseModel

from kg.sinks.base import Export, NoSettings, Note, PathOrFile
from kg.sinks.streams import binary, files_of
from kg.sinks.xml import from_xml_graph, xml_graph


def to_gexf(G: nx.MultiDiGraph, path: PathOrFile) -> Export:
    """Write ``G`` as GEXF 1.2 (``nx.write_gexf``), Gephi's own format, to ``path``.

    >>> import io, json
    >>> from kg.graph.network import new_graph
    >>> G = new_graph()
    >>> G.add_node("华为", type="Company", aliases=["華為", "Huawei"], english="Huawei", mentions=3, docs=["d1"])
    >>> buffer = io.BytesIO()
    >>> to_gexf(G, buffer).nodes
    1
    >>> H = nx.read_gexf(io.BytesIO(buffer.getvalue()))
    >>> H.nodes["华为"]["label"], json.loads(H.nodes["华为"]["aliases"])
    ('华为', ['華為', 'Huawei'])
    """
    H, escaped = xml_graph(G, edge_keys="relation")
    with binary(path) as fh:
        nx.write_gexf(H, fh, encoding="utf-8")
    return Export("gexf", files_of(path), H.number_of_nodes(), H.number_of_edges(), escaped)



def read_gexf(path: PathOrFile) -> nx.MultiDiGraph:
    """The kg graph in a GEXF file written by :func:`to_gexf`."""
    return from_xml_graph(nx.read_gexf(path))


class Gexf:
    """``kg export -f gexf``: one file for Gephi."""

    title: ClassVar[str] = 'GEXF'
    help: ClassVar[str] = 'GEXF 1.2, for Gephi'
    target: ClassVar[str] = 'graph.gexf'
    suffixes: ClassVar[tuple[str, ...]] = ('.gexf',)
    folder: ClassVar[bool] = False
    files: ClassVar[tuple[str, ...]] = ()
    unsafe: ClassVar[str] = 'XML 1.0 cannot carry'
    Settings: ClassVar[type[BaseModel]] = NoSettings

    def write(self, G: nx.MultiDiGraph, target: PathOrFile, settings: BaseModel) -> Export:
        return to_gexf(G, target)

    def notes(self, export: Export, settings: BaseModel) -> list[Note]:
        return []


SINK = Gexf()
