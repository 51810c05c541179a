"""The JSON the server answers with, read from the lookup index (:class:`kg.graph.index.GraphIndex`): entities,
relations and paths as the live page's script (``kg/web/graph.js``) takes them, each with its
vis-network item, built by :mod:`kg.sinks.webitems` as the static page's are.

Entities are referred to by their number in the index, never by name, so a name goes back to the
server only as typed into a search box. Every string is passed through :func:`kg.io.textsafety.visible`
(control, bidi and zero-width characters shown as escapes), as on the static page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kg.graph.index import GraphIndex
from kg.io.textsafety import visible
from kg.schema import SYMMETRIC
from kg.sinks.webitems import MAX_EVIDENCE, edge_options, evidence_record, legend, node_options

#: Most relations a neighbourhood page holds, evidence sentences an evidence page, hits a search.
MAX_PAGE, MAX_EVIDENCE_PAGE, MAX_HITS = 200, 100, 50
#: Document ids sent with an entity (the rest are counted).
MAX_DOCS = 50
#: Relation lines are drawn as on a mid-sized static page.
EDGE_OPACITY = 0.85


def plainly(value: Any) -> Any:
    """Every string in ``value`` with its invisible characters made visible (see kg.io.textsafety)."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, list | tuple):
        return [plainly(v) for v in value]
    if isinstance(value, dict):
        return {k: plainly(v) for k, v in value.items()}
    return value


def entity(index: GraphIndex, node: int) -> dict[str, Any]:
    """An entity: id, name, type, degree, mentions, aliases, english, the first documents and their count,
    and its vis-network node. ``KeyError`` if the index has no such entity."""
    row = index.db.execute("SELECT name, type, data, degree FROM nodes WHERE id = ?", (node,)).fetchone()
    if row is None:
        raise KeyError(node)
    name, type_, raw, degree = row
    data = {**json.loads(raw), "type": type_}
    docs = list(data.get("docs", []))
    vis = {"id": node, "label": name, **node_options(name, data, degree)}
    return {"id": node, "name": name, "type": type_, "degree": degree, "mentions": int(data.get("mentions") or 0),
            "aliases": list(data.get("aliases", [])), "english": data.get("english"), "docs": docs[:MAX_DOCS],
            "docCount": len(docs), "vis": vis}


def relation(index: GraphIndex, edge: int, head: int, tail: int, kind: str, confidence: float,
             evidence: list[dict[str, Any]], names: dict[int, str]) -> dict[str, Any]:
    """A relation as the page shows it: its ends (ids), type, confidence, its first evidence sentences
    (cut at both ends), how many more there are, and its vis-network edge."""
    data = {"confidence": confidence, "evidence": evidence}
    eid = f"e{edge}"
    vis = {"from": head, "to": tail, "arrows": "to",
           **edge_options(eid, names[head], names[tail], kind, data, EDGE_OPACITY)}
    return {"id": eid, "from": head, "to": tail, "relation": kind, "symmetric": kind in SYMMETRIC,
            "confidence": confidence, "evidence": [evidence_record(e) for e in evidence[:MAX_EVIDENCE]],
            "more_evidence": max(0, len(evidence) - MAX_EVIDENCE), "vis": vis}


def stats(index: GraphIndex) -> dict[str, Any]:
    """Counts, the legend (every type with its colour and count) and the best-connected entities."""
    s = index.stats()
    top = []
    for row in s["top_degree"]:
        found = index.db.execute("SELECT id, type FROM nodes WHERE name = ?", (row["name"],)).fetchone()
        if found:
            top.append({"id": found[0], "name": row["name"], "type": found[1], "degree": row["degree"]})
    return plainly({"nodes": s["nodes"], "edges": s["edges"], "documents": s["documents"],
                    **legend(s["entity_types"], s["relation_types"]), "top": top})


def search(index: GraphIndex, query: str, limit: int) -> dict[str, Any]:
    return plainly({"query": query, "hits": index.search(query, limit=min(limit, MAX_HITS))})


def neighbourhood(index: GraphIndex, node: int, offset: int, limit: int, types: Iterable[str] = (),
                  relations: Iterable[str] = (), min_confidence: float = 0.0) -> dict[str, Any]:
    """One page of an entity's relations (by relation, then the other's name), the filters applied by
    the index: the entity, ``total`` (its relations that pass the filters), the other ends and the
    relations themselves."""
    centre = entity(index, node)
    rows, total = index._edge_rows(node, set(relations) or None, set(types) or None, min(limit, MAX_PAGE), offset,
                                   min_confidence)
    names = {node: centre["name"]}
    others: dict[int, dict[str, Any]] = {}
    edges = []
    for kind, other_name, _type, direction, confidence, evidence, other, edge in rows:
        names[other] = other_name
        if other not in others and other != node:
            others[other] = entity(index, other)
        head, tail = (node, other) if direction == "out" else (other, node)
        edges.append(relation(index, edge, head, tail, kind, confidence, json.loads(evidence), names))
    return plainly({"centre": centre, "total": total, "offset": offset, "nodes": list(others.values()),
                    "edges": edges})


def edge(index: GraphIndex, edge_id: int, offset: int, limit: int) -> dict[str, Any]:
    """One relation with a page of its evidence sentences (``evidence_total`` in all). ``KeyError`` if none."""
    row = index.db.execute("SELECT head, tail, relation, confidence, evidence FROM edges WHERE id = ?",
                           (edge_id,)).fetchone()
    if row is None:
        raise KeyError(edge_id)
    head, tail, kind, confidence, raw = row
    evidence = json.loads(raw)
    page = evidence[offset:offset + min(limit, MAX_EVIDENCE_PAGE)]
    return plainly({"id": f"e{edge_id}", "from": head, "to": tail, "relation": kind, "symmetric": kind in SYMMETRIC,
                    "confidence": confidence, "evidence": [evidence_record(e) for e in page], "offset": offset,
                    "evidence_total": len(evidence)})


def path(index: GraphIndex, a: str, b: str) -> dict[str, Any]:
    """A shortest chain of relations between two names (any alias): its entities and relations in order.
    ``UnknownName`` for a name that matches none."""
    src, dst = index.resolve(a)[0], index.resolve(b)[0]
    chain = index.path_ids(src, dst)
    nodes = [entity(index, n) for n in (chain or dict.fromkeys([src, dst]))]
    names = {n["id"]: n["name"] for n in nodes}
    edges = []
    for u, v in zip(chain, chain[1:], strict=False):
        eid, head, tail, kind, confidence, evidence = index.edge_between(u, v)
        edges.append(relation(index, eid, head, tail, kind, confidence, json.loads(evidence), names))
    return plainly({"same": src == dst, "nodes": nodes, "edges": edges})
