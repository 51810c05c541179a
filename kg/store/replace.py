"""Replacing the stored graph all or nothing: the old graph stays until the new one is complete.

* On the embedded FalkorDB the graph is copied first (``GRAPH.COPY`` to a backup key, with a key
  that marks the replacement as unfinished); the new graph is loaded in its place; committing
  drops the backup and saves to disk. Failing, Ctrl-C, or leaving without committing puts the
  backup back; if kg is killed outright, the server rolls back at its next start
  (:meth:`kg.store.embedded.EmbeddedServer.start`).
* On Neo4j (and other Bolt servers) deleting the old graph and loading the new one happen in one
  transaction, which commits or rolls back as a whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import networkx as nx

from kg.store.bolt import Store
from kg.store.embedded import BACKUP_KEY, GRAPH_KEY, REPLACING_KEY, roll_back
from kg.store.errors import StoreError
from kg.store.loader import DEFAULT_BATCH_SIZE, LoadReport, clear, ensure_schema, load_graph


class Replacement:
    """A new graph being loaded; it becomes the stored graph only at :meth:`commit`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.report = LoadReport()
        self.committed = False
        self._commit: Callable[[], None] = lambda: None

    def load(self, G: nx.MultiDiGraph, batch_size: int = DEFAULT_BATCH_SIZE,
             on_progress: Callable[[int], None] | None = None) -> LoadReport:
        self.report = load_graph(self.store, G, batch_size, on_progress, schema=False)
        return self.report

    def commit(self) -> None:
        self._commit()
        self.committed = True


def _ok(reply: bytes, what: str) -> bytes:
    if reply.startswith(b"-") or not reply:
        raise StoreError(f"the embedded database could not {what}: "
                         f"{reply[1:].decode(errors='replace').strip() or 'no answer'}")
    return reply


@contextlib.contextmanager
def replacing(store: Store) -> Iterator[Replacement]:
    """Load the new graph inside the block and call ``commit()`` on what it yields; anything else
    leaves the old graph in place."""
    replacement = Replacement(store)
    ensure_schema(store)  # schema statements cannot share Neo4j's data transaction
    if store.embedded and store.redis is not None:
        redis = store.redis
        _ok(redis.command("SET", REPLACING_KEY, "1"), "mark the graph as being replaced")
        try:
            redis.command("DEL", BACKUP_KEY)
            if redis.command("EXISTS", GRAPH_KEY).strip() == b":1":
                _ok(redis.command("GRAPH.COPY", GRAPH_KEY, BACKUP_KEY, timeout=600), "back up the graph")
                clear(store)
            ensure_schema(store)

            def commit() -> None:
                _ok(redis.command("DEL", BACKUP_KEY, REPLACING_KEY), "drop the backup")
                _ok(redis.command("SAVE", timeout=600), "save the graph")

            replacement._commit = commit
            yield replacement
        finally:
            if not replacement.committed:
                roll_back(redis)
        return
    with store.transaction() as commit_transaction:
        clear(store)
        replacement._commit = commit_transaction
        yield replacement
