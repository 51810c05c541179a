"""Loading a networkx knowledge graph into a Bolt server with batched ``UNWIND $rows ... MERGE``.

Every node gets the common label ``:Entity`` plus its type label and is keyed on its canonical
``name``; every relationship is typed by its relation. Labels and relationship types come only
from ``EntityType`` / ``RelationType`` (Cypher cannot take them as parameters, so there is one
statement per type, built from the enums); every value read from a document is a parameter.

Loading merges into what is there, so it is idempotent and additive: list properties (aliases,
docs, evidence, evidence_ends) gain only the items they lack, confidence keeps the maximum, and loading a graph
of new documents adds them to the stored ones.

Every statement is built here, by the ``*_statement`` / ``*_query`` functions and constants below,
and nowhere else: ``kg.sinks.store.statements`` enumerates them from the same functions for Neo4j's
linter (``tests/test_cypher_lint.py``). A ``*_query`` function returns the statement together
with the parameters it is sent with.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import networkx as nx

from kg.extraction.evidence import ends_record
from kg.graph.network import build_graph
from kg.models import Extraction
from kg.schema import EntityType, RelationType
from kg.sinks.store import DEFAULT_BATCH_SIZE
from kg.sinks.store.bolt import NEO4J, Store
from kg.sinks.store.errors import QueryFailed, StoreError

DEFAULT_CLEAR_BATCH_SIZE = 10_000
ENTITY = "Entity"

#: A statement and the parameters it is sent with.
Query = tuple[str, dict[str, Any]]

# ``mentions`` sums over documents: when the incoming row shares a document with the stored node
# it is a merged view that already counts the stored documents (keep the larger count); when it
# brings only new documents its mentions are added.
# The MERGE carries both labels: adding a label to an existing node afterwards (SET n:Company)
# costs FalkorDB time proportional to the graph, so a whole load became quadratic.
NODE_STATEMENT = """
UNWIND $rows AS row
MERGE (n:Entity:{label} {{name: row.name}})
WITH n, row, coalesce(n.docs, []) AS old_docs, coalesce(n.aliases, []) AS old_aliases,
     coalesce(n.mentions, 0) AS old_mentions
SET n.type = row.type,
    n.english = coalesce(n.english, row.english),
    n.mentions = CASE
        WHEN any(d IN row.docs WHERE d IN old_docs) THEN
            CASE WHEN row.mentions > old_mentions THEN row.mentions ELSE old_mentions END
        ELSE old_mentions + row.mentions END,
    n.aliases = old_aliases + [a IN row.aliases WHERE NOT a IN old_aliases],
    n.docs = old_docs + [d IN row.docs WHERE NOT d IN old_docs]
"""

# Stored entities whose type differs from the incoming one: these are relabelled before the
# MERGE above, which would otherwise not match them (and a second node would break the key).
RETYPED_STATEMENT = """
UNWIND $names AS name
MATCH (n:Entity {{name: name}})
WHERE n.type IS NULL OR n.type <> $type
RETURN n.name AS name
"""

RETYPE_STATEMENT = """
UNWIND $names AS name
MATCH (n:Entity {{name: name}})
SET n:{label}, n.type = $type
REMOVE n:{others}
"""

RELATION_STATEMENT = """
UNWIND $rows AS row
MATCH (a:Entity {{name: row.head}})
MATCH (b:Entity {{name: row.tail}})
MERGE (a)-[r:{rel_type}]->(b)
WITH r, row, coalesce(r.evidence, []) AS old_evidence, coalesce(r.docs, []) AS old_docs,
     coalesce(r.confidence, 0.0) AS old_confidence,
     coalesce(r.evidence_ends, []) AS old_ends
SET r.evidence = old_evidence + [e IN row.evidence WHERE NOT e IN old_evidence],
    r.evidence_ends = old_ends + [e IN row.evidence_ends WHERE NOT e IN old_ends],
    r.docs = old_docs + [d IN row.docs WHERE NOT d IN old_docs],
    r.confidence = CASE WHEN row.confidence > old_confidence THEN row.confidence ELSE old_confidence END
