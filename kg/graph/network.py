"""The in-process knowledge graph: a networkx ``MultiDiGraph`` built from extractions.

One node per entity across documents: :mod:`kg.graph.linking` decides which entities of which
documents are one (same name, or an alias in common, with the same type and no conflicting
maker), and the user's curation (:mod:`kg.graph.curation`) has the last word. Nodes are keyed by their
name and carry ``type``, ``aliases``, ``english``,
``mentions`` and ``docs``. Edges are keyed by relation type and carry ``evidence``: a list of
``{"doc_id", "text", "start", "end", "confidence"}`` with where the head and the tail are in
``text`` (``head_start``… and ``head_via``/``tail_via`` for an anaphor, see :mod:`kg.extraction.evidence`).
Symmetric relations are stored once.

>>> from kg.models import Entity, Extraction, Relation
>>> ex = Extraction(doc_id="d1",
...     entities=[Entity(name="刘庆峰", type="Person"), Entity(name="科大讯飞", type="Company",
...               aliases=["讯飞", "iFlytek"])],
...     relations=[Relation(head="刘庆峰", relation="CHAIRMAN_OF", tail="科大讯飞",
...                evidence="科大讯飞董事长刘庆峰说", doc_id="d1", start=0, end=11)])
>>> G = build_graph([ex])
>>> resolve(G, "iFlytek")
'科大讯飞'
>>> [(n["name"], n["relation"]) for n in neighbours(G, "讯飞")]
[('刘庆峰', 'CHAIRMAN_OF')]
"""

from __future__ import annotations

import difflib
import json
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from kg.extraction.evidence import evidence_item, swapped_ends
from kg.graph.curation import Curation
from kg.io.normalize import key
from kg.io.outputs import write_text
from kg.models import Extraction
from kg.schema import SYMMETRIC, EntityType, RelationType

if TYPE_CHECKING:
    from kg.graph.linking import Linking

FORMAT_VERSION = 1


