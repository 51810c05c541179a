"""JSON Lines, one object per entity, then one per relation: the sink ``jsonl``."""

from __future__ import annotations

from pathlib import Path
from typing import IO, ClassVar

import networkx as nx
from pydantic import BaseModel

from kg.graph.network import FORMAT_VERSION, GraphFormatError, from_json_dict, to_json_dict
from kg.io.jsonlimits import loads
from kg.sinks.base import Export, NoSettings, Note, PathOrFile
from kg.sinks.escapes import json_text
from kg.sinks.streams import files_of, text_stream


def to_jsonl(G: nx.MultiDiGraph, path: PathOrFile | IO[str]) -> Export:
    """Write ``G`` as JSON Lines to ``path`` (a file name, or an open binary or text file).

    One object per line, entities first (by name), then relations (by head, relation, tail)::

        {"kind":"node","name":"科大讯飞","type":"Company","aliases":["讯飞"],"english":"iFlytek","mentions":9,"docs":["d1"]}
        {"kind":"relation","head":"刘庆峰","relation":"CHAIRMAN_OF","tail":"科大讯飞","confidence":0.9,
         "evidence":[{"doc_id":"d1","text":"科大讯飞董事长刘庆峰说","start":0,"end":11,"confidence":0.9}]}

    (the second is one line in the file). ``english`` is ``null`` when there is none.

    >>> import io
    >>> from kg.graph.network import new_graph
    >>> G = new_graph()
    >>> G.add_node("华为", type="Company", aliases=[], english=None, mentions=1, docs=["d1"])
    >>> out = io.StringIO()
    >>> to_jsonl(G, out).nodes
    1
    >>> out.getvalue()
    '{"kind":"node","name":"华为","type":"Company","aliases":[],"english":null,"mentions":1,"docs":["d1"]}\\n'
    """
    data = to_json_dict(G)
    with text_stream(path) as fh:
        for n in data["nodes"]:
            fh.write(json_text({"kind": "node", **n}) + "\n")
        for e in data["edges"]:
            fh.write(json_text({"kind": "relation", **e}) + "\n")
    return Export("jsonl", files_of(path), len(data["nodes"]), len(data["edges"]))


def read_jsonl(path: str | Path) -> nx.MultiDiGraph:
    """The kg graph in a JSON Lines file written by :func:`to_jsonl`."""
    nodes, edges = [], []
    with open(path, encoding="utf-8", newline="\n") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = loads(line)
                kind = record.pop("kind")
            except (ValueError, KeyError, AttributeError, TypeError) as exc:  # TooDeep is a ValueError
                raise GraphFormatError(f"{path}:{number}: not a kg export record ({exc})") from exc
            (nodes if kind == "node" else edges).append(record)
    return from_json_dict({"format": "kg-graph", "version": FORMAT_VERSION, "nodes": nodes, "edges": edges})


class JsonLines:
    """``kg export -f jsonl``: the records of graph.json, one a line."""

    title: ClassVar[str] = 'JSON Lines'
    help: ClassVar[str] = 'the records of graph.json, one a line'
    target: ClassVar[str] = 'graph.jsonl'
    suffixes: ClassVar[tuple[str, ...]] = ('.jsonl', '.ndjson')
    folder: ClassVar[bool] = False
    files: ClassVar[tuple[str, ...]] = ()
    unsafe: ClassVar[str] = 'a terminal would hide or obey (or UTF-8 cannot carry)'
    Settings: ClassVar[type[BaseModel]] = NoSettings

    def write(self, G: nx.MultiDiGraph, target: PathOrFile, settings: BaseModel) -> Export:
        return to_jsonl(G, target)

    def notes(self, export: Export, settings: BaseModel) -> list[Note]:
        return []


SINK = JsonLines()
