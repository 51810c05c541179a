"""The library of saved Cypher queries in ``cypher/``, and turning ``--param k=v`` into values.

A saved query is a ``.cypher`` file whose leading ``//`` comments document it::

    // partners-of: every partner of a company, with the sentences that say so.
    // Works on Neo4j 5 and FalkorDB (common openCypher only).
    // @param name string  company name or alias, e.g. 科大讯飞
    // @param limit int = 25  at most this many rows
    MATCH ...

The first line gives the title; ``@param NAME TYPE [= DEFAULT] HELP`` declares a parameter
(``string``, ``int``, ``float`` or ``bool``); one without a default is required.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.io.jsonlimits import MAX_DEPTH, TooDeep, loads
from kg.sinks.store.errors import MissingParameter, QueryFailed, UnknownQuery

SUFFIX = ".cypher"
_PARAM_LINE = re.compile(r"^//\s*@param\s+(\w+)\s+(string|int|float|bool)(?:\s*=\s*(\S+))?\s*(.*)$")
# Strings, comments and backquoted names are blanked before looking for $parameters in them.
_NOT_CODE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_PARAM_USE = re.compile(r"\$(\w+)")
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


def query_dir() -> Path:
    """Where the saved queries live: ``$KG_CYPHER_DIR`` or the shipped ones (``cypher/``)."""
    from kg.resources import cypher_dir

    env = os.environ.get("KG_CYPHER_DIR")
    return Path(env) if env else cypher_dir()


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any = None
    required: bool = True
    help: str = ""


@dataclass
class SavedQuery:
    name: str
    title: str
    cypher: str
    params: dict[str, Param] = field(default_factory=dict)
    path: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def usage(self) -> str:
        parts = [f"--param {p.name}=…" if p.required else f"[--param {p.name}={p.default}]"
                 for p in self.params.values()]
        return " ".join([self.name, *parts])


def coerce(value: str, kind: str, name: str) -> Any:
    """Convert the text of ``--param name=value`` to the declared type."""
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        raise QueryFailed(f"parameter {name!r} must be a{'n' if kind == 'int' else ''} {kind}, "
                          f"not {value!r}") from None
    if kind == "bool":
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        raise QueryFailed(f"parameter {name!r} must be true or false, not {value!r}")
    return value


def parse(text: str, name: str = "query", path: Path | None = None) -> SavedQuery:
    """Read the header comments of a saved query (any Cypher text is a valid query)."""
    title, notes, params = "", [], {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("//"):
            break
        m = _PARAM_LINE.match(stripped)
        if m:
            pname, kind, default, help_text = m.groups()
            params[pname] = Param(pname, kind, None if default is None else coerce(default, kind, pname),
                                  default is None, help_text.strip())
            continue
        comment = stripped.lstrip("/").strip()
        if not title:
            title = comment.split(":", 1)[1].strip() if comment.startswith(f"{name}:") else comment
        else:
            notes.append(comment)
    return SavedQuery(name, title, text, params, path, notes)


def parameters_used(cypher: str) -> set[str]:
    """Names of the ``$parameters`` a statement uses (ignoring strings and comments)."""
    return set(_PARAM_USE.findall(_NOT_CODE.sub(" ", cypher)))


def list_queries(folder: Path | None = None) -> list[SavedQuery]:
    folder = folder or query_dir()
    if not folder.is_dir():
        return []
    return [parse(p.read_text(encoding="utf-8"), p.stem, p) for p in sorted(folder.glob(f"*{SUFFIX}"))]


def find(name: str, folder: Path | None = None) -> SavedQuery:
    """The saved query called ``name`` (with or without ``.cypher``), or ``UnknownQuery``."""
    stem = name.removesuffix(SUFFIX)
    queries = {q.name: q for q in list_queries(folder)}
    if stem in queries:
        return queries[stem]
    close = difflib.get_close_matches(stem, list(queries), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownQuery(f"no saved query named {name!r}{hint} (`kg query --list` shows them)")


def looks_like_cypher(text: str) -> bool:
    """A saved query's name is one word; Cypher has spaces or brackets."""
    return bool(re.search(r"[\s()\[\]{}]", text.strip()))