class UnknownEntityError(LookupError):
    """A name that matches no node; ``suggestions`` holds the closest known names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no entity named {name!r} in the graph{hint}")


class GraphFormatError(ValueError):
    """graph.json is not a graph this version can read."""


def new_graph() -> nx.MultiDiGraph:
    return nx.MultiDiGraph(format_version=FORMAT_VERSION)


def add_extraction(G: nx.MultiDiGraph, ex: Extraction, node_of: Callable[[str], str | None] | None = None,
                   types: dict[str, str] | None = None) -> None:
    """Merge one document's extraction into ``G`` (idempotent per document id).

    ``node_of`` gives the node of each of the document's entity names (None: the entity is left
    out); by default an entity is the node of its own name. ``types`` fixes the type of a node
    (what linking across documents decided), else the type most of its documents give wins."""
    node_of = node_of or (lambda name: name)
    by_node: dict[str, list] = {}
    for ent in ex.entities:
        node = node_of(ent.name)
        if node is not None:
            by_node.setdefault(node, []).append(ent)
    for node, ents in by_node.items():
        if node not in G:
            G.add_node(node, type=str(ents[0].type), aliases=[], english=None, mentions=0, docs=[], type_votes={})
        data = G.nodes[node]
        if ex.doc_id in data["docs"]:
            continue
        data["docs"].append(ex.doc_id)
        votes = data.setdefault("type_votes", {})
        for ent in ents:
            data["mentions"] += max(ent.mentions, 1)
            votes[str(ent.type)] = votes.get(str(ent.type), 0) + 1
            for alias in [ent.name, *ent.aliases]:
                if alias != node and alias not in data["aliases"]:
                    data["aliases"].append(alias)
            if ent.english and not data["english"]:
                data["english"] = ent.english
        data["type"] = (types or {}).get(node) or max(sorted(votes), key=votes.__getitem__)
    for rel in ex.relations:
        head, tail = node_of(rel.head), node_of(rel.tail)
        if head is None or tail is None or head == tail or head not in G or tail not in G:
            continue
        swapped = rel.relation in SYMMETRIC and tail < head
        if swapped:
            head, tail = tail, head
        kind = str(rel.relation)
        if not G.has_edge(head, tail, key=kind):
            G.add_edge(head, tail, key=kind, relation=kind, evidence=[], confidence=0.0)
        edge = G.edges[head, tail, kind]
        item = evidence_item(rel)
        if swapped:  # the ends of the evidence are the relation's: exchanged with the edge's
            item = swapped_ends(item)
        if not any(e["doc_id"] == item["doc_id"] and e["start"] == item["start"] for e in edge["evidence"]):
            edge["evidence"].append(item)
        edge["confidence"] = max(edge["confidence"], rel.confidence)
    G.graph.pop("_alias_index", None)


def build_linked(extractions: Iterable[Extraction], curation: Curation | None = None,
                 ) -> tuple[nx.MultiDiGraph, Linking]:
    """The graph of ``extractions`` with one node per entity across documents (:mod:`kg.graph.linking`),
    the user's ``curation`` applied (:mod:`kg.graph.curation`), and how each entity was linked.
    ``extractions`` is read twice (a one-pass iterator is read into a list first)."""
    from kg.graph.linking import link

    if iter(extractions) is extractions:
        extractions = list(extractions)
    curation = curation or Curation()
    curated = _Reread(extractions, curation)
    linking = link(curated, curation.apart, curation.together(), curation.node_names())
    G = new_graph()
    for ex in curated:
        node_of = _nodes_of(linking, ex.doc_id)
        add_extraction(G, ex, node_of, linking.types)
    G.remove_nodes_from([n for n in list(G.nodes) if curation.forgets(n)])
    return G, linking


def build_graph(extractions: Iterable[Extraction], curation: Curation | None = None) -> nx.MultiDiGraph:
    """Build a graph from extractions: one node per entity across documents (see :func:`build_linked`)."""
    return build_linked(extractions, curation)[0]


class _Reread:
    """``extractions`` with the curation applied, as often as it is iterated."""

    def __init__(self, extractions: Iterable[Extraction], curation: Curation) -> None:
        self.extractions, self.curation = extractions, curation

    def __iter__(self) -> Iterator[Extraction]:
        return iter(self.curation.applied(self.extractions, names=False))


def _nodes_of(linking: Linking, doc_id: str) -> Callable[[str], str | None]:
    return lambda name: linking.node_of.get((doc_id, name))


def alias_index(G: nx.MultiDiGraph) -> dict[str, str]:
    """Map the matching key of every name and alias to its node (cached on the graph)."""
    index = G.graph.get("_alias_index")
    if index is None:
        index = {}
        # Canonical names win over aliases: index aliases first, then overwrite with names.
        for node, data in G.nodes(data=True):
            for alias in [*data.get("aliases", []), data.get("english") or ""]:
                if alias:
                    index.setdefault(key(alias), node)
        for node in G.nodes:
            index[key(node)] = node
        G.graph["_alias_index"] = index
    return index


def resolve(G: nx.MultiDiGraph, name: str) -> str:
    """The node a name or alias (either script, any case) refers to, or ``UnknownEntityError``."""
    index = alias_index(G)
    node = index.get(key(name))
    if node is not None:
        return node
    close = difflib.get_close_matches(key(name), list(index), n=5, cutoff=0.5)
    contains = [k for k in index if key(name) and (key(name) in k or k in key(name))][:5]
    suggestions = list(dict.fromkeys(index[k] for k in [*contains, *close]))[:5]
    raise UnknownEntityError(name, suggestions)


def _edge_rows(G: nx.MultiDiGraph, node: str) -> Iterable[dict[str, Any]]:
    for _, other, kind, data in G.out_edges(node, keys=True, data=True):
        yield {"other": other, "relation": kind, "data": data,
               "direction": "both" if kind in SYMMETRIC else "out"}
    for other, _, kind, data in G.in_edges(node, keys=True, data=True):
        yield {"other": other, "relation": kind, "data": data,
               "direction": "both" if kind in SYMMETRIC else "in"}


def neighbours(
    G: nx.MultiDiGraph,
    name: str,
    depth: int = 1,
    types: Iterable[EntityType | str] | None = None,
    relations: Iterable[RelationType | str] | None = None,
) -> list[dict[str, Any]]:
    """Entities within ``depth`` hops of ``name`` (edges in either direction).

    Each row: ``name``, ``type``, ``depth``, ``via`` (the node it was reached from),
    ``relation``, ``direction`` (out/in/both, seen from ``via``) and ``evidence``.
    ``types`` filters the rows shown; ``relations`` restricts the edges walked.
    """
    if depth < 1:
        raise ValueError("depth must be at least 1")
    start = resolve(G, name)
    type_filter = {str(t) for t in types} if types else None
    rel_filter = {str(r) for r in relations} if relations else None
    seen = {start}
    rows: list[dict[str, Any]] = []
    frontier = deque([(start, 0)])
    while frontier:
        node, d = frontier.popleft()
        if d >= depth:
            continue
        for row in sorted(_edge_rows(G, node), key=lambda r: (r["relation"], r["other"])):
            if rel_filter and row["relation"] not in rel_filter:
                continue
            other = row["other"]
            first_visit = other not in seen
            if other == start:
                continue
            other_type = G.nodes[other].get("type")
            if (type_filter is None or other_type in type_filter) and (first_visit or d + 1 == 1):
                rows.append({"name": other, "type": other_type, "depth": d + 1, "via": node,
                             "relation": row["relation"], "direction": row["direction"],
                             "evidence": row["data"]["evidence"]})
            if first_visit:
                seen.add(other)
                frontier.append((other, d + 1))
    return rows


def shortest_path(G: nx.MultiDiGraph, a: str, b: str) -> list[dict[str, Any]]:
    """The shortest chain of relations between two entities, ignoring direction.

    Returns one step per edge: ``{"from", "relation", "to", "direction", "evidence"}``;
    an empty list when they are not connected. ``UnknownEntityError`` for unknown names.
    """
    src, dst = resolve(G, a), resolve(G, b)
    if src == dst:
        return []
    try:
        nodes = nx.shortest_path(G.to_undirected(as_view=True), src, dst)
    except nx.NetworkXNoPath:
        return []
    steps = []
    for u, v in zip(nodes, nodes[1:], strict=False):
        if G.has_edge(u, v):
            kind, data = next(iter(sorted(G.get_edge_data(u, v).items())))
            direction = "both" if kind in SYMMETRIC else "out"
        else:
            kind, data = next(iter(sorted(G.get_edge_data(v, u).items())))
            direction = "both" if kind in SYMMETRIC else "in"
        steps.append({"from": u, "relation": kind, "to": v, "direction": direction,
                      "evidence": data["evidence"]})
    return steps


def stats(G: nx.MultiDiGraph) -> dict[str, Any]:
    """Counts of nodes and edges by type, documents, and the best-connected entities."""
    docs = {d for _, data in G.nodes(data=True) for d in data.get("docs", [])}
    degree = sorted(G.degree(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return {
        "nodes": G.number_of_nodes(),
        "edges": G.number_of_edges(),
        "documents": len(docs),
        "entity_types": dict(Counter(d["type"] for _, d in G.nodes(data=True)).most_common()),
        "relation_types": dict(Counter(k for _, _, k in G.edges(keys=True)).most_common()),
        "top_degree": [{"name": n, "degree": deg} for n, deg in degree],
    }


def to_json_dict(G: nx.MultiDiGraph) -> dict[str, Any]:
    nodes = [
        {"name": n, "type": d["type"], "aliases": d.get("aliases", []), "english": d.get("english"),
         "mentions": d.get("mentions", 0), "docs": d.get("docs", [])}
        for n, d in sorted(G.nodes(data=True))
    ]
    edges = [
        {"head": u, "relation": k, "tail": v, "confidence": d.get("confidence", 0.0),
         "evidence": d.get("evidence", [])}
        for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    ]
    return {"format": "kg-graph", "version": FORMAT_VERSION, "nodes": nodes, "edges": edges}


def from_json_dict(data: dict[str, Any]) -> nx.MultiDiGraph:
    """The graph of ``graph.json`` records, every field checked for its type: ``GraphFormatError``
    (one line naming the entity or relation and the field) for anything else. The check also bounds
    the nesting: nothing deeper than the records' fixed shape is accepted."""
    if not isinstance(data, dict) or data.get("format") != "kg-graph":
        raise GraphFormatError("not a kg graph file (missing \"format\": \"kg-graph\")")
    if data.get("version") != FORMAT_VERSION:
        raise GraphFormatError(f"graph format version {data.get('version')!r} is not {FORMAT_VERSION}")
    nodes, edges = data.get("nodes"), data.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise GraphFormatError("\"nodes\" and \"edges\" must be lists")
    G = new_graph()
    for n in nodes:
        name, attrs = _checked_node(n)
        G.add_node(name, **attrs)
    for e in edges:
        head, tail, kind, attrs = _checked_edge(e)
        for end in (head, tail):
            if end not in G:
                raise GraphFormatError(f"relation {head!r} -{kind}-> {tail!r}: {end!r} is not an entity of the graph")
        G.add_edge(head, tail, key=kind, **attrs)
    return G