"""

# Neo4j 5: a uniqueness constraint on :Entity(name) (which brings its own index) and an index on
# name per type label; IF NOT EXISTS makes them idempotent.
NEO4J_CONSTRAINT_STATEMENT = (f"CREATE CONSTRAINT kg_entity_name IF NOT EXISTS "
                              f"FOR (n:{ENTITY}) REQUIRE n.name IS UNIQUE")
NEO4J_INDEX_STATEMENT = "CREATE INDEX kg_{name}_name IF NOT EXISTS FOR (n:{label}) ON (n.name)"

# FalkorDB knows neither IF NOT EXISTS nor constraints (and Neo4j 5 no longer has db.indexes()):
# look before creating. These two are never sent to Neo4j.
FALKORDB_INDEX_LOOKUP = "CALL db.indexes() YIELD label, properties RETURN label, properties"
FALKORDB_INDEX_STATEMENT = f"CREATE INDEX FOR (n:{ENTITY}) ON (n.name)"

CLEAR_STATEMENT = f"MATCH (n:{ENTITY}) WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS c"
COUNT_LABELS_STATEMENT = f"MATCH (n:{ENTITY}) UNWIND labels(n) AS label RETURN label, count(*) AS count"
COUNT_TYPES_STATEMENT = f"MATCH (:{ENTITY})-[r]->(:{ENTITY}) RETURN type(r) AS type, count(*) AS count"


@dataclass
class LoadReport:
    """How many entity and relation rows were sent (not how many were new)."""

    entities: int = 0
    relations: int = 0


def node_statement(entity_type: EntityType) -> str:
    """The MERGE statement for the entities of one type."""
    return NODE_STATEMENT.format(label=entity_type.value)


def retyped_statement() -> str:
    """Which of the given names are stored with another type than ``$type``."""
    return RETYPED_STATEMENT.format()


def retype_statement(entity_type: EntityType) -> str:
    """Relabel existing entities as ``entity_type`` (dropping their other type label)."""
    others = ":".join(str(t) for t in EntityType if t != entity_type)
    return RETYPE_STATEMENT.format(label=entity_type.value, others=others)


def relation_statement(relation: RelationType) -> str:
    return RELATION_STATEMENT.format(rel_type=relation.value)


def node_query(entity_type: EntityType, rows: list[dict[str, Any]]) -> Query:
    """Merge one batch of ``node_rows`` of one type."""
    return node_statement(entity_type), {"rows": rows}


def retyped_query(entity_type: EntityType, names: list[str]) -> Query:
    return retyped_statement(), {"names": names, "type": entity_type.value}


def retype_query(entity_type: EntityType, names: list[str]) -> Query:
    return retype_statement(entity_type), {"names": names, "type": entity_type.value}


def relation_query(relation: RelationType, rows: list[dict[str, Any]]) -> Query:
    """Merge one batch of ``relation_rows`` of one type."""
    return relation_statement(relation), {"rows": rows}


def clear_query(batch_size: int = DEFAULT_CLEAR_BATCH_SIZE) -> Query:
    """Delete up to ``batch_size`` entities with their relationships; returns how many."""
    return CLEAR_STATEMENT, {"limit": batch_size}


def neo4j_schema_statements() -> list[str]:
    """The constraint and indexes ``ensure_schema`` creates on Neo4j, in order."""
    return [NEO4J_CONSTRAINT_STATEMENT, *(NEO4J_INDEX_STATEMENT.format(name=t.value.lower(), label=t.value)
                                          for t in EntityType)]


def evidence_line(item: dict[str, Any]) -> str:
    """One evidence item as stored in the database: ``"doc_id: sentence"``."""
    return f"{item.get('doc_id', '')}: {item.get('text', '')}"


def ends_line(item: dict[str, Any]) -> str | None:
    """Where one evidence item names the relation's two ends, as stored in the database (the list
    ``evidence_ends``, one per sentence): JSON text of :func:`kg.extraction.evidence.ends_record`."""
    record = ends_record(item)
    return None if record is None else json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def node_rows(G: nx.MultiDiGraph) -> dict[EntityType, list[dict[str, Any]]]:
    """Parameter rows per entity type (an unknown type is an error, never a label)."""
    rows: dict[EntityType, list[dict[str, Any]]] = defaultdict(list)
    for name, data in G.nodes(data=True):
        try:
            etype = EntityType(data.get("type"))
        except ValueError:
            raise StoreError(f"entity {name!r} has unknown type {data.get('type')!r}") from None
        rows[etype].append({
            "name": str(name), "type": etype.value, "aliases": list(data.get("aliases") or []),
            "english": data.get("english"), "mentions": int(data.get("mentions") or 0),
            "docs": list(data.get("docs") or []),
        })
    return rows


def relation_rows(G: nx.MultiDiGraph) -> dict[RelationType, list[dict[str, Any]]]:
    """Parameter rows per relation type: evidence lines, source documents, confidence."""
    rows: dict[RelationType, list[dict[str, Any]]] = defaultdict(list)
    for head, tail, kind, data in G.edges(keys=True, data=True):
        try:
            rtype = RelationType(kind)
        except ValueError:
            raise StoreError(f"relation {head!r} -> {tail!r} has unknown type {kind!r}") from None
        evidence = data.get("evidence") or []
        rows[rtype].append({
            "head": str(head), "tail": str(tail),
            "evidence": list(dict.fromkeys(evidence_line(e) for e in evidence)),
            "evidence_ends": [line for line in dict.fromkeys(ends_line(e) for e in evidence) if line is not None],
            "docs": list(dict.fromkeys(str(e.get("doc_id", "")) for e in evidence)),
            "confidence": float(data.get("confidence") or 0.0),
        })
    return rows


def batched(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def ensure_schema(store: Store) -> None:
    """Create the uniqueness constraint / indexes that make MERGE on ``name`` fast (idempotent)."""
    if store.flavour == NEO4J:
        for statement in neo4j_schema_statements():
            store.run(statement)
        return
    # FalkorDB (and others) know neither IF NOT EXISTS nor constraints: look before creating.
    try:
        indexes = store.run(FALKORDB_INDEX_LOOKUP)
        have = any(r["label"] == ENTITY and "name" in (r["properties"] or []) for r in indexes.records)
    except QueryFailed:
        have = False
    if not have:
        with contextlib.suppress(QueryFailed):  # no index support: loading works, only slower
            store.run(FALKORDB_INDEX_STATEMENT)


def load_graph(store: Store, G: nx.MultiDiGraph, batch_size: int = DEFAULT_BATCH_SIZE,
               on_progress: Callable[[int], None] | None = None, schema: bool = True) -> LoadReport:
    """Merge ``G`` into the database: all nodes first, then all relationships.

    ``on_progress(n)`` is called after each batch with the number of rows it carried. ``schema``
    creates the constraint and indexes first (not inside a transaction: Neo4j keeps those apart).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    nodes, relations = node_rows(G), relation_rows(G)
    if schema:
        ensure_schema(store)
    report = LoadReport()
    for etype, rows in nodes.items():
        for batch in batched(rows, batch_size):
            _retype(store, etype, [row["name"] for row in batch])
            store.run(*node_query(etype, batch))
            report.entities += len(batch)
            if on_progress:
                on_progress(len(batch))
    for rtype, rows in relations.items():
        for batch in batched(rows, batch_size):
            store.run(*relation_query(rtype, batch))
            report.relations += len(batch)
            if on_progress:
                on_progress(len(batch))
    return report


