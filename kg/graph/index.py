"""The lookup index: the graph in an SQLite file beside graph.json, so that ``kg neighbours``,
``kg path`` and ``kg stats`` answer by reading a few pages of it instead of parsing the whole graph.

Why SQLite: it is in the standard library, a lookup opens the file and reads only the B-tree
pages it needs (a 1M-edge graph answers a neighbourhood in milliseconds, the process itself in a
fraction of a second, in a few tens of MB), it is one file that is written next to the others and
published with them, and it needs no server (the embedded database would have to start first).

Tables: ``nodes`` (id, name, type, attributes as JSON, degree), ``names`` (the matching key of
every name and alias -> node; a canonical name wins over another entity's alias), ``edges`` (head,
tail, relation, confidence, evidence as JSON) indexed both ways, and ``meta`` (the statistics of
``kg stats`` and the identity of the graph.json it was built from).

>>> from kg.graph.network import build_graph
>>> from kg.models import Entity, Extraction, Relation
>>> G = build_graph([Extraction(doc_id="d", entities=[Entity(name="刘庆峰", type="Person"),
...     Entity(name="科大讯飞", type="Company", aliases=["讯飞"])], relations=[Relation(head="刘庆峰",
...     relation="CHAIRMAN_OF", tail="科大讯飞", evidence="科大讯飞董事长刘庆峰", doc_id="d", start=0, end=10)])])
>>> index = GraphIndex(write_index(G, ":memory:"))
>>> [(r["name"], r["relation"], r["direction"]) for r in index.neighbours("讯飞").rows]
[('刘庆峰', 'CHAIRMAN_OF', 'in')]
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.io.normalize import key
from kg.schema import SYMMETRIC

if TYPE_CHECKING:
    import networkx as nx

INDEX_FILE = "index.sqlite"
#: 4: node ids follow the order of names, and edges carry the types of their ends (so the filters of a
#: neighbourhood read the indexes alone); an index of an earlier format is rebuilt when opened
FORMAT = 4
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE nodes (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL,
                    degree INTEGER NOT NULL);
CREATE TABLE names (key TEXT PRIMARY KEY, node INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE edges (id INTEGER PRIMARY KEY, head INTEGER NOT NULL, tail INTEGER NOT NULL, relation TEXT NOT NULL,
                    confidence REAL NOT NULL, evidence TEXT NOT NULL, head_type TEXT NOT NULL,
                    tail_type TEXT NOT NULL);
"""
# The other end's type and the confidence in the indexes: a filtered page or count of a hub's relations
# reads the index alone, never the 40k rows of the table.
_INDEXES = """
CREATE INDEX edges_by_head ON edges (head, relation, tail, tail_type, confidence);
CREATE INDEX edges_by_tail ON edges (tail, relation, head, head_type, confidence);
"""


#: Most keys a search weighs per kind of match (a one-character query starts thousands of names).
SEARCH_SCAN = 2000
_MATCHES = ("exact", "prefix", "substring")


def _via(name: str, data: dict[str, Any], matched: str) -> str:
    """The name or alias of an entity whose key ``matched``: what a search hit shows it was found by."""
    for alias in [name, *data.get("aliases", []), data.get("english") or ""]:
        if alias and key(alias) == matched:
            return alias
    return name


class IndexError_(LookupError):
    """An index file that cannot be read; the message is one line."""


def write_index(G: nx.MultiDiGraph, path: str | Path, source: Path | None = None) -> sqlite3.Connection:
    """Write the index of ``G`` to ``path`` (a new file; ``":memory:"`` for none) and return it open.
    ``source`` is the graph.json it mirrors, remembered to notice when that file changes."""
    db = sqlite3.connect(str(path))
    db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
    # ids in name order: ordering by id is ordering by name, which the indexes on edges then give for free
    ids = {name: i for i, name in enumerate(sorted(G.nodes))}
    degree = dict(G.degree())
    with db:
        db.executemany("INSERT INTO nodes VALUES (?, ?, ?, ?, ?)", (
            (ids[n], n, str(d.get("type", "")), json.dumps(_node_data(d), ensure_ascii=False), degree[n])
            for n, d in G.nodes(data=True)))
        types = {n: str(d.get("type", "")) for n, d in G.nodes(data=True)}
        db.executemany("INSERT INTO edges (head, tail, relation, confidence, evidence, head_type, tail_type) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (ids[u], ids[v], k, float(d.get("confidence", 0.0)), json.dumps(d.get("evidence", []), ensure_ascii=False),
             types[u], types[v]) for u, v, k, d in G.edges(keys=True, data=True)))
        db.executemany("INSERT OR REPLACE INTO names VALUES (?, ?)", _name_keys(G, ids))
        db.executescript(_INDEXES)
        meta = {"format": FORMAT, "stats": _stats(G, degree), "source": _identity(source) if source else None}
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       ((k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items()))
    return db