def _field(record: dict[str, Any], name: str, kind: str, where: str, default: Any = None,
           required: bool = False) -> Any:
    """``record[name]`` if it has the type ``kind`` names (missing: ``default``), else ``GraphFormatError``."""
    if name not in record:
        if required:
            raise GraphFormatError(f"{where}: missing field {name!r}")
        return default
    value = record[name]
    ok = {"string": isinstance(value, str),
          "string or null": value is None or isinstance(value, str),
          "integer": isinstance(value, int) and not isinstance(value, bool),
          "number": isinstance(value, int | float) and not isinstance(value, bool),
          "number or null": value is None or isinstance(value, int | float) and not isinstance(value, bool),
          "list of strings": isinstance(value, list) and all(isinstance(v, str) for v in value),
          "list of objects": isinstance(value, list) and all(isinstance(v, dict) for v in value),
          "object": isinstance(value, dict)}[kind]
    if not ok:
        article = "an" if kind[0] in "aeiou" else "a"
        raise GraphFormatError(f"{where}: {name} must be {article} {kind}, not {_short(value)}")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _checked_node(n: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(n, dict):
        raise GraphFormatError(f"an entity must be an object, not {_short(n)}")
    name = _field(n, "name", "string", "an entity", required=True)
    where = f"entity {name!r}"
    etype = _field(n, "type", "string", where, required=True)
    return name, {"type": etype, "aliases": list(_field(n, "aliases", "list of strings", where, [])),
                  "english": _field(n, "english", "string or null", where),
                  "mentions": _field(n, "mentions", "integer", where, 0),
                  "docs": list(_field(n, "docs", "list of strings", where, [])), "type_votes": {etype: 1}}


#: Evidence fields and their types; a field not listed here must be a plain value (no list or object).
_EVIDENCE_FIELDS = {"doc_id": "string", "text": "string", "start": "integer", "end": "integer",
                    "confidence": "number or null", "head_start": "integer", "head_end": "integer",
                    "tail_start": "integer", "tail_end": "integer", "head_via": "object", "tail_via": "object"}


def _checked_edge(e: Any) -> tuple[str, str, str, dict[str, Any]]:
    if not isinstance(e, dict):
        raise GraphFormatError(f"a relation must be an object, not {_short(e)}")
    head = _field(e, "head", "string", "a relation", required=True)
    tail = _field(e, "tail", "string", "a relation", required=True)
    kind = _field(e, "relation", "string", "a relation", required=True)
    where = f"relation {head!r} -{kind}-> {tail!r}"
    confidence = _field(e, "confidence", "number", where, 0.0)
    evidence = _field(e, "evidence", "list of objects", where, [])
    for item in evidence:
        for name, value in item.items():
            if name in _EVIDENCE_FIELDS:
                _field(item, name, _EVIDENCE_FIELDS[name], f"{where}, evidence")
            elif isinstance(value, dict | list):
                raise GraphFormatError(f"{where}, evidence: {name} must be a plain value, not {_short(value)}")
            if name.endswith("_via") and name in _EVIDENCE_FIELDS:
                for key, part in value.items():
                    if isinstance(part, dict | list):
                        raise GraphFormatError(f"{where}, evidence: {name}.{key} must be a plain value")
    return head, tail, kind, {"relation": kind, "evidence": list(evidence), "confidence": confidence}


def save_json(G: nx.MultiDiGraph, path: str | Path) -> None:
    """Write ``G`` to ``path`` atomically (a crash never leaves a half-written file)."""
    write_text(Path(path), json.dumps(to_json_dict(G), ensure_ascii=False, indent=1))


def load_json(path: str | Path) -> nx.MultiDiGraph:
    """The graph in ``path`` (written by :func:`save_json`); ``GraphFormatError``, one line naming
    the file, for a file that is missing, unreadable, no JSON, or not a kg graph field by field."""
    from kg.io.jsonlimits import TooDeep, loads

    path = Path(path)
    try:
        # nesting: Python's own limit here; from_json_dict accepts only the records' fixed shape
        data = loads(path.read_text(encoding="utf-8"), max_depth=None)
    except FileNotFoundError as exc:
        raise GraphFormatError(f"{path}: no such graph file (run `kg build` first)") from exc
    except OSError as exc:
        raise GraphFormatError(f"{path}: cannot read ({(exc.strerror or str(exc)).lower()})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError, TooDeep) as exc:
        raise GraphFormatError(f"{path}: not valid JSON ({exc})") from exc
    try:
        return from_json_dict(data)
    except GraphFormatError as exc:
        raise GraphFormatError(f"{path}: {exc}") from exc
