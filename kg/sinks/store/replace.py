"""Replacing the stored graph all or nothing: the old graph stays until the new one is complete.

* On the embedded FalkorDB the graph is copied first (``GRAPH.COPY`` to a backup key, with a key
  that marks the replacement as unfinished); the new graph is loaded in its place; committing
  drops the backup and saves to disk. Failing, Ctrl-C, or leaving without committing puts the
  backup back; if kg is killed outright, the server rolls back at its next start
  (:meth:`kg.sinks.store.embedded.EmbeddedServer.start`).
* On Neo4j (and other Bolt servers) deleting the old graph and loading the new one happen in one
  transaction, which commits or rolls back as a whole.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator

import networkx as nx

from kg.sinks.store.bolt import Store
from kg.sinks.store.embedded import BACKUP_KEY, COPYING, GRAPH_KEY, LOADING, REPLACING_KEY, roll_back
from kg.sinks.store.errors import StoreError
from kg.sinks.store.loader import DEFAULT_BATCH_SIZE, LoadReport, clear, ensure_schema, load_graph


class Replacement:
    """A new graph being loaded; it becomes the stored graph only through :meth:`finish`."""

    def __init__(self, store: Store, build_id: str) -> None:
        self.store = store
        self.build_id = build_id
        self.report = LoadReport()
        self.finished = False
        self._finish: Callable[[Callable[[], None]], None] = lambda publish: publish()

    def load(self, G: nx.MultiDiGraph, batch_size: int = DEFAULT_BATCH_SIZE,
             on_progress: Callable[[int], None] | None = None) -> LoadReport:
        self.report = load_graph(self.store, G, batch_size, on_progress, schema=False)
        return self.report

    def finish(self, publish: Callable[[], None] = lambda: None) -> None:
        """Make the new graph the stored one, together with ``publish`` (the build's files, whose
        last step writes the build id): whichever order lets an interruption be settled."""
        self._finish(publish)
        self.finished = True


def _ok(reply: bytes, what: str) -> bytes:
    if reply.startswith(b"-") or not reply:
        raise StoreError(f"the embedded database could not {what}: "
                         f"{reply[1:].decode(errors='replace').strip() or 'no answer'}")
    return reply


@contextlib.contextmanager
def replacing(store: Store, build_id: str | None = None, keep: bool = False) -> Iterator[Replacement]:
    """Load the new graph inside the block and call ``finish()`` on what it yields; anything else
    leaves the old graph in place. ``build_id`` ties the replacement to the files of a build;
    ``keep`` merges what is loaded into the stored graph instead of replacing it (all or nothing
    just the same)."""
    replacement = Replacement(store, build_id or secrets.token_hex(8))
    ensure_schema(store)  # schema statements cannot share Neo4j's data transaction
    if store.embedded and store.redis is not None:
        redis = store.redis

        def mark(phase: str) -> None:
            _ok(redis.command("SET", REPLACING_KEY, f"{replacement.build_id} {phase}"), "mark the replacement")

        mark(COPYING)
        try:
            redis.command("DEL", BACKUP_KEY)
            if redis.command("EXISTS", GRAPH_KEY).strip() == b":1":
                _ok(redis.command("GRAPH.COPY", GRAPH_KEY, BACKUP_KEY, timeout=600), "back up the graph")
                mark(LOADING)
                if not keep:
                    clear(store)
            else:
                mark(LOADING)
            ensure_schema(store)

            def finish(publish: Callable[[], None]) -> None:
                # On disk first, old and new together: a full disk fails here, with nothing changed.
                # Then the files (their build id last), then the backup goes: a kill in between is
                # settled at the next start by comparing the marker with the published build id.
                _ok(redis.command("SAVE", timeout=600), "save the graph")
                publish()
                redis.command("DEL", BACKUP_KEY, REPLACING_KEY)

            replacement._finish = finish
            yield replacement
        finally:
            if not replacement.finished:
                roll_back(redis)
        return
    with store.transaction() as commit_transaction:
        if not keep:
            clear(store)

        def commit_then_publish(publish: Callable[[], None]) -> None:
            commit_transaction()  # the one step that can fail; renaming the files does not
            publish()

        replacement._finish = commit_then_publish
        yield replacement
