"""One entry point for commands: a ``Store`` on the given URI, on the embedded server kept running for
the data folder (:mod:`kg.sinks.store.running`), or on an embedded server of the command's own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.sinks.store import DB_DIR, running
from kg.sinks.store.bolt import Store
from kg.sinks.store.embedded import BOLT_USER, EmbeddedServer, settle_replacement


@contextmanager
def open_store(uri: str | None = None, user: str | None = None, password: str | None = None,
               database: str | None = None, data_dir: str | Path = Path("kg-out") / DB_DIR, keep: bool = False,
               ) -> Iterator[Store]:
    """Connect to ``uri``; without one, to the server kept running for ``data_dir`` if there is one,
    else (``keep``) to one started now and kept after the command (unless ``KG_DB_IDLE`` is 0), else to
    one started for the duration of the block."""
    if uri:
        with Store(uri, user, password, database) as store:
            yield store
        return
    data_dir = Path(data_dir)
    with running.using(data_dir, start_idle=running.idle_timeout() if keep else 0.0) as kept:
        if kept is not None:
            # a replacement a killed command left unfinished is settled now, as a starting server would
            settle_replacement(kept.redis, data_dir)
            with Store(kept.uri, BOLT_USER, kept.password, embedded=True, redis=kept.redis) as store:
                yield store
            return
    with EmbeddedServer(data_dir) as server:
        store = Store(server.uri, BOLT_USER, server.password, embedded=True, redis=server.redis)
        try:
            yield store
        finally:
            # Stop the server while the driver is still connected: a GOODBYE first would leave
            # the next connection (our SHUTDOWN) unanswered for a while (see kg.sinks.store.wire).
            server.stop()
            store.close()
