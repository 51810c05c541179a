"""Every statement kg sends to Neo4j, checked by Neo4j's own parser and semantic analysis.

``kg.sinks.store.statements`` lists the statements; ``tools/cypher-lint/lint.mjs`` runs them through
``@neo4j-cypher/language-support`` (CYPHER 5). Without ``node`` or the npm package (``npm ci
--prefix tools/cypher-lint``) the lint tests are skipped on a developer machine but FAIL when
``CI`` is set: ``.ci/run`` installs the linter, so a missing one there is a broken setup.

The tests that the list is complete need neither: they record what the loader, the replacement
and the connection checks really send, and compare.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.schema import EntityType, RelationType
from kg.sinks.store import saved_queries
from kg.sinks.store.bolt import NEO4J, OTHER, Result, Store
from kg.sinks.store.loader import clear, counts, ensure_schema, load_graph, node_statement
from kg.sinks.store.replace import replacing
from kg.sinks.store.statements import (
    LintResult,
    Statement,
    falkordb_only_statements,
    linter_missing,
    neo4j_statements,
    run_linter,
    sample_graph,
    statements,
)


@pytest.fixture(scope="module")
def linter() -> None:
    problem = linter_missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"the Cypher linter cannot run in CI: {problem}")
        pytest.skip(f"Neo4j's Cypher linter unavailable: {problem}")


# -- Neo4j's verdict -------------------------------------------------------------------------


def _show(result: LintResult) -> str:
    return "\n".join(f"{d['severity']}: {d['name']} line {d['line']} col {d['column']}: {d['message']}"
                     for d in result.diagnostics)


def test_every_statement_kg_sends_to_neo4j_passes_neo4js_linter(linter):
    items = statements()
    result = run_linter(items, strict=True)
    # Warnings fail too: they are deprecations (removed in a later Neo4j) or a label, type or
    # function outside kg's schema (a typo). Fix the statement rather than accept one.
    assert result.diagnostics == [], _show(result)
    assert result.returncode == 0
    assert f"{len(items)} statements, 0 errors, 0 warnings" in result.summary


# Each broken statement and what Neo4j's linter must say about it: the lint cannot pass vacuously.
BROKEN = [
    (Statement("syntax error", "MATCH (n:Entity RETURN n"), "error", "Invalid input 'RETURN'"),
    (Statement("undefined variable", "MATCH (n:Entity) RETURN m.name AS name"), "error", "Variable `m` not defined"),
    (Statement("parameter not sent", node_statement(EntityType.COMPANY), {"row": []}), "error",
     "Parameter $rows is not defined"),
    (Statement("Neo4j 4 syntax", "MATCH (n:Entity) WHERE exists(n.name) RETURN n.name AS name"), "error",
     "no longer supported"),
    (Statement("plugin function", "RETURN apoc.text.join(['a', 'b'], ',') AS s"), "error",
     "Function apoc.text.join is not present"),
    (Statement("unknown procedure", "CALL db.indexes() YIELD label RETURN label"), "error",
     "Procedure db.indexes is not present"),
    (Statement("misspelt label", "MATCH (n:Organisation) RETURN n.name AS name"), "warning",
     "Label Organisation is not present"),
    (Statement("misspelt type", "MATCH ()-[r:PARTNER_WITH]->() RETURN count(r) AS n"), "warning",
     "PARTNER_WITH is not present"),
    (Statement("deprecated function", "MATCH (n:Entity) RETURN id(n) AS id"), "warning", "deprecated"),
]
GOOD = Statement("good", "MATCH (n:Entity {name: $name}) RETURN n.name AS name", {"name": "科大讯飞"})


@pytest.fixture(scope="module")
def broken_result(linter) -> LintResult:
    """One linter run over the broken statements, a good one and the FalkorDB-only ones."""
    return run_linter([*(s for s, _, _ in BROKEN), GOOD, *falkordb_only_statements()])


def _of(result: LintResult, name: str) -> list[dict[str, Any]]:
    return [d for d in result.diagnostics if d["name"] == name]


@pytest.mark.parametrize(("statement", "severity", "message"), BROKEN, ids=[s.name for s, _, _ in BROKEN])
def test_linter_reports_a_broken_statement(broken_result, statement, severity, message):
    found = _of(broken_result, statement.name)
    assert any(d["severity"] == severity and message in d["message"] for d in found), found
    assert all(isinstance(d["line"], int) and d["line"] >= 1 and isinstance(d["offset"], int) for d in found)


def test_linter_exits_non_zero_on_errors_and_passes_a_good_statement(broken_result):
    assert broken_result.returncode == 1
    assert _of(broken_result, GOOD.name) == []
    assert "errors" in broken_result.summary


def test_falkordb_only_statements_are_not_for_neo4j(broken_result):
    """Why they stay out of the Neo4j list: Neo4j 5 has no db.indexes(), and the parameter header
    is FalkorDB's own syntax. FalkorDB's CREATE INDEX parses, but without a name and IF NOT EXISTS
    it would fail on Neo4j the second time."""
    lookup, create, header = falkordb_only_statements()
    assert any("Procedure db.indexes is not present" in d["message"] for d in _of(broken_result, lookup.name))
    assert _of(broken_result, create.name) == []
    assert any(d["severity"] == "error" for d in _of(broken_result, header.name))


# -- the list is complete --------------------------------------------------------------------


def test_enumeration_covers_every_type_and_saved_query():
    listed = dict(neo4j_statements())
    assert len(listed) == len(neo4j_statements()), "two statements share a name"
    texts = list(listed.values())
    for etype in EntityType:
        assert f"loader.load_graph node {etype.value}" in listed
        assert f"loader.load_graph retype {etype.value}" in listed
        assert any(f"FOR (n:{etype.value}) ON (n.name)" in t for t in texts), etype
    for rtype in RelationType:
        assert f"[r:{rtype.value}]" in listed[f"loader.load_graph relation {rtype.value}"]
    queries = saved_queries.list_queries()
    assert len(queries) >= 14
    for query in queries:
        assert listed[f"saved query {query.name}"] == query.cypher
    # The sample graph exercises every type, so no statement is listed with empty rows.
    G = sample_graph()
    assert {d["type"] for _, d in G.nodes(data=True)} == {t.value for t in EntityType}
    assert {k for _, _, k in G.edges(keys=True)} == {t.value for t in RelationType}


def test_saved_queries_are_listed_with_every_parameter_they_use():
    for s in statements():
        assert saved_queries.parameters_used(s.cypher) <= set(s.parameters), s.name


class RecordingStore:
    """Stands in for a ``Store`` on a Neo4j server: records each statement and its parameters."""

    def __init__(self, flavour: str = NEO4J) -> None:
        self.flavour = flavour
        self.embedded = False
        self.redis = None
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def run(self, cypher: str, params: dict[str, Any] | None = None, write: bool = True) -> Result:
        self.sent.append((cypher, dict(params or {})))
        if "names" in (params or {}) and "RETURN n.name AS name" in cypher:  # every entity changed type
            return Result(["name"], [{"name": n} for n in params["names"]])  # type: ignore[index, list-item]
        return Result([], [])

    def value(self, cypher: str, params: dict[str, Any] | None = None) -> Any:
        self.run(cypher, params)
        return 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        yield lambda: None


def _sent_by_kg(store: RecordingStore) -> None:
    """What kg sends to such a server: connection checks, kg load (merge, --replace), kg build
    (replacing or adding), counts."""
    assert Store._detect_flavour(store) == store.flavour  # type: ignore[arg-type]
    Store._detect_splicing(store)  # type: ignore[arg-type]
    ensure_schema(store)  # type: ignore[arg-type]
    load_graph(store, sample_graph())  # type: ignore[arg-type]
    counts(store)  # type: ignore[arg-type]
    clear(store)  # type: ignore[arg-type]
    for keep in (False, True):  # kg load --replace / kg build; kg build --add
        with replacing(store, keep=keep) as replacement:  # type: ignore[arg-type]
            replacement.load(sample_graph())
            replacement.finish()


def test_every_statement_the_loader_sends_to_neo4j_is_listed():
    store = RecordingStore(NEO4J)
    _sent_by_kg(store)
    listed = {s.cypher: s for s in statements()}
    for cypher, params in store.sent:
        assert cypher in listed, f"sent to Neo4j but not in kg.sinks.store.statements:\n{cypher}"
        assert set(params) == set(listed[cypher].parameters), cypher
    # ...and every listed loader statement is really sent (none is stale).
    sent = {cypher for cypher, _ in store.sent}
    stale = [s.name for s in statements() if not s.name.startswith("saved query ") and s.cypher not in sent]
    assert stale == []


def test_what_is_sent_to_other_servers_is_listed_for_one_side_or_the_other():
    class NotNeo4j(RecordingStore):
        def run(self, cypher: str, params: dict[str, Any] | None = None, write: bool = True) -> Result:
            if cypher.startswith("CALL dbms.components()"):
                self.sent.append((cypher, {}))
                from kg.sinks.store.errors import QueryFailed

                raise QueryFailed("no such procedure")
            return super().run(cypher, params, write)

    store = NotNeo4j(OTHER)
    _sent_by_kg(store)
    listed = {s.cypher for s in statements()} | {s.cypher for s in falkordb_only_statements()}
    assert {cypher for cypher, _ in store.sent} <= listed


# -- the Neo4j of docker-compose.yml is the one the lint stands for ----------------------------


def test_docker_compose_runs_the_neo4j_the_statements_are_checked_for():
    yaml = pytest.importorskip("yaml")
    root = Path(__file__).resolve().parent.parent
    neo4j = yaml.safe_load((root / "docker-compose.yml").read_text(encoding="utf-8"))["services"]["neo4j"]
    image, _, tag = neo4j["image"].partition(":")
    assert image == "neo4j" and tag.startswith("5.") and tag.endswith("-community")  # CYPHER 5, as linted
    env = neo4j["environment"]
    assert env["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD:-")
    default_password = env["NEO4J_AUTH"].removeprefix("neo4j/${NEO4J_PASSWORD:-").removesuffix("}")
    assert len(default_password) >= 8  # Neo4j 5's minimum: a shorter one stops the container
    assert env["KG_NEO4J_PASSWORD"] == "${NEO4J_PASSWORD:-" + default_password + "}"
    assert env["NEO4J_server_memory_heap_initial__size"] == env["NEO4J_server_memory_heap_max__size"]
    assert "NEO4J_PLUGINS" not in env  # kg needs none: the linter allows only built-in procedures
    assert all(p.startswith("127.0.0.1:") for p in neo4j["ports"])
    assert {p.rsplit(":", 1)[1] for p in neo4j["ports"]} == {"7474", "7687"}
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
