"""kg: typed, queryable knowledge graphs from Chinese news articles.

The pipeline flows one way::

    documents -> normalised text -> mentions -> entities -> relations -> Extraction
              -> networkx graph -> sinks (JSON, Bolt database, HTML)
"""

__version__ = "0.1.0"
