"""Every Cypher statement kg sends to a Neo4j server, in one list, for Neo4j's own linter.

The statements come from the functions and constants that send them (``kg.sinks.store.loader``,
``kg.sinks.store.bolt``) and from the saved queries in ``cypher/``, never from copies, so the list
cannot drift from what kg sends. Each comes with the parameters it is sent with (sample values of
the real shape, built by the loader's own row builders), so a ``$name`` it uses but is not sent
with is caught too.

Sent to Neo4j, and so listed by :func:`neo4j_statements`:

* ``Store`` connecting to a server that is not our embedded one: the flavour check
  (``CALL dbms.components()``) and the parameter-splicing probe;
* ``ensure_schema`` on Neo4j: the uniqueness constraint and one index per type label;
* ``load_graph``: per entity type the retype lookup, the relabelling and the node MERGE, per
  relation type the relationship MERGE;
* ``clear`` (also inside ``kg.sinks.store.replace.replacing``'s transaction) and ``counts``
  (``kg load``);
* every saved query (``kg query NAME``; a statement typed on the command line is the user's own).

Sent only to FalkorDB, and so listed apart by :func:`falkordb_only_statements`: the index lookup
and index creation of ``ensure_schema`` and any statement carrying the ``CYPHER name=value``
parameter header (``with_parameter_header``).

``python -m kg.sinks.store.statements`` prints the list as JSON for ``tools/cypher-lint/lint.mjs``;
``--lint`` runs that linter on it (``docs/database.md``, "Checked by Neo4j's parser").
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from kg.schema import EntityType, RelationType
from kg.sinks.store import saved_queries
from kg.sinks.store.bolt import FLAVOUR_STATEMENT, splice_probe_query, with_parameter_header
from kg.sinks.store.loader import (
    COUNT_LABELS_STATEMENT,
    COUNT_TYPES_STATEMENT,
    ENTITY,
    FALKORDB_INDEX_LOOKUP,
    FALKORDB_INDEX_STATEMENT,
    clear_query,
    neo4j_schema_statements,
    node_query,
    node_rows,
    relation_query,
    relation_rows,
    retype_query,
    retyped_query,
)

LINT_DIR = Path(__file__).resolve().parents[3] / "tools" / "cypher-lint"
LINT_SCRIPT = LINT_DIR / "lint.mjs"
LINT_PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"
#: Exit code of lint.mjs when its npm package is not installed.
LINT_NOT_INSTALLED = 3

# A value of each declared type, for saved-query parameters that have no default.
_SAMPLE = {"string": "科大讯飞", "int": 10, "float": 0.5, "bool": True}


@dataclass(frozen=True)
class Statement:
    """One statement as kg sends it: a name saying where from, the text, and its parameters."""

    name: str
    cypher: str
    parameters: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "cypher": self.cypher, "parameters": self.parameters}


def sample_graph() -> nx.MultiDiGraph:
    """One entity of every type and one relation of every type, shaped as ``kg.graph.network`` builds them."""
    G = nx.MultiDiGraph()
    for etype in EntityType:
        G.add_node(f"sample {etype.value}", type=etype.value, aliases=[f"alias {etype.value}"],
                   english=etype.value, mentions=1, docs=["doc-1"])
    names = [f"sample {t.value}" for t in EntityType]
    for i, rtype in enumerate(RelationType):
        head, tail = names[i % len(names)], names[(i + 1) % len(names)]
        G.add_edge(head, tail, key=rtype.value, relation=rtype.value, confidence=0.9,
                   evidence=[{"doc_id": "doc-1", "text": f"{head} {rtype.value} {tail}", "start": 0, "end": 1}])
    return G


def _loader_statements() -> list[Statement]:
    G = sample_graph()
    nodes, relations = node_rows(G), relation_rows(G)
    out = [Statement(f"loader.ensure_schema (Neo4j) #{i}", cypher)
           for i, cypher in enumerate(neo4j_schema_statements(), 1)]
    # One retype lookup for all types (its text does not depend on the type).
    out.append(Statement("loader.load_graph retyped lookup", *retyped_query(EntityType.COMPANY, ["sample Company"])))
    for etype in EntityType:
        names = [row["name"] for row in nodes[etype]]
        out.append(Statement(f"loader.load_graph retype {etype.value}", *retype_query(etype, names)))
        out.append(Statement(f"loader.load_graph node {etype.value}", *node_query(etype, nodes[etype])))
    for rtype in RelationType:
        out.append(Statement(f"loader.load_graph relation {rtype.value}", *relation_query(rtype, relations[rtype])))
    out.append(Statement("loader.clear (also in replace.replacing's transaction)", *clear_query()))
    out.append(Statement("loader.counts labels", COUNT_LABELS_STATEMENT))
    out.append(Statement("loader.counts types", COUNT_TYPES_STATEMENT))
    return out


def saved_query_parameters(query: saved_queries.SavedQuery) -> dict[str, Any]:
    """The parameters ``kg query NAME`` sends for ``query``: defaults, and a sample where none."""
    given = {p.name: _SAMPLE[p.type] for p in query.params.values() if p.required}
    given.update({name: "x" for name in saved_queries.parameters_used(query.cypher) - set(query.params)})
    return saved_queries.bind(query, given)


def _saved_statements(folder: Path | None = None) -> list[Statement]:
    return [Statement(f"saved query {q.name}", q.cypher, saved_query_parameters(q))
            for q in saved_queries.list_queries(folder)]


def statements(folder: Path | None = None) -> list[Statement]:
    """Every statement kg sends to a Neo4j server (``folder``: the saved queries, default ``cypher/``)."""
    return [
        Statement("bolt.Store flavour check", FLAVOUR_STATEMENT),
        Statement("bolt.Store splice probe", *splice_probe_query()),
        *_loader_statements(),
        *_saved_statements(folder),
    ]


def neo4j_statements() -> list[tuple[str, str]]:
    """``(name, cypher)`` of every statement kg sends to a Neo4j server."""
    return [(s.name, s.cypher) for s in statements()]


def falkordb_only_statements() -> list[Statement]:
    """Statements kg sends only to FalkorDB: never to be sent to Neo4j."""
    statement, params = node_query(EntityType.COMPANY, node_rows(sample_graph())[EntityType.COMPANY])
    return [
        Statement("loader.ensure_schema (FalkorDB) index lookup", FALKORDB_INDEX_LOOKUP),
        Statement("loader.ensure_schema (FalkorDB) create index", FALKORDB_INDEX_STATEMENT),
        Statement("bolt.with_parameter_header (FalkorDB) node Company", with_parameter_header(statement, params)),
    ]


def lint_schema() -> dict[str, list[str]]:
    """Labels, relationship types and property keys kg's graph has, for the linter's warnings."""
    G = sample_graph()
    node_keys = {key for rows in node_rows(G).values() for row in rows for key in row}
    rel_keys = {key for rows in relation_rows(G).values() for row in rows for key in row} - {"head", "tail"}
    return {"labels": [ENTITY, *(t.value for t in EntityType)],
            "relationshipTypes": [t.value for t in RelationType],
            "propertyKeys": sorted(node_keys | rel_keys)}


def lint_input(items: list[Statement]) -> dict[str, Any]:
    return {"schema": lint_schema(), "statements": [s.as_json() for s in items]}


class LinterUnavailable(RuntimeError):
    """Node or the linter's npm package is missing."""


