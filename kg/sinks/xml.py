"""What GraphML and GEXF share: the graph as networkx's XML writers need it, and back."""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from kg.graph.network import FORMAT_VERSION, GraphFormatError, from_json_dict, to_json_dict
from kg.sinks.base import Escaped, ExportError
from kg.sinks.escapes import XML_UNSAFE, Escaper, json_text


def xml_graph(G: nx.MultiDiGraph, edge_keys: str) -> tuple[nx.MultiDiGraph, list[Escaped]]:
    """The graph as networkx's XML writers need it: scalar attributes, lists as JSON text, plain
    text made XML-safe. ``edge_keys``: ``"serial"`` (e0, e1 ...: GraphML edge ids) or ``"relation"``."""
    data = to_json_dict(G)
    esc = Escaper(XML_UNSAFE)
    H = nx.MultiDiGraph(format="kg-graph", format_version=FORMAT_VERSION)
    ids: dict[str, str] = {}
    for n in data["nodes"]:
        name = esc(str(n["name"]), "entity name")
        if name in H:
            other = next(k for k, v in ids.items() if v == name)
            raise ExportError(f"entities {other!r} and {n['name']!r} would both be written as {name!r} "
                              f"(characters XML cannot hold are escaped); use --format jsonl or csv")
        ids[n["name"]] = name
        attrs: dict[str, Any] = {"label": name, "type": esc(str(n["type"]), f"type of {name}"),
                                 "aliases": json_text(n["aliases"])}
        if n["english"] is not None:
            attrs["english"] = esc(str(n["english"]), f"english of {name}")
        attrs["mentions"] = int(n["mentions"] or 0)
        attrs["docs"] = json_text(n["docs"])
        H.add_node(name, **attrs)
    for i, e in enumerate(data["edges"]):
        relation = esc(str(e["relation"]), "relation type")
        key = f"e{i}" if edge_keys == "serial" else relation
        H.add_edge(ids[e["head"]], ids[e["tail"]], key=key, relation=relation, label=relation,
                   confidence=float(e["confidence"] or 0.0), evidence=json_text(e["evidence"]))
    return H, esc.escaped



def from_xml_graph(H: nx.Graph) -> nx.MultiDiGraph:
    """A kg graph from what ``nx.read_graphml`` / ``nx.read_gexf`` read from one of our files."""
    try:
        nodes = [{"name": n, "type": d["type"], "aliases": json.loads(d.get("aliases", "[]")),
                  "english": d.get("english"), "mentions": int(d.get("mentions", 0)),
                  "docs": json.loads(d.get("docs", "[]"))} for n, d in H.nodes(data=True)]
        edges = [{"head": u, "relation": d["relation"], "tail": v, "confidence": float(d.get("confidence", 0.0)),
                  "evidence": json.loads(d.get("evidence", "[]"))} for u, v, d in H.edges(data=True)]
    except (KeyError, TypeError, ValueError) as exc:
        raise GraphFormatError(f"not a graph written by kg export (bad or missing attribute: {exc})") from exc
    return from_json_dict({"format": "kg-graph", "version": FORMAT_VERSION, "nodes": nodes, "edges": edges})

