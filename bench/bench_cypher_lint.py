"""Every Cypher statement kg sends to Neo4j, through Neo4j's own parser: how many, errors, seconds.

The statements are ``kg.sinks.store.statements.statements()`` (the connection checks, the loader's
statements, the constraint and indexes of ``ensure_schema``, and every saved query in cypher/),
linted by ``tools/cypher-lint/lint.mjs`` (``@neo4j-cypher/language-support``, CYPHER 5) as
``tests/test_cypher_lint.py`` and CI do. Needs node and ``npm ci --prefix tools/cypher-lint``;
without them :func:`run` says why in ``missing``.

    python -m bench.bench_cypher_lint
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from kg.sinks.store.statements import Statement, linter_missing, run_linter, statements


def group(s: Statement) -> str:
    """Which part of kg sends ``s``: a saved query, the schema (constraint, index), the loader or
    the connection checks."""
    if s.name.startswith("saved query "):
        return "saved queries (cypher/*.cypher)"
    if s.cypher.lstrip().upper().startswith("CREATE CONSTRAINT"):
        return "constraints"
    if s.cypher.lstrip().upper().startswith("CREATE INDEX"):
        return "indexes"
    if s.name.startswith("loader."):
        return "loader"
    return "connection checks"


def run(strict: bool = True) -> dict[str, Any]:
    """Lint every statement (``strict``: warnings count as failures, as in the tests)."""
    items = statements()
    result: dict[str, Any] = {"statements": len(items), "groups": dict(Counter(group(s) for s in items))}
    problem = linter_missing()
    if problem:
        return {**result, "missing": problem}
    t = time.perf_counter()
    lint = run_linter(items, strict=strict)
    return {**result, "seconds": time.perf_counter() - t, "errors": len(lint.errors),
            "warnings": len(lint.warnings), "returncode": lint.returncode, "summary": lint.summary,
            "diagnostics": lint.diagnostics}


def main() -> None:
    r = run()
    groups = ", ".join(f"{n} {g}" for g, n in r["groups"].items())
    if "missing" in r:
        print(f"{r['statements']} statements ({groups}); linter unavailable: {r['missing']}")
        return
    print(f"{r['statements']} statements ({groups}): {r['errors']} errors, {r['warnings']} warnings "
          f"in {r['seconds']:.1f} s\n{r['summary']}")
    for d in r["diagnostics"]:
        print(f"{d['severity']}: {d['name']} line {d['line']}: {d['message']}")


if __name__ == "__main__":
    main()