def _node_data(d: dict[str, Any]) -> dict[str, Any]:
    return {"aliases": d.get("aliases", []), "english": d.get("english"), "mentions": d.get("mentions", 0),
            "docs": d.get("docs", [])}


def _name_keys(G: nx.MultiDiGraph, ids: dict[str, int]) -> Iterable[tuple[str, int]]:
    """Aliases first, canonical names last: ``INSERT OR REPLACE`` lets a name win over an alias,
    and of two aliases the first entity's (the order of kg.graph.network.alias_index)."""
    seen: set[str] = set()
    for n, d in G.nodes(data=True):
        for alias in [*d.get("aliases", []), d.get("english") or ""]:
            k = key(alias) if alias else ""
            if k and k not in seen:
                seen.add(k)
                yield k, ids[n]
    for n in G.nodes:
        yield key(n), ids[n]


def _stats(G: nx.MultiDiGraph, degree: dict[str, int]) -> dict[str, Any]:
    docs = {doc for _, d in G.nodes(data=True) for doc in d.get("docs", [])}
    top = sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    return {
        "nodes": G.number_of_nodes(), "edges": G.number_of_edges(), "documents": len(docs),
        "entity_types": dict(Counter(str(d.get("type", "")) for _, d in G.nodes(data=True)).most_common()),
        "relation_types": dict(Counter(k for _, _, k in G.edges(keys=True)).most_common()),
        "top_degree": [{"name": n, "degree": deg} for n, deg in top],
    }


_PROBE = 1 << 20


def _identity(path: Path) -> dict[str, int | str]:
    """What tells one graph.json from another: its size and a digest of its first and last MB
    (not its modification time, which a copy changes: a copied folder keeps its index)."""
    size = os.stat(path).st_size
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        digest.update(fh.read(_PROBE))
        if size > 2 * _PROBE:
            fh.seek(size - _PROBE)
        digest.update(fh.read(_PROBE))
    return {"size": size, "sha256_ends": digest.hexdigest()}


@dataclass
class Neighbourhood:
    """What a neighbourhood lookup found: the centre, its rows, and how many rows ``limit`` left out."""

    entity: str
    type: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    omitted: int = 0


