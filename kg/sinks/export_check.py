"""Readers that check what ``kg export`` wrote by the other tools' rules, not by :mod:`kg.sinks.export`'s code.

Shared by ``tests/test_export.py`` and the round trips of ``bench.bench_export``, so the tests and
the benchmark table judge a file by the same rules:

* :func:`check_header` parses a neo4j-admin CSV header against its documented grammar
  (``name:TYPE[]`` properties, ``:ID`` / ``:START_ID`` / ``:END_ID`` with an optional ID space,
  ``:LABEL``, ``:TYPE``, ``:IGNORE``) and :func:`read_csv_file` reads the rows as neo4j-admin would
  store them (typed, arrays split, an empty field meaning no property);
* :func:`xml_records` takes what ``nx.read_graphml`` / ``nx.read_gexf`` read and checks the
  documented attribute types (``mentions`` an int, ``confidence`` a float, labels) before it parses
  the JSON-text lists.

A file that breaks a rule raises :class:`ExportCheckError` (not ``assert``: ``python -O`` would
drop the check and the benchmark would report a round trip it never checked).

>>> check_header(["name:ID", ":LABEL", "mentions:int", "docs:string[]"], "nodes")[2]
{'name': 'mentions', 'role': 'property', 'type': 'int', 'array': False}
>>> check_header(["name:ID", ":LABEL", "mentions:integer"], "nodes")
Traceback (most recent call last):
...
kg.sinks.export_check.ExportCheckError: 'mentions:integer' is not a neo4j-admin header field
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx


class ExportCheckError(ValueError):
    """An exported file that breaks its format's rules or does not hold the graph."""


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise ExportCheckError(message)


# --- neo4j-admin CSV ----------------------------------------------------------------------------------------

PROPERTY_TYPES = ("int", "long", "float", "double", "boolean", "byte", "short", "char", "string", "point", "date",
                  "localtime", "time", "localdatetime", "datetime", "duration")
# name:TYPE[] for properties; :ID, :START_ID, :END_ID with an optional (ID space); :LABEL, :TYPE, :IGNORE.
HEADER_FIELD = re.compile(
    r"(?P<name>[^:()\[\]]*)"
    r"(?::(?:(?P<id>ID|START_ID|END_ID)(?:\((?P<space>[^()]+)\))?"
    r"|(?P<special>LABEL|TYPE|IGNORE)"
    rf"|(?P<type>{'|'.join(PROPERTY_TYPES)})(?P<array>\[\])?))?")


def check_header(header: list[str], kind: str) -> list[dict[str, Any]]:
    """Each column of a neo4j-admin header (``kind``: ``nodes`` or ``relationships``), checked
    against the grammar: ``{name, role, type, array}``."""
    columns = []
    for text in header:
        m = HEADER_FIELD.fullmatch(text)
        if m is None:
            raise ExportCheckError(f"{text!r} is not a neo4j-admin header field")
        role = m["id"] or m["special"] or "property"
        if role == "property":
            _require(bool(m["name"]), f"{text!r}: a property needs a name")
        elif role in ("LABEL", "TYPE", "START_ID", "END_ID"):
            _require(not m["name"], f"{text!r}: neo4j-admin ignores a name here; we write none")
        columns.append({"name": m["name"], "role": role, "type": m["type"] or "string", "array": bool(m["array"])})
    roles = [c["role"] for c in columns]
    if kind == "nodes":
        _require(roles.count("ID") == 1 and roles.count("LABEL") == 1, f"nodes need one :ID and one :LABEL: {header}")
        _require(not {"START_ID", "END_ID", "TYPE"} & set(roles), f"relationship columns in a nodes header: {header}")
    else:
        _require(roles.count("START_ID") == roles.count("END_ID") == roles.count("TYPE") == 1,
                 f"relationships need one :START_ID, :END_ID and :TYPE: {header}")
        _require(not {"ID", "LABEL"} & set(roles), f"node columns in a relationships header: {header}")
    names = [c["name"] for c in columns if c["role"] in ("property", "ID")]
    _require(len(names) == len(set(names)), f"property names are not unique: {header}")
    return columns


CONVERT: dict[str, Callable[[str], Any]] = {"int": int, "long": int, "double": float, "float": float, "string": str}