def resolve(arg: str, folder: Path | None = None) -> SavedQuery:
    """``CYPHER_OR_FILE`` of ``kg query``: a saved query's name, a ``.cypher`` file, or Cypher."""
    try:
        return find(arg, folder)
    except UnknownQuery:
        try:
            path = Path(arg)
            if path.is_file():
                return parse(path.read_text(encoding="utf-8"), path.stem, path)
        except OSError:  # e.g. a long statement is not a valid file name
            pass
        if looks_like_cypher(arg):
            return parse(arg, "query")
        raise


def bind(query: SavedQuery, given: dict[str, Any]) -> dict[str, Any]:
    """Parameter values for ``query``: declared types and defaults applied, nothing missing.

    A value given as text (``--param k=v``) is converted to a declared parameter's type and stays
    text otherwise (``007`` is the string "007"); a value given as JSON (``k:=7``) keeps its type.
    """
    declared = query.params
    unknown = sorted(set(given) - set(declared) - parameters_used(query.cypher))
    if unknown and declared:
        takes = ", ".join(declared) or "no parameters"
        raise QueryFailed(f"{query.name} has no parameter {unknown[0]!r} (it takes: {takes})")
    values: dict[str, Any] = {}
    for pname, raw in given.items():
        if pname in declared and isinstance(raw, str):
            values[pname] = coerce(raw, declared[pname].type, pname)
        else:
            values[pname] = raw
    for p in declared.values():
        if p.name not in values and not p.required:
            values[p.name] = p.default
    missing = sorted((parameters_used(query.cypher) | {p.name for p in declared.values()}) - set(values))
    if missing:
        first = missing[0]
        help_text = declared[first].help if first in declared else ""
        raise MissingParameter(f"{query.name} needs parameter {first!r}: pass --param {first}=VALUE"
                               + (f" ({help_text})" if help_text else ""))
    return values


#: Cypher integers are 64-bit.
_INT64 = (-(2**63), 2**63 - 1)


def _check_json(name: str, value: Any) -> Any:
    """A JSON parameter value the database can hold (integers within 64 bits, anywhere inside)."""
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return value
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise QueryFailed(f"parameter {name!r}: {value} does not fit a 64-bit integer (give it as text: "
                              f"--param {name}={value})")
        return value
    if isinstance(value, list):
        return [_check_json(name, v) for v in value]
    return {k: _check_json(name, v) for k, v in value.items()}


def parse_assignments(items: list[str]) -> dict[str, Any]:
    """``--param`` values: ``NAME=VALUE`` is text, ``NAME:=JSON`` a typed value.

    >>> parse_assignments(["name=科大讯飞", "code=007", "limit:=5", "ok:=true"])
    {'name': '科大讯飞', 'code': '007', 'limit': 5, 'ok': True}
    """
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        typed = key.endswith(":")
        key = key.removesuffix(":").strip()
        if not sep or not re.fullmatch(r"[A-Za-z_]\w*", key):
            raise QueryFailed(f"--param expects NAME=VALUE or NAME:=JSON, got {item!r}")
        if typed:
            try:
                out[key] = _check_json(key, loads(value))
            except json.JSONDecodeError as exc:
                raise QueryFailed(f"--param {key}:= expects JSON, got {value!r} ({exc.msg})") from None
            except TooDeep:
                raise QueryFailed(f"--param {key}:= expects JSON nested at most {MAX_DEPTH} levels deep") from None
        else:
            out[key] = value
    return out


def write_clause(cypher: str) -> str | None:
    """The first clause of ``cypher`` that changes the database (or calls a procedure that is not
    known to only read), if any: see :mod:`kg.sinks.store.readonly`.

    >>> write_clause("MATCH (n) DETACH DELETE n"), write_clause("MATCH (n) RETURN n.name AS set")
    ('DETACH', None)
    """
    from kg.sinks.store.readonly import write_clause as first_write

    return first_write(cypher)
