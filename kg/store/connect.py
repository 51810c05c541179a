"""One entry point for commands: a ``Store`` on the given URI, or on our own embedded server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.store import DB_DIR
from kg.store.bolt import Store
from kg.store.embedded import BOLT_USER, EmbeddedServer


@contextmanager
def open_store(uri: str | None = None, user: str | None = None, password: str | None = None,
               database: str | None = None, data_dir: str | Path = Path("kg-out") / DB_DIR,
               ) -> Iterator[Store]:
    """Connect to ``uri``; without one, start the embedded server on ``data_dir`` for the duration."""
    if uri:
        with Store(uri, user, password, database) as store:
            yield store
        return
    with EmbeddedServer(data_dir) as server:
        store = Store(server.uri, BOLT_USER, server.password, embedded=True, redis=server.redis)
        try:
            yield store
        finally:
            # Stop the server while the driver is still connected: a GOODBYE first would leave
            # the next connection (our SHUTDOWN) unanswered for a while (see kg.store.wire).
            server.stop()
            store.close()
