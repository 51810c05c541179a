"""Errors of the database layer: each carries a one-line message fit for the command line."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: ``str(exc)`` is a complete, single-line explanation for the user."""


class ServerStartError(StoreError):
    """The embedded server could not be started (or did not answer in time)."""


class ConnectionFailed(StoreError):
    """No Bolt server answers at the given URI, or the URI is malformed."""


class AuthFailed(StoreError):
    """The server refused the user name / password."""


class QueryFailed(StoreError):
    """The server rejected a Cypher statement (syntax error, unsupported feature, bad value)."""


class MissingParameter(StoreError):
    """A query uses ``$name`` but no value for it was given."""


class UnknownQuery(StoreError):
    """No saved query has the given name (and it is neither a file nor Cypher)."""