def read_csv_file(path: Path, kind: str, delimiter: str) -> list[dict[str, Any]]:
    """The rows of a neo4j-admin CSV file as neo4j-admin would store them: typed, arrays split on
    ``delimiter``, an empty field meaning no property. Keys: property names, ``LABEL``, ``TYPE``,
    ``START_ID``, ``END_ID``."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    _require(bool(rows), f"{path}: no header")
    columns = check_header(rows[0], kind)
    records = []
    for number, row in enumerate(rows[1:], 2):
        _require(len(row) == len(columns), f"{path}:{number}: {len(row)} fields, the header has {len(columns)}")
        record: dict[str, Any] = {}
        for column, cell in zip(columns, row, strict=True):
            key = column["name"] if column["role"] in ("property", "ID") else column["role"]
            if column["role"] == "LABEL" or column["array"]:
                record[key] = [CONVERT[column["type"]](v) for v in cell.split(delimiter)] if cell else []
            elif column["role"] == "property" and cell == "":
                record[key] = None
            else:
                record[key] = CONVERT[column["type"]](cell)
        records.append(record)
    return records


def expected_csv(G: nx.MultiDiGraph, escape: Callable[[str], str] = str,
                 escape_json: Callable[[str], str] | None = None,
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What the database holds after ``kg load`` of ``G`` (kg.sinks.store.loader's rows), in the terms of
    :func:`read_csv_file`, sorted: (nodes, relationships). ``escape`` is applied to each text (CSV
    writes some characters as escapes, and neutralises formula-like values), ``escape_json`` (default:
    ``escape``) to each JSON text (``evidence_ends``)."""
    escape_json = escape_json or escape
    from kg.sinks.store.loader import node_rows, relation_rows

    nodes = [{"name": escape(r["name"]), "LABEL": ["Entity", r["type"]], "type": r["type"],
              "aliases": [escape(a) for a in r["aliases"]], "english": escape(r["english"]) if r["english"] else None,
              "mentions": r["mentions"], "docs": [escape(d) for d in r["docs"]]}
             for rows in node_rows(G).values() for r in rows]
    relationships = [{"START_ID": escape(r["head"]), "END_ID": escape(r["tail"]), "TYPE": str(kind),
                      "confidence": r["confidence"], "evidence": [escape(e) for e in r["evidence"]],
                      "docs": [escape(d) for d in r["docs"]],
                      "evidence_ends": [escape_json(e) for e in r["evidence_ends"]]}
                     for kind, rows in relation_rows(G).items() for r in rows]
    return sort_csv(nodes, relationships)


def sort_csv(nodes: list[dict[str, Any]], relationships: list[dict[str, Any]],
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return (sorted(nodes, key=lambda n: n["name"]),
            sorted(relationships, key=lambda r: (r["START_ID"], r["TYPE"], r["END_ID"])))


# --- GraphML and GEXF, as networkx reads them -----------------------------------------------------------------

def xml_records(H: nx.Graph) -> dict[str, Any]:
    """What networkx read from kg's GraphML or GEXF, as graph.json records: the documented types
    checked, the JSON-text lists parsed, nothing else changed."""
    nodes = []
    for name, d in H.nodes(data=True):
        _require(d.get("label") == name, f"node {name!r}: label {d.get('label')!r} is not its name")
        _require(isinstance(d.get("mentions"), int), f"node {name!r}: mentions {d.get('mentions')!r} is not an int")
        nodes.append({"name": name, "type": d["type"], "aliases": json.loads(d["aliases"]),
                      "english": d.get("english"), "mentions": d["mentions"], "docs": json.loads(d["docs"])})
    edges = []
    for u, v, d in H.edges(data=True):
        _require(isinstance(d.get("confidence"), float), f"edge {u!r} -> {v!r}: confidence is not a float")
        _require(d.get("label") == d.get("relation"), f"edge {u!r} -> {v!r}: label is not the relation type")
        edges.append({"head": u, "relation": d["relation"], "tail": v, "confidence": d["confidence"],
                      "evidence": json.loads(d["evidence"])})
    return {"format": "kg-graph", "version": 1, "nodes": nodes, "edges": edges}


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """graph.json records (``kg.graph.network.to_json_dict``) in a fixed order, to compare two of them."""
    return {**data, "nodes": sorted(data["nodes"], key=lambda n: n["name"]),
            "edges": sorted(data["edges"], key=lambda e: (e["head"], e["relation"], e["tail"]))}
