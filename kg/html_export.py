"""Interactive HTML view of the graph (pyvis). Replaced by the full page in issue 6."""

from __future__ import annotations

import html
from pathlib import Path

import networkx as nx
from pyvis.network import Network

from kg.graph import write_atomic


def write_html(G: nx.MultiDiGraph, path: Path) -> None:
    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line")
    for n, d in G.nodes(data=True):
        net.add_node(n, label=n, title=html.escape(f"{n} ({d['type']})"), group=d["type"])
    for u, v, k, d in G.edges(keys=True, data=True):
        net.add_edge(u, v, label=k, title=html.escape(" | ".join(e["text"] for e in d["evidence"])))
    write_atomic(Path(path), net.generate_html())
