"""The knowledge graph: the networkx graph built from extractions (``network``), which entities of
which documents are one node (``linking``), the user's curation, and the on-disk lookup index
(``index``, read through ``indexed``)."""