@dataclass
class LintResult:
    diagnostics: list[dict[str, Any]]
    returncode: int
    summary: str

    def of_severity(self, severity: str) -> list[dict[str, Any]]:
        return [d for d in self.diagnostics if d["severity"] == severity]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.of_severity("error")

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return self.of_severity("warning")


def linter_missing() -> str | None:
    """Why the linter cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not LINT_PACKAGE.is_dir():
        return f"the linter's npm package is not installed (npm ci --prefix {LINT_DIR})"
    return None


def run_linter(items: list[Statement], strict: bool = False, timeout: float = 300) -> LintResult:
    """Run ``tools/cypher-lint/lint.mjs`` (Neo4j's parser and semantic analysis) on ``items``."""
    problem = linter_missing()
    if problem:
        raise LinterUnavailable(problem)
    done = subprocess.run(["node", str(LINT_SCRIPT), *(["--strict"] if strict else [])],
                          input=json.dumps(lint_input(items), ensure_ascii=False), capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, check=False)
    if done.returncode == LINT_NOT_INSTALLED:
        raise LinterUnavailable(done.stderr.strip())
    if done.returncode not in (0, 1):
        raise RuntimeError(f"the Cypher linter failed (exit {done.returncode}): {done.stderr.strip()}")
    return LintResult(json.loads(done.stdout), done.returncode, done.stderr.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.sinks.store.statements", description=(
        "Print every Cypher statement kg sends to Neo4j as JSON for tools/cypher-lint/lint.mjs, "
        "or (--lint) run that linter on them."))
    parser.add_argument("--falkordb", action="store_true",
                        help="the FalkorDB-only statements instead (Neo4j is expected to reject some)")
    parser.add_argument("--lint", action="store_true", help="run the linter and print its diagnostics")
    parser.add_argument("--strict", action="store_true", help="with --lint: warnings fail too")
    args = parser.parse_args(argv)
    items = falkordb_only_statements() if args.falkordb else statements()
    if not args.lint:
        print(json.dumps(lint_input(items), ensure_ascii=False, indent=2))
        return 0
    try:
        result = run_linter(items, strict=args.strict)
    except LinterUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for d in result.diagnostics:
        print(f"{d['severity']}: {d['name']} (line {d['line']}, column {d['column']}): {d['message']}")
    print(result.summary, file=sys.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