class UnknownName(LookupError):
    """A name that matches no entity; ``suggestions`` holds the closest known names."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name, self.suggestions = name, suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no entity named {name!r} in the graph{hint}")


class GraphIndex:
    """Lookups on an open index (see the module docstring)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    @classmethod
    def open(cls, path: Path) -> GraphIndex:
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.Error as exc:
            raise IndexError_(f"{path}: not a kg index ({exc})") from None
        return cls(db)

    def meta(self, name: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    def mirrors(self, source: Path) -> bool:
        """True if the index was built from ``source`` as it is now."""
        try:
            return self.meta("format") == FORMAT and self.meta("source") == _identity(source)
        except (OSError, sqlite3.Error):
            return False

    # -- names ---------------------------------------------------------------------------------

    def resolve(self, name: str) -> tuple[int, str, str]:
        """(id, canonical name, type) of the entity ``name`` (any alias, either script), or
        ``UnknownName`` with suggestions."""
        k = key(name)
        row = self.db.execute("SELECT n.id, n.name, n.type FROM names m JOIN nodes n ON n.id = m.node "
                              "WHERE m.key = ?", (k,)).fetchone()
        if row is None:
            raise UnknownName(name, self._suggestions(k))
        return row

    def _suggestions(self, k: str) -> list[str]:
        """Names containing the query or contained in it, then close spellings among the names that
        start like it; bounded work however large the graph."""
        if not k:
            return []
        rows = self.db.execute("SELECT key, node FROM names WHERE instr(key, ?) > 0 LIMIT 5", (k,)).fetchall()
        rows += self.db.execute("SELECT key, node FROM names WHERE instr(?, key) > 0 AND length(key) > 1 LIMIT 5",
                                (k,)).fetchall()
        nearby = self.db.execute("SELECT key, node FROM names WHERE key >= ? AND key < ? LIMIT 2000",
                                 (k[0], k[0] + "\U0010ffff")).fetchall()
        by_key = dict(nearby)
        close = difflib.get_close_matches(k, list(by_key), n=5, cutoff=0.5)
        nodes = [n for _, n in rows] + [by_key[c] for c in close]
        names = [self._name(n) for n in dict.fromkeys(nodes)]
        return names[:5]

    def _name(self, node: int) -> str:
        return self.db.execute("SELECT name FROM nodes WHERE id = ?", (node,)).fetchone()[0]

    def search(self, query: str, limit: int = 10) -> list[dict[str, Any]]:
        """Entities a name or alias of which matches ``query`` (either script, any case): the whole
        key first, then keys starting with it, then keys holding it; within each, the best connected
        first. Each hit: name, type, degree, ``via`` (the name or alias that matched) and ``match``
        (exact, prefix or substring), and ``id``, the entity's number in this index. Bounded work: at
        most :data:`SEARCH_SCAN` keys are weighed per kind of match."""
        k = key(query)
        if not k or limit <= 0:
            return []
        found: dict[int, tuple[int, str]] = {}  # node -> (rank, matched key)
        for rank, sql, args in (
                (0, "SELECT key, node FROM names WHERE key = ?", (k,)),
                (1, "SELECT key, node FROM names WHERE key > ? AND key < ? LIMIT ?",
                 (k, k + "\U0010ffff", SEARCH_SCAN)),
                (2, "SELECT key, node FROM names WHERE instr(key, ?) > 1 LIMIT ?", (k, SEARCH_SCAN))):
            for matched, node in self.db.execute(sql, args):
                found.setdefault(node, (rank, matched))
            if len(found) >= limit:
                break
        rows = []
        for node, (rank, matched) in found.items():
            name, type_, data, degree = self.db.execute(
                "SELECT name, type, data, degree FROM nodes WHERE id = ?", (node,)).fetchone()
            rows.append((rank, -degree, len(name), name, type_, degree, _via(name, json.loads(data), matched), node))
        rows.sort()
        return [{"name": r[3], "type": r[4], "degree": r[5], "via": r[6], "match": _MATCHES[r[0]], "id": r[7]}
                for r in rows[:limit]]

    def entity(self, name: str) -> dict[str, Any]:
        """The entity ``name`` stands for, with its aliases, English name, mentions, documents and degree."""
        node = self.resolve(name)[0]
        return self._entity(node)

    def _entity(self, node: int) -> dict[str, Any]:
        name, type_, data, degree = self.db.execute(
            "SELECT name, type, data, degree FROM nodes WHERE id = ?", (node,)).fetchone()
        return {"name": name, "type": type_, "degree": degree, **json.loads(data)}

    def relations(self, name: str, relations: Iterable[str] | None = None, types: Iterable[str] | None = None,
                  min_confidence: float = 0.0, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """One page of the relations of ``name`` (both directions, by relation then the other's name),
        filtered by relation, the other end's type and confidence: ``entity`` (see :meth:`entity`),
        ``total`` (after the filters) and ``rows`` of edge id, head, tail, relation, direction (seen from
        ``name``), confidence, the other end's name, type and degree, and all the evidence."""
        node = self.resolve(name)[0]
        rows, total = self._edge_rows(node, {str(r) for r in relations or ()} or None,
                                      {str(t) for t in types or ()} or None, limit, offset, min_confidence)
        centre = self._entity(node)
        out = []
        for relation, other, other_type, direction, confidence, evidence, other_id, edge in rows:
            head, tail = (centre["name"], other) if direction == "out" else (other, centre["name"])
            out.append({"id": edge, "head": head, "tail": tail, "relation": relation,
                        "direction": "both" if relation in SYMMETRIC else direction, "confidence": confidence,
                        "other": {"name": other, "type": other_type, "degree": self._degree(other_id)},
                        "evidence": json.loads(evidence)})
        return {"entity": centre, "total": total, "offset": offset, "rows": out}

    def _degree(self, node: int) -> int:
        return self.db.execute("SELECT degree FROM nodes WHERE id = ?", (node,)).fetchone()[0]

    def edge(self, edge_id: int) -> dict[str, Any]:
        """One relation by its id (from :meth:`relations`): head, tail, relation, confidence, evidence;
        ``KeyError`` if there is none."""
        row = self.db.execute("SELECT h.name, t.name, e.relation, e.confidence, e.evidence FROM edges e "
                              "JOIN nodes h ON h.id = e.head JOIN nodes t ON t.id = e.tail WHERE e.id = ?",
                              (int(edge_id),)).fetchone()
        if row is None:
            raise KeyError(edge_id)
        head, tail, relation, confidence, evidence = row
        return {"id": int(edge_id), "head": head, "tail": tail, "relation": relation,
                "symmetric": relation in SYMMETRIC, "confidence": confidence, "evidence": json.loads(evidence)}

    # -- lookups -------------------------------------------------------------------------------

    def _edge_rows(self, node: int, relations: set[str] | None, types: set[str] | None, limit: int | None,
                   offset: int = 0, min_confidence: float = 0.0) -> tuple[list[tuple], int]:
        """Edges of ``node`` in both directions as (relation, other name, other type, direction, confidence,
        evidence JSON, other id, edge id), sorted by relation then name (out before in), ``limit`` of them from
        ``offset``; and how many there are in all.

        Node ids follow the order of names, so the two indexes on edges give the rows already in
        that order: SQLite merges them and stops after the page, and only the page's names are read
        (a hub's first page costs what a small entity's does)."""
        where, params = "", []
        if relations:
            where += f" AND e.relation IN ({','.join('?' * len(relations))})"
            params += sorted(relations)
        if min_confidence > 0:
            where += " AND e.confidence >= ?"
            params.append(min_confidence)
        typed = f" AND e.{{}}_type IN ({','.join('?' * len(types))})" if types else ""
        type_params = sorted(types) if types else []
        out_where, in_where = where + typed.format("tail"), where + typed.format("head")
        args = [node, *params, *type_params, node, *params, *type_params]
        total = self.db.execute(f"SELECT count(*) FROM (SELECT 1 FROM edges e WHERE e.head = ?{out_where} "
                                f"UNION ALL SELECT 1 FROM edges e WHERE e.tail = ?{in_where})", args).fetchone()[0]
        union = (f"SELECT e.relation AS relation, e.tail AS other, 'out' AS direction, e.confidence AS confidence, "
                 f"e.evidence AS evidence, e.id AS edge FROM edges e WHERE e.head = ?{out_where} "
                 f"UNION ALL SELECT e.relation, e.head, 'in', e.confidence, e.evidence, e.id FROM edges e "
                 f"WHERE e.tail = ?{in_where}")
        page = (f"SELECT p.relation, o.name, o.type, p.direction, p.confidence, p.evidence, p.other, p.edge FROM "
                f"({union} ORDER BY 1, 2, 3 DESC LIMIT ? OFFSET ?) p CROSS JOIN nodes o ON o.id = p.other "
                f"ORDER BY p.relation, p.other, p.direction DESC")
        rows = self.db.execute(page, [*args, -1 if limit is None else int(limit), int(offset)]).fetchall()
        return rows, total

    def neighbours(self, name: str, depth: int = 1, types: Iterable[str] | None = None,
                   relations: Iterable[str] | None = None, limit: int | None = None) -> Neighbourhood:
        """Entities within ``depth`` hops of ``name``, as :func:`kg.graph.network.neighbours` gives them (rows
        with name, type, depth, via, relation, direction, evidence), at most ``limit`` rows (the
        rest counted in ``omitted``). ``types`` filters the rows shown, ``relations`` the edges walked."""
        if depth < 1:
            raise ValueError("depth must be at least 1")
        start, centre, centre_type = self.resolve(name)
        type_filter = {str(t) for t in types} if types else None
        rel_filter = {str(r) for r in relations} if relations else None
        result = Neighbourhood(centre, centre_type)
        if depth == 1:  # one level: filters and the limit go to SQL, a hub costs what is shown
            rows, total = self._edge_rows(start, rel_filter, type_filter, limit)
            result.rows = [self._row(r, 1, centre) for r in rows]
            result.omitted = total - len(rows)
            for row in result.rows:
                row["evidence"] = json.loads(row["evidence"])
            return result
        seen, frontier = {start}, [(start, centre)]
        for d in range(1, depth + 1):
            nxt: list[tuple[int, str]] = []
            for node, node_name in frontier:
                for row in self._edge_rows(node, rel_filter, None, None)[0]:
                    other, other_type = row[6], row[2]
                    if other == start:
                        continue
                    first_visit = other not in seen
                    if (type_filter is None or other_type in type_filter) and (first_visit or d == 1):
                        result.rows.append(self._row(row, d, node_name))
                    if first_visit:
                        seen.add(other)
                        nxt.append((other, row[1]))
            frontier = nxt
        if limit is not None and len(result.rows) > limit:
            result.omitted = len(result.rows) - limit
            del result.rows[limit:]
        for row in result.rows:  # decoded only for the rows shown
            row["evidence"] = json.loads(row["evidence"])
        return result

    @staticmethod
    def _row(row: tuple, depth: int, via: str) -> dict[str, Any]:
        """A result row; its evidence still JSON text (decoded once the limit has cut the rows)."""
        relation, other_name, other_type, direction, _confidence, evidence, _other, _edge = row
        return {"name": other_name, "type": other_type, "depth": depth, "via": via, "relation": relation,
                "direction": "both" if relation in SYMMETRIC else direction, "evidence": evidence}

    def _load_frontier(self, side: int, nodes: list[int]) -> int:
        """Put ``nodes`` in the temporary table of ``side``; returns their total degree (the rows
        that expanding them will read)."""
        table = f"frontier{side}"
        self.db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
        self.db.execute(f"DELETE FROM {table}")
        self.db.executemany(f"INSERT OR IGNORE INTO {table} VALUES (?)", ((n,) for n in nodes))
        # CROSS JOIN keeps SQLite from scanning the big table: the frontier is the outer loop
        return self.db.execute(f"SELECT coalesce(sum(n.degree), 0) FROM {table} f CROSS JOIN nodes n ON n.id = f.id"
                               ).fetchone()[0]

    def _adjacent(self, side: int) -> list[tuple[int, int]]:
        """(node, neighbour) pairs, either direction, of the nodes in the frontier table of ``side``."""
        table = f"frontier{side}"
        return self.db.execute(f"SELECT e.head, e.tail FROM {table} f CROSS JOIN edges e ON e.head = f.id UNION ALL "
                               f"SELECT e.tail, e.head FROM {table} f CROSS JOIN edges e ON e.tail = f.id").fetchall()

    def shortest_path(self, a: str, b: str) -> list[dict[str, Any]]:
        """A shortest chain of relations between two entities, ignoring direction; [] when there is
        none or a == b. Bidirectional breadth-first search, a whole level at a time on the side whose
        frontier has the smaller total degree, so a hub on the way is expanded only when it must be."""
        chain = self.path_ids(self.resolve(a)[0], self.resolve(b)[0])
        return [self._step(u, v) for u, v in zip(chain, chain[1:], strict=False)]

    def path_ids(self, src: int, dst: int) -> list[int]:
        """The entities (ids) of a shortest chain from ``src`` to ``dst`` (see :meth:`shortest_path`), both
        ends included; [] when there is none or they are one."""
        if src == dst:
            return []
        parents: tuple[dict[int, int | None], dict[int, int | None]] = ({src: None}, {dst: None})
        depth: tuple[dict[int, int], dict[int, int]] = ({src: 0}, {dst: 0})
        cost = [self._load_frontier(0, [src]), self._load_frontier(1, [dst])]
        while cost[0] and cost[1]:
            side = 0 if cost[0] <= cost[1] else 1
            mine, theirs = parents[side], parents[1 - side]
            nxt, meetings = [], []
            for node, other in self._adjacent(side):
                if other in mine:
                    continue
                mine[other] = node
                depth[side][other] = depth[side][node] + 1
                nxt.append(other)
                if other in theirs:
                    meetings.append(other)
            if meetings:
                meet = min(meetings, key=lambda m: (depth[0][m] + depth[1][m], m))
                return self._chain(meet, parents)
            cost[side] = self._load_frontier(side, nxt) if nxt else 0
        return []

    def _chain(self, meet: int, parents: tuple[dict[int, int | None], dict[int, int | None]]) -> list[int]:
        chain = [meet]
        while (up := parents[0][chain[0]]) is not None:
            chain.insert(0, up)
        while (down := parents[1][chain[-1]]) is not None:
            chain.append(down)
        return chain

    def edge_between(self, u: int, v: int) -> tuple[int, int, int, str, float, str]:
        """(edge id, head, tail, relation, confidence, evidence JSON) of the edge between ``u`` and ``v``
        (either direction; one from ``u`` first, then by relation name)."""
        return self.db.execute(
            "SELECT id, head, tail, relation, confidence, evidence FROM edges WHERE (head = ? AND tail = ?) OR "
            "(head = ? AND tail = ?) ORDER BY head != ?, relation LIMIT 1", (u, v, v, u, u)).fetchone()

    def _step(self, u: int, v: int) -> dict[str, Any]:
        """The edge between u and v (the first by relation name) as a path step seen from u."""
        _edge, head, _tail, relation, _confidence, evidence = self.edge_between(u, v)
        direction = "both" if relation in SYMMETRIC else ("out" if head == u else "in")
        return {"from": self._name(u), "relation": relation, "to": self._name(v), "direction": direction,
                "evidence": json.loads(evidence)}

    def stats(self) -> dict[str, Any]:
        return self.meta("stats")
