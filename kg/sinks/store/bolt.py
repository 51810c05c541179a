"""A Bolt connection through the official ``neo4j`` driver, the same code for Neo4j and FalkorDB.

``Store`` wraps one driver (one pooled connection for sequential use), turns every driver error
into a one-line ``StoreError``, and smooths over two quirks of FalkorDB's Bolt endpoint:

* it splices parameters into the query text without escaping them (a ``'`` in a value breaks the
  query, ``\\b`` turns into a backspace) and crashes on parameters over 4 KB, so for such a server
  the parameters are written as a properly escaped ``CYPHER name=value`` header instead, and
  hostile input still arrives verbatim;
* after a client says GOODBYE the next connection hangs, so a raw handshake probe goes first
  (see ``kg.sinks.store.wire``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import neo4j
from neo4j import exceptions as nx_exc

from kg.sinks.store.errors import (
    AuthFailed,
    ConnectionFailed,
    MissingParameter,
    QueryFailed,
    StoreError,
)
from kg.sinks.store.wire import RedisPort, wait_for_bolt

NEO4J = "neo4j"
FALKORDB = "falkordb"
OTHER = "other"
FALKORDB_GRAPH = "falkordb"  # the graph key FalkorDB's Bolt endpoint reads and writes

# The driver logs connection trouble as warnings; we report it ourselves as one line instead.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

_PLAIN_SCHEMES = {"bolt", "neo4j"}  # unencrypted: a raw handshake probe is possible
_PARAM_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SPLICE_PROBE = "\\b'"  # survives only if the server really passes parameters separately
# Sent to every server but our own embedded one (see ``kg.sinks.store.statements``).
FLAVOUR_STATEMENT = "CALL dbms.components() YIELD name RETURN name"  # Neo4j only
SPLICE_PROBE_STATEMENT = "RETURN $probe AS probe"


def splice_probe_query() -> tuple[str, dict[str, Any]]:
    """A statement that returns its parameter, a backslash and a quote, unchanged unless the
    server splices parameters into the query text."""
    return SPLICE_PROBE_STATEMENT, {"probe": _SPLICE_PROBE}


@dataclass
class Result:
    """What a query returned: column names, rows (``neo4j.Record``) and update counters."""

    keys: list[str]
    records: list[neo4j.Record]
    counters: dict[str, int] = field(default_factory=dict)


def cypher_literal(value: Any) -> str:
    """``value`` written as a Cypher literal, for a server that cannot take real parameters.

    Strings are quoted with ``\\`` and ``'`` escaped, so any text arrives verbatim (NUL, which
    FalkorDB cannot store, is dropped); map keys must be plain identifiers; floats keep full
    precision (``repr``).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QueryFailed(f"the server cannot receive the number {value} as a parameter")
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\x00", "").replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str) or not _PARAM_KEY.match(key):
                raise QueryFailed(f"parameter map key {key!r} is not a plain identifier")
        return "{" + ", ".join(f"{k}: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise QueryFailed(f"cannot send a {type(value).__name__} as a query parameter")


def with_parameter_header(cypher: str, params: dict[str, Any]) -> str:
    """``CYPHER name=literal ... <cypher>``: FalkorDB's own way of passing parameters.

    Its Bolt endpoint builds this header itself, but without escaping and in a fixed 4 KB buffer
    (larger parameters crash the server), so for such a server we write it ourselves and send
    no Bolt parameters at all. The statement still refers to every value as ``$name``.
    """
    if not params:
        return cypher
    for key in params:
        if not _PARAM_KEY.match(key):
            raise QueryFailed(f"parameter name {key!r} is not a plain identifier")
    return "CYPHER " + " ".join(f"{k}={cypher_literal(v)}" for k, v in params.items()) + " " + cypher


def _run_work(tx: neo4j.ManagedTransaction | neo4j.Transaction, cypher: str, params: dict[str, Any],
              ) -> tuple[list[str], list[neo4j.Record], neo4j.ResultSummary]:
    result = tx.run(cypher, params)
    keys = list(result.keys())
    records = list(result)
    return keys, records, result.consume()


def _network_reason(exc: BaseException) -> str:
    """Why a connection failed, in a few words, from the exceptions the driver chained."""
    seen: BaseException | None = exc
    innermost = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused (is the server running, and is this its Bolt port?)"
        if isinstance(seen, TimeoutError):
            return "timed out (is the host reachable, and is this its Bolt port?)"
        innermost, seen = seen, seen.__cause__ or seen.__context__
    return _first_line(str(innermost))  # the driver's outer messages only repeat the address


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else "no detail"


class Store:
    """One Bolt connection. ``embedded=True`` means our own FalkorDB (short timeouts; it logs in
    with the server's generated password, see ``kg.sinks.store.embedded``)."""

    def __init__(self, uri: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, *, embedded: bool = False, redis: RedisPort | None = None):
        self.uri = uri
        self.redis = redis  # our FalkorDB's Redis port: asked for error details, backs up graphs
        self.user = user
        self.database = database or None
        self.embedded = embedded
        self._session: neo4j.Session | None = None
        self._tx: neo4j.Transaction | None = None
        self._check_uri()
        self._probe()
        auth = None if password is None else (user or "neo4j", password)
        #: (user, password) the connection logs in with, or None
        self.login = auth
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri, auth=auth,
                connection_timeout=3.0 if embedded else 10.0,
                connection_acquisition_timeout=10.0 if embedded else 30.0,
                max_transaction_retry_time=10.0,
            )
        except (nx_exc.ConfigurationError, ValueError) as exc:
            raise ConnectionFailed(f"bad database URI {uri!r}: {_first_line(str(exc))}") from None
        try:
            try:
                self.driver.verify_connectivity()
            except nx_exc.Neo4jError as exc:
                if auth is not None and not isinstance(exc, nx_exc.AuthError):
                    # FalkorDB answers any login attempt with a bare UnknownError.
                    raise AuthFailed(f"the server at {self.uri} refused the login of user {self.user or 'neo4j'!r} "
                                     f"(check --user/--password or NEO4J_USERNAME/NEO4J_PASSWORD; "
                                     f"FalkorDB's user is falkordb, with its Redis password)") from None
                raise self._query_error(exc) from None
            except nx_exc.DriverError as exc:
                raise self._driver_error(exc) from None
            except (ValueError, OSError) as exc:  # e.g. "Cannot resolve address"
                raise ConnectionFailed(f"cannot reach a Bolt server at {uri} ({_first_line(str(exc))})") from None
            self.splices_parameters = False
            self.flavour = FALKORDB if embedded else self._detect_flavour()
            self.splices_parameters = self.flavour == FALKORDB or self._detect_splicing()
            if self.splices_parameters:
                self.flavour = FALKORDB  # the one Bolt server known to splice parameters
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the session and driver; a server that is already gone is not an error here."""
        session, self._session = self._session, None
        with contextlib.suppress(nx_exc.DriverError, OSError):
            if session is not None:
                session.close()
        if getattr(self, "splices_parameters", False):
            self._hang_up()
        with contextlib.suppress(nx_exc.DriverError, OSError):
            self.driver.close()

    def _hang_up(self) -> None:
        """Close FalkorDB connections without a Bolt GOODBYE.

        After a GOODBYE FalkorDB leaves the next new connection (anyone's) unanswered; a plain
        TCP close does not. The driver has no public way to skip GOODBYE, so its sockets are shut
        down first (private attributes of the pinned neo4j 5.28; if they move, this does nothing
        and the handshake probe in ``_probe`` still copes).
        """
        pool = getattr(self.driver, "_pool", None)
        for connections in list(getattr(pool, "connections", {}).values()):
            for connection in list(connections):
                raw = getattr(getattr(connection, "socket", None), "_socket", None)
                if isinstance(raw, socket.socket):
                    with contextlib.suppress(OSError):
                        raw.shutdown(socket.SHUT_RDWR)

    @property
    def description(self) -> str:
        kind = {NEO4J: "Neo4j", FALKORDB: "FalkorDB"}.get(self.flavour, "Bolt server")
        return f"embedded FalkorDB at {self.uri}" if self.embedded else f"{kind} at {self.uri}"

    # -- running Cypher ----------------------------------------------------------------------

    def _open_session(self) -> neo4j.Session:
        if self._session is None:
            # One long-lived session: execute_query opens a new one per call, which costs
            # ~45 ms a statement against FalkorDB; a managed transaction here costs <1 ms.
            self._session = self.driver.session(database=self.database)
        return self._session

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Callable[[], None]]:
        """Statements run inside the block form one transaction; the block gets ``commit()``, and
        leaving it without calling that (an error, Ctrl-C) rolls everything back."""
        try:
            tx = self._open_session().begin_transaction()
        except nx_exc.DriverError as exc:
            raise self._driver_error(exc) from None
        self._tx = tx

        def commit() -> None:
            try:
                tx.commit()
            except nx_exc.Neo4jError as exc:
                raise self._query_error(exc) from None
            except nx_exc.DriverError as exc:
                raise self._driver_error(exc) from None
            finally:
                self._tx = None

        try:
            yield commit
        finally:
            self._tx = None
            if not tx.closed():
                with contextlib.suppress(nx_exc.DriverError, OSError):
                    tx.rollback()

    def run(self, cypher: str, params: dict[str, Any] | None = None, write: bool = True) -> Result:
        """Run one statement in its own transaction (or the open :meth:`transaction`); all values
        travel as parameters. ``write=False`` asks for a read transaction, which Neo4j enforces."""
        params = dict(params or {})
        if self.splices_parameters:
            cypher, params = with_parameter_header(cypher, params), {}
        try:
            if self._tx is not None:
                keys, records, summary = _run_work(self._tx, cypher, params)
            elif write:
                keys, records, summary = self._open_session().execute_write(_run_work, cypher, params)
            else:
                keys, records, summary = self._open_session().execute_read(_run_work, cypher, params)
        except nx_exc.Neo4jError as exc:
            raise self._query_error(exc, cypher) from None
        except nx_exc.DriverError as exc:
            raise self._driver_error(exc) from None
        except (TypeError, ValueError) as exc:  # a parameter value the driver cannot send
            raise QueryFailed(f"cannot send the query parameters: {_first_line(str(exc))}") from None
        counters = {k: v for k, v in vars(summary.counters).items()
                    if isinstance(v, int) and not isinstance(v, bool) and v and not k.startswith("_")}
        return Result(list(keys), list(records), counters)

    def value(self, cypher: str, params: dict[str, Any] | None = None) -> Any:
        """The single value of a one-row, one-column query (None if there is no row)."""
        result = self.run(cypher, params)
        return result.records[0][0] if result.records else None

    # -- internals ---------------------------------------------------------------------------

    def _check_uri(self) -> None:
        parts = urlsplit(self.uri)
        if not parts.scheme or not parts.hostname:
            raise ConnectionFailed(f"bad database URI {self.uri!r}: expected e.g. bolt://localhost:7687")

    def _probe(self) -> None:
        """Absorb FalkorDB's dead connection slots (one per earlier GOODBYE, often) before the driver
        connects; a probe that is answered costs nothing, so this is harmless for other servers."""
        parts = urlsplit(self.uri)
        if parts.scheme in _PLAIN_SCHEMES and parts.hostname:
            try:
                port = parts.port or 7687
            except ValueError:
                raise ConnectionFailed(f"bad database URI {self.uri!r}: the port is not a number") from None
            wait_for_bolt(parts.hostname, port, deadline=time.monotonic() + 5.0, retry_refused=False)

    def _detect_flavour(self) -> str:
        try:
            self.run(FLAVOUR_STATEMENT)
            return NEO4J
        except QueryFailed:
            return OTHER

    def _detect_splicing(self) -> bool:
        try:
            return self.value(*splice_probe_query()) != _SPLICE_PROBE
        except QueryFailed:
            return True  # a quote in a parameter broke the query: it was spliced into the text

    def _explain(self, cypher: str) -> str | None:
        """FalkorDB's own compile error for ``cypher`` (via GRAPH.EXPLAIN on its Redis port)."""
        if self.redis is None:
            return None
        reply = self.redis.ask("GRAPH.EXPLAIN", FALKORDB_GRAPH, cypher)
        if reply is None or not reply.startswith(b"-"):
            return None
        text = reply[1:].decode(errors="replace").strip()
        return text.removeprefix("errMsg: ").split(" errCtx: ")[0]

    def _query_error(self, exc: nx_exc.Neo4jError, cypher: str = "") -> StoreError:
        code = exc.code or ""
        message = _first_line(exc.message or str(exc))
        if isinstance(exc, nx_exc.AuthError) or code.startswith("Neo.ClientError.Security"):
            return AuthFailed(f"the server at {self.uri} refused user {self.user or 'neo4j'!r}: {message} "
                              f"(check --user/--password or NEO4J_USERNAME/NEO4J_PASSWORD)")
        if code == "Neo.ClientError.Statement.ParameterMissing":
            return MissingParameter(f"missing query parameter: {message}")
        if code == "Neo.DatabaseError.General.UnknownError":
            # FalkorDB's Bolt endpoint reports every failure this way, with no detail at all.
            detail = self._explain(cypher) if cypher else None
            if detail:
                return QueryFailed(f"the server rejected the query: {detail}")
            return QueryFailed("the server rejected the query (syntax error or unsupported feature; "
                               "this server gives no detail)")
        if code == "Neo.ClientError.Statement.SyntaxError":
            return QueryFailed(f"Cypher syntax error: {message}")
        return QueryFailed(f"the server rejected the query: {message}")

    def _driver_error(self, exc: nx_exc.DriverError) -> StoreError:
        if isinstance(exc, nx_exc.ConfigurationError):
            return ConnectionFailed(f"bad database settings for {self.uri}: {_first_line(str(exc))}")
        if isinstance(exc, nx_exc.ServiceUnavailable | nx_exc.SessionExpired):
            return ConnectionFailed(f"cannot reach a Bolt server at {self.uri}: {_network_reason(exc)}")
        return StoreError(f"database error at {self.uri}: {_first_line(str(exc))}")