def _retype(store: Store, etype: EntityType, names: list[str]) -> None:
    retyped = store.run(*retyped_query(etype, names))
    if retyped.records:
        store.run(*retype_query(etype, [r["name"] for r in retyped.records]))


def load_extractions(store: Store, extractions: Iterable[Extraction], batch_size: int = DEFAULT_BATCH_SIZE,
                     on_progress: Callable[[int], None] | None = None) -> LoadReport:
    """Merge documents' extractions (e.g. new ones) into the database."""
    return load_graph(store, build_graph(extractions), batch_size, on_progress)


def clear(store: Store, batch_size: int = DEFAULT_CLEAR_BATCH_SIZE) -> int:
    """Delete every ``:Entity`` node and its relationships, in batches; returns nodes deleted."""
    total = 0
    while True:
        deleted = store.value(*clear_query(batch_size)) or 0
        total += deleted
        if deleted < batch_size:
            return total


def counts(store: Store) -> dict[str, Any]:
    """Nodes per label and relationships per type, as the database sees them."""
    labels = store.run(COUNT_LABELS_STATEMENT)
    types = store.run(COUNT_TYPES_STATEMENT)
    by_label = {r["label"]: r["count"] for r in labels.records}
    by_type = {r["type"]: r["count"] for r in types.records}
    return {"nodes": by_label.pop(ENTITY, 0), "relationships": sum(by_type.values()),
            "labels": dict(sorted(by_label.items())), "types": dict(sorted(by_type.items()))}


def graph_counts(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The same shape as ``counts`` for a networkx graph, to compare the two."""
    by_label: dict[str, int] = defaultdict(int)
    for _, data in G.nodes(data=True):
        by_label[str(data["type"])] += 1
    by_type: dict[str, int] = defaultdict(int)
    for _, _, kind in G.edges(keys=True):
        by_type[str(kind)] += 1
    return {"nodes": G.number_of_nodes(), "relationships": G.number_of_edges(),
            "labels": dict(sorted(by_label.items())), "types": dict(sorted(by_type.items()))}
