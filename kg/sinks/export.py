"""The knowledge graph in other tools' formats: GraphML and GEXF (Gephi, Cytoscape, yEd), CSV for
``neo4j-admin database import full``, and JSON Lines.

Each writer takes a graph of :mod:`kg.graph.network` and a path (or an open binary file), and returns an
:class:`Export` saying what it wrote. A path is written all or nothing (:func:`kg.io.outputs.replacing`:
a temporary file renamed into place when complete; a symlink is written through to its target, a
device or FIFO is written to). Every format carries what ``graph.json`` carries, in the same order
(entities by name, relations by head, type and tail):

=========  ==========================================================================================
format     shape
=========  ==========================================================================================
GraphML    one ``<node>`` per entity, id = canonical name; ``label`` (the name, for Gephi), ``type``,
           ``english`` (absent when there is none) as strings, ``mentions`` as a long; ``aliases``
           and ``docs`` as JSON text (``["讯飞","iFlytek"]``). One ``<edge>`` per relation with a
           unique id (``e0``, ``e1`` ...: tools want unique edge ids, and one pair of entities can
           have several relations); the multigraph key, the relation type, is the ``relation``
           attribute (and ``label``); ``confidence`` a double; ``evidence`` JSON text of the list
           ``[{"doc_id", "text", "start", "end", "confidence"}]``. Graph data: ``format`` =
           ``kg-graph``, ``format_version``.
GEXF 1.2   the same attributes; the name is also the GEXF ``label`` and the relation type the edge
           ``label``; the key is kept as networkx does (``networkx_key``), so ``nx.read_gexf`` gives
           the relation types back as keys. Edge ids are numbers.
CSV        ``nodes.csv`` and ``relationships.csv`` in a folder, in neo4j-admin's header format (see
           :func:`to_neo4j_csv`); the properties ``kg load`` stores, so the database is the same.
JSON Lines one object per line: ``{"kind": "node", "name", "type", "aliases", "english", "mentions",
           "docs"}`` for each entity, then ``{"kind": "relation", "head", "relation", "tail",
           "confidence", "evidence"}`` for each relation: the records of ``graph.json``.
=========  ==========================================================================================

Text survives as written, in UTF-8 (simplified, traditional, emoji), with three exceptions, all
reported in :attr:`Export.escaped`:

* **XML** (GraphML, GEXF) cannot hold most C0 control characters (all but tab, line feed and
  carriage return), U+FFFE, U+FFFF or unpaired surrogates, and a parser reads a carriage return in
  element text back as a line feed. In the plain-text fields (entity name and label, ``type``,
  ``english``, ``relation``) each such character, the carriage return included, is written as a
  visible escape, ``\\x1b``, ``\\x0d``, ``\\ufffe`` (:func:`xml_safe`). The JSON-text fields lose
  nothing: JSON escapes them (``\\u001b``) and ``json.loads`` gives them back.
* **CSV** is read by spreadsheets and printed with ``cat`` as often as it is imported. Every text
  value (entity names, aliases, English names, document ids, evidence lines; each element of a
  list) is written with control characters, bidi, zero-width and other format characters, and
  unpaired surrogates (which UTF-8 cannot encode) as visible escapes, as the terminal shows them
  (``\\x1b``, ``\\u202e``, ``\\udc80``: :func:`kg.io.textsafety.visible`); and, by OWASP's rule against
  formula injection, a value that then begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading ``'`` (``'=HYPERLINK(...)``, ``'-2+3``), so a spreadsheet shows it as text
  (neo4j-admin imports the ``'`` too; JSON Lines keeps every value exact). Both are reported, in
  :attr:`Export.escaped` and :attr:`Export.neutralised`. The JSON-text ``evidence_ends`` escape the
  same characters the JSON way (``\\u001b``) and begin with ``{``.
* **JSON** (JSON Lines and the JSON-text fields) escapes control, bidi and zero-width characters,
  line separators, noncharacters and surrogates as ``\\uXXXX``: the same data once parsed, and a
  file that is safe to ``cat`` and that no line splitter cuts in the middle of a record.

>>> import io
>>> from kg.models import Entity, Extraction, Relation
>>> from kg.graph.network import build_graph, to_json_dict
>>> G = build_graph([Extraction(doc_id="d1",
...     entities=[Entity(name="刘庆峰", type="Person"),
...               Entity(name="科大讯飞", type="Company", aliases=["讯飞", "科大訊飛"], english="iFlytek")],
...     relations=[Relation(head="刘庆峰", relation="CHAIRMAN_OF", tail="科大讯飞",
...                evidence="科大讯飞董事长刘庆峰说", doc_id="d1", start=0, end=11, confidence=0.9)])])
>>> buffer = io.BytesIO()
>>> to_graphml(G, buffer)
Export(format='graphml', files=[], nodes=2, relations=1)
>>> H = nx.read_graphml(io.BytesIO(buffer.getvalue()))
>>> H.nodes["科大讯飞"]["aliases"], H.nodes["科大讯飞"]["mentions"]
('["讯飞","科大訊飛"]', 1)
>>> [(u, v, d["relation"], d["confidence"]) for u, v, d in H.edges(data=True)]
[('刘庆峰', '科大讯飞', 'CHAIRMAN_OF', 0.9)]
>>> to_json_dict(read_graphml(io.BytesIO(buffer.getvalue()))) == to_json_dict(G)
True
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import networkx as nx

from kg.graph.network import FORMAT_VERSION, GraphFormatError, from_json_dict, to_json_dict
from kg.io.jsonlimits import loads
from kg.io.outputs import replacing
from kg.io.textsafety import FORMAT_CHARS, visible
from kg.schema import EntityType, RelationType

FORMATS = ("graphml", "gexf", "csv", "jsonl")

#: What XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return; U+FFFE, U+FFFF;
#: unpaired surrogates), and the carriage return, which a parser reads back as a line feed.
XML_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
#: What UTF-8 cannot encode.
SURROGATES = re.compile("[\ud800-\udfff]")
#: What a CSV value must not hold as it is: what UTF-8 cannot encode, and what a terminal would
#: interpret or hide (C0 controls but tab and line feed, C1 controls, format characters).
CSV_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]|{FORMAT_CHARS.pattern}")
#: A spreadsheet runs a cell beginning with one of these as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: What JSON text escapes beyond what ``json.dumps`` does itself (it escapes C0 controls): C1
#: controls, format characters (bidi, zero-width, line and paragraph separators), surrogates and
#: the noncharacters XML refuses.
_JSON_EXTRA = re.compile(f"[\x7f-\x9f\ud800-\udfff\ufffe\uffff]|{FORMAT_CHARS.pattern}")

NODES_FILE = "nodes.csv"
RELATIONSHIPS_FILE = "relationships.csv"
#: neo4j-admin's header: ``name:ID`` stores the id as the property ``name``; ``:LABEL`` holds the
#: labels, separated by the array delimiter; ``name:type[]`` is an array property.
NODE_HEADER = ("name:ID", ":LABEL", "type", "aliases:string[]", "english", "mentions:int", "docs:string[]")
#: ``double``, not ``float``: neo4j-admin stores ``float`` in 32 bits, and 0.9 would read back as
#: 0.8999999761581421 (``WHERE r.confidence >= 0.9`` would miss it); ``kg load`` stores doubles.
RELATIONSHIP_HEADER = (":START_ID", ":END_ID", ":TYPE", "confidence:double", "evidence:string[]", "docs:string[]",
                       "evidence_ends:string[]")
#: neo4j-admin's default array delimiter, and the ones tried, in order, when a value contains it.
DEFAULT_ARRAY_DELIMITER = ";"
ARRAY_DELIMITERS = (";", "|", "^", "~", "¦", "\x1f")
#: Characters neo4j-admin's CSV reader gives another meaning (field delimiter, quote, line ends).
_NOT_DELIMITERS = {",", '"', "\n", "\r"}
#: To run once the imported database is started: the uniqueness constraint ``kg load`` creates on Neo4j
#: (``kg.sinks.store.loader.ensure_schema``; a test checks that they agree).
NEO4J_CONSTRAINT = "CREATE CONSTRAINT kg_entity_name IF NOT EXISTS FOR (n:Entity) REQUIRE n.name IS UNIQUE"


class ExportError(ValueError):
    """A graph that cannot be written as asked; the message is one line for the user."""


@dataclass(frozen=True)
class Escaped:
    """A plain-text value written with escapes, because the format cannot hold some of its characters."""

    where: str  #: which value: ``entity name``, ``english of 科大讯飞``, ``alias of X`` ...
    value: str  #: the value as it is in the graph
    chars: tuple[str, ...]  #: the characters that were escaped, each once


@dataclass
class Export:
    """What a writer wrote: the files (none for an open file), counts, and what had to be escaped.

    For CSV, ``array_delimiter`` and ``multiline`` say how to call neo4j-admin
    (:meth:`neo4j_admin_command`).
    """

    format: str
    files: list[Path]
    nodes: int
    relations: int
    escaped: list[Escaped] = field(default_factory=list, repr=False)
    #: CSV values written with a leading ``'`` (they began as a spreadsheet formula does)
    neutralised: list[Escaped] = field(default_factory=list, repr=False)
    array_delimiter: str | None = field(default=None, repr=False)
    multiline: bool = field(default=False, repr=False)

    def neo4j_admin_command(self, database: str = "neo4j") -> str:
        """The ``neo4j-admin database import full`` command line that reads these CSV files.

        The database name comes first: since Neo4j 5.19 a name after ``--nodes=...`` is read as
        another file. ``--array-delimiter`` is given when it is not the default ``;``,
        ``--multiline-fields=true`` when a value contains a line break (it slows the import).

        >>> Export("csv", [Path("out/nodes.csv"), Path("out/relationships.csv")], 2, 1,
        ...        array_delimiter="|", multiline=True).neo4j_admin_command()
        'neo4j-admin database import full neo4j --nodes=out/nodes.csv --relationships=out/relationships.csv \
--array-delimiter=U+007C --multiline-fields=true'
        """
        if self.format != "csv":
            raise ValueError("only a CSV export is imported with neo4j-admin")
        nodes, relationships = self.files
        args = ["neo4j-admin", "database", "import", "full", database, f"--nodes={nodes}",
                f"--relationships={relationships}"]
        if self.array_delimiter not in (None, DEFAULT_ARRAY_DELIMITER):
            args.append(f"--array-delimiter=U+{ord(self.array_delimiter):04X}")
        if self.multiline:
            args.append("--multiline-fields=true")
        return shlex.join(args)


# --- text that each format can hold ----------------------------------------------------------------------

def _escape(match: re.Match[str]) -> str:
    cp = ord(match.group())
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold, and the carriage return, as a visible escape.

    >>> xml_safe("科大讯飞\\x1b[31m\\r\\n\\ufffe")
    '科大讯飞\\\\x1b[31m\\\\x0d\\n\\\\ufffe'
    """
    return XML_UNSAFE.sub(_escape, text)


def json_text(value: Any) -> str:
    """Compact JSON of ``value``, non-ASCII text as is, with control, format and line-separator
    characters, surrogates and U+FFFE/U+FFFF escaped (``\\u202e``): ``json.loads`` gives ``value`` back.

    >>> json_text(["讯飞", "a\\u2028b", "\\x1b"])
    '["讯飞","a\\\\u2028b","\\\\u001b"]'
    """
    return _JSON_EXTRA.sub(_json_escape, json.dumps(value, ensure_ascii=False, separators=(",", ":")))


class _Escaper:
    """Applies one format's escape to plain-text values and remembers what it changed."""

    def __init__(self, unsafe: re.Pattern[str]) -> None:
        self.unsafe = unsafe
        self.escaped: list[Escaped] = []

    def __call__(self, value: str, where: str) -> str:
        found = self.unsafe.findall(value)
        if not found:
            return value
        self.escaped.append(Escaped(where, value, tuple(dict.fromkeys(found))))
        return self.unsafe.sub(_escape, value)


class _CsvCell:
    """One CSV text value as the module docstring says: escapes as in the terminal, then OWASP's
    leading ``'``; remembers what it changed. ``is_json`` for a JSON-text value (escapes the JSON way)."""

    def __init__(self) -> None:
        self.escaped: list[Escaped] = []
        self.neutralised: list[Escaped] = []

    def __call__(self, value: str, where: str, is_json: bool = False) -> str:
        found = CSV_UNSAFE.findall(value)
        text = value
        if found:
            self.escaped.append(Escaped(where, value, tuple(dict.fromkeys(found))))
            text = _JSON_EXTRA.sub(_json_escape, value) if is_json else visible(SURROGATES.sub(_escape, value))
        if text.startswith(FORMULA_START):
            self.neutralised.append(Escaped(where, value, (text[0],)))
            text = "'" + text
        return text


def _json_escape(match: re.Match[str]) -> str:
    return json.dumps(match.group())[1:-1]


# --- output streams ---------------------------------------------------------------------------------------

PathOrFile = str | Path | IO[bytes]


@contextlib.contextmanager
def _binary(target: PathOrFile) -> Iterator[IO[bytes]]:
    if hasattr(target, "write"):
        yield target  # type: ignore[misc]
        return
    with replacing(Path(target), binary=True) as fh:  # type: ignore[arg-type]
        yield fh


@contextlib.contextmanager
def _text(target: PathOrFile) -> Iterator[IO[str]]:
    """UTF-8 text without newline translation (CSV and JSON Lines choose their own line ends)."""
    if isinstance(target, io.TextIOBase):
        yield target
        return
    with _binary(target) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")  # type: ignore[arg-type]
        try:
            yield text
            text.flush()
        finally:
            text.detach()


def _files(target: PathOrFile) -> list[Path]:
    return [] if hasattr(target, "write") else [Path(target)]  # type: ignore[arg-type]


# --- GraphML and GEXF -------------------------------------------------------------------------------------

def _xml_graph(G: nx.MultiDiGraph, edge_keys: str) -> tuple[nx.MultiDiGraph, list[Escaped]]:
    """The graph as networkx's XML writers need it: scalar attributes, lists as JSON text, plain
    text made XML-safe. ``edge_keys``: ``"serial"`` (e0, e1 ...: GraphML edge ids) or ``"relation"``."""
    data = to_json_dict(G)
    esc = _Escaper(XML_UNSAFE)
    H = nx.MultiDiGraph(format="kg-graph", format_version=FORMAT_VERSION)
    ids: dict[str, str] = {}
    for n in data["nodes"]:
        name = esc(str(n["name"]), "entity name")
        if name in H:
            other = next(k for k, v in ids.items() if v == name)
            raise ExportError(f"entities {other!r} and {n['name']!r} would both be written as {name!r} "
                              f"(characters XML cannot hold are escaped); use --format jsonl or csv")
        ids[n["name"]] = name
        attrs: dict[str, Any] = {"label": name, "type": esc(str(n["type"]), f"type of {name}"),
                                 "aliases": json_text(n["aliases"])}
        if n["english"] is not None:
            attrs["english"] = esc(str(n["english"]), f"english of {name}")
        attrs["mentions"] = int(n["mentions"] or 0)
        attrs["docs"] = json_text(n["docs"])
        H.add_node(name, **attrs)
    for i, e in enumerate(data["edges"]):
        relation = esc(str(e["relation"]), "relation type")
        key = f"e{i}" if edge_keys == "serial" else relation
        H.add_edge(ids[e["head"]], ids[e["tail"]], key=key, relation=relation, label=relation,
                   confidence=float(e["confidence"] or 0.0), evidence=json_text(e["evidence"]))
    return H, esc.escaped


def to_graphml(G: nx.MultiDiGraph, path: PathOrFile) -> Export:
    """Write ``G`` as GraphML (``nx.write_graphml``) to ``path``, a file name or an open binary file.

    Read it back with :func:`read_graphml`, or ``nx.read_graphml(path, force_multigraph=True)`` and
    ``json.loads`` on ``aliases``, ``docs`` and ``evidence`` (the module docstring shows both).
    """
    H, escaped = _xml_graph(G, edge_keys="serial")
    with _binary(path) as fh:
        nx.write_graphml(H, fh, encoding="utf-8")
    return Export("graphml", _files(path), H.number_of_nodes(), H.number_of_edges(), escaped)


def to_gexf(G: nx.MultiDiGraph, path: PathOrFile) -> Export:
    """Write ``G`` as GEXF 1.2 (``nx.write_gexf``), Gephi's own format, to ``path``.

    >>> import io
    >>> from kg.graph.network import new_graph
    >>> G = new_graph()
    >>> G.add_node("华为", type="Company", aliases=["華為", "Huawei"], english="Huawei", mentions=3, docs=["d1"])
    >>> buffer = io.BytesIO()
    >>> to_gexf(G, buffer).nodes
    1
    >>> H = nx.read_gexf(io.BytesIO(buffer.getvalue()))
    >>> H.nodes["华为"]["label"], json.loads(H.nodes["华为"]["aliases"])
    ('华为', ['華為', 'Huawei'])
    """
    H, escaped = _xml_graph(G, edge_keys="relation")
    with _binary(path) as fh:
        nx.write_gexf(H, fh, encoding="utf-8")
    return Export("gexf", _files(path), H.number_of_nodes(), H.number_of_edges(), escaped)


def _from_xml_graph(H: nx.Graph) -> nx.MultiDiGraph:
    """A kg graph from what ``nx.read_graphml`` / ``nx.read_gexf`` read from one of our files."""
    try:
        nodes = [{"name": n, "type": d["type"], "aliases": json.loads(d.get("aliases", "[]")),
                  "english": d.get("english"), "mentions": int(d.get("mentions", 0)),
                  "docs": json.loads(d.get("docs", "[]"))} for n, d in H.nodes(data=True)]
        edges = [{"head": u, "relation": d["relation"], "tail": v, "confidence": float(d.get("confidence", 0.0)),
                  "evidence": json.loads(d.get("evidence", "[]"))} for u, v, d in H.edges(data=True)]
    except (KeyError, TypeError, ValueError) as exc:
        raise GraphFormatError(f"not a graph written by kg export (bad or missing attribute: {exc})") from exc
    return from_json_dict({"format": "kg-graph", "version": FORMAT_VERSION, "nodes": nodes, "edges": edges})


def read_graphml(path: PathOrFile) -> nx.MultiDiGraph:
    """The kg graph in a GraphML file written by :func:`to_graphml` (relation types as edge keys again)."""
    return _from_xml_graph(nx.read_graphml(path, force_multigraph=True))


def read_gexf(path: PathOrFile) -> nx.MultiDiGraph:
    """The kg graph in a GEXF file written by :func:`to_gexf`."""
    return _from_xml_graph(nx.read_gexf(path))


# --- JSON Lines -------------------------------------------------------------------------------------------

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
    with _text(path) as fh:
        for n in data["nodes"]:
            fh.write(json_text({"kind": "node", **n}) + "\n")
        for e in data["edges"]:
            fh.write(json_text({"kind": "relation", **e}) + "\n")
    return Export("jsonl", _files(path), len(data["nodes"]), len(data["edges"]))


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


# --- CSV for neo4j-admin ----------------------------------------------------------------------------------

def _parse_delimiter(value: str) -> str:
    """One character, ``TAB`` or ``U+XXXX`` (neo4j-admin's notations) as the character."""
    if value.upper() == "TAB":
        value = "\t"
    elif re.fullmatch(r"[Uu]\+[0-9A-Fa-f]{4,6}", value):
        value = chr(int(value[2:], 16))
    if len(value) != 1:
        raise ExportError(f"--array-delimiter must be one character, TAB or U+XXXX, not {value!r}")
    if value in _NOT_DELIMITERS:
        raise ExportError(f"--array-delimiter cannot be {value!r}: neo4j-admin's CSV reader gives it another meaning")
    return value


def choose_array_delimiter(values: Iterable[str], wanted: str | None = None) -> str:
    """The array delimiter for ``values`` (every array element and label): ``wanted`` if given
    (an ``ExportError`` if a value contains it), else the first of :data:`ARRAY_DELIMITERS` that no
    value contains, else the first private-use character none contains.

    >>> choose_array_delimiter(["讯飞", "iFlytek"])
    ';'
    >>> choose_array_delimiter(["d1: 一是芯片;二是模型", "d2: a|b"])
    '^'
    """
    values = list(values)
    if wanted is not None:
        delimiter = _parse_delimiter(wanted)
        for v in values:
            if delimiter in v:
                raise ExportError(f"--array-delimiter {delimiter!r} occurs in the value {v[:60]!r}; "
                                  f"choose another, or leave the option out to let kg choose one")
        return delimiter
    used = {c for v in values for c in ARRAY_DELIMITERS if c in v}
    for c in ARRAY_DELIMITERS:
        if c not in used:
            return c
    chars = set().union(*map(set, values))
    return next(chr(cp) for cp in range(0xE000, 0x110000) if chr(cp) not in chars)


def to_neo4j_csv(G: nx.MultiDiGraph, folder: str | Path, array_delimiter: str | None = None) -> Export:
    """Write ``folder/nodes.csv`` and ``folder/relationships.csv`` for ``neo4j-admin database import
    full``, both or neither (the second is renamed into place first, then the first).

    Headers (neo4j-admin's ``name:type[]`` grammar, one header line per file)::

        name:ID,:LABEL,type,aliases:string[],english,mentions:int,docs:string[]
        :START_ID,:END_ID,:TYPE,confidence:double,evidence:string[],docs:string[],evidence_ends:string[]

    Entities are labelled ``Entity`` and their type (``Entity;Company``); relationships are typed by
    their relation; ``evidence`` is the list of ``"doc_id: sentence"`` and ``docs`` the documents, as
    ``kg load`` stores them, and ``evidence_ends`` where each sentence names the two ends (JSON text of
    :func:`kg.extraction.evidence.ends_record`: ``doc_id``, the sentence's ``start``/``end``, ``head``/``tail``
    offsets in the sentence, ``head_via``/``tail_via`` for an anaphor). An empty list or
    a missing English name is an empty field, which neo4j-admin leaves unset. Fields are quoted by
    the csv module (RFC 4180: ``"`` doubled, CRLF line ends, fields with a comma, quote or line
    break quoted).

    neo4j-admin cannot escape its array delimiter inside an element: when an alias, document id or
    evidence sentence contains ``;``, another delimiter is chosen (:func:`choose_array_delimiter`),
    or ``array_delimiter`` is used as given (an ``ExportError`` if a value contains it).
    :meth:`Export.neo4j_admin_command` gives the command line that matches.

    Entity and relation types must be those of :mod:`kg.schema` (they become labels and types).

    >>> import tempfile
    >>> from kg.graph.network import new_graph
    >>> G = new_graph()
    >>> G.add_node("刘庆峰", type="Person", aliases=["劉慶峰"], english=None, mentions=2, docs=["d1"])
    >>> G.add_node("科大讯飞", type="Company", aliases=[], english="iFlytek", mentions=5, docs=["d1"])
    >>> evidence = [{"doc_id": "d1", "text": "科大讯飞董事长刘庆峰说", "start": 0, "end": 11, "confidence": 0.9,
    ...              "head_start": 7, "head_end": 10, "tail_start": 0, "tail_end": 4}]
    >>> _ = G.add_edge("刘庆峰", "科大讯飞", key="CHAIRMAN_OF", relation="CHAIRMAN_OF", confidence=0.9,
    ...                evidence=evidence)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     export = to_neo4j_csv(G, tmp)
    ...     print((Path(tmp) / "nodes.csv").read_text(encoding="utf-8"), end="")
    ...     header, row = csv.reader((Path(tmp) / "relationships.csv").open(encoding="utf-8", newline=""))
    name:ID,:LABEL,type,aliases:string[],english,mentions:int,docs:string[]
    刘庆峰,Entity;Person,Person,劉慶峰,,2,d1
    科大讯飞,Entity;Company,Company,,iFlytek,5,d1
    >>> print(",".join(header))
    :START_ID,:END_ID,:TYPE,confidence:double,evidence:string[],docs:string[],evidence_ends:string[]
    >>> row[:6], json.loads(row[6])
    (['刘庆峰', '科大讯飞', 'CHAIRMAN_OF', '0.9', 'd1: 科大讯飞董事长刘庆峰说', 'd1'], \
{'doc_id': 'd1', 'end': 11, 'head': [7, 10], 'start': 0, 'tail': [0, 4]})
    >>> export.array_delimiter, export.multiline
    (';', False)
    """
    from kg.sinks.store.loader import (  # the neo4j driver is imported only for this format
        ENTITY,
        ends_line,
        evidence_line,
    )

    data = to_json_dict(G)
    esc = _CsvCell()
    known_types = {str(t) for t in EntityType}
    known_relations = {str(r) for r in RelationType}
    nodes = []
    ids: dict[str, str] = {}
    for n in data["nodes"]:
        if n["type"] not in known_types:
            raise ExportError(f"entity {n['name']!r} has type {n['type']!r}, which is not an entity type of kg; "
                              f"neo4j labels come only from kg/schema.py")
        name = esc(str(n["name"]), "entity name")
        if name in ids:
            raise ExportError(f"entities {ids[name]!r} and {n['name']!r} would both be written as {name!r} "
                              f"(control and invisible characters are escaped, a formula-like start gets "
                              f"a '); use --format jsonl")
        ids[name] = n["name"]
        nodes.append((name, [ENTITY, n["type"]], n["type"],
                      [esc(str(a), f"alias of {name}") for a in n["aliases"]],
                      esc(str(n["english"]), f"english of {name}") if n["english"] is not None else "",
                      str(int(n["mentions"] or 0)), [esc(str(d), f"document id of {name}") for d in n["docs"]]))
    relationships = []
    for e in data["edges"]:
        if e["relation"] not in known_relations:
            raise ExportError(f"relation {e['head']!r} -> {e['tail']!r} has type {e['relation']!r}, which is not "
                              f"a relation type of kg; neo4j relationship types come only from kg/schema.py")
        head, tail = esc(str(e["head"]), "entity name"), esc(str(e["tail"]), "entity name")
        where = f"evidence of {head} -{e['relation']}-> {tail}"
        evidence = [esc(line, where) for line in dict.fromkeys(evidence_line(item) for item in e["evidence"])]
        docs = [esc(d, where) for d in dict.fromkeys(str(item.get("doc_id", "")) for item in e["evidence"])]
        ends = [esc(line, where, is_json=True) for line in dict.fromkeys(ends_line(item) for item in e["evidence"])
                if line is not None]
        relationships.append((head, tail, e["relation"], repr(float(e["confidence"] or 0.0)), evidence, docs, ends))
    arrays = [v for row in nodes for v in (*row[1], *row[3], *row[6])]
    arrays += [v for row in relationships for v in (*row[4], *row[5], *row[6])]
    delimiter = choose_array_delimiter(arrays, array_delimiter)
    multiline = any("\n" in v or "\r" in v for row in nodes for v in (row[0], row[4], *row[3], *row[6])) or any(
        "\n" in v or "\r" in v for row in relationships for v in (row[0], row[1], *row[4], *row[5], *row[6]))

    def cells(row: tuple) -> list[str]:
        return [delimiter.join(c) if isinstance(c, list) else c for c in row]

    folder = Path(folder)
    nodes_path, relationships_path = folder / NODES_FILE, folder / RELATIONSHIPS_FILE
    with _text(nodes_path) as nf, _text(relationships_path) as rf:
        nodes_csv, relationships_csv = csv.writer(nf), csv.writer(rf)
        nodes_csv.writerow(NODE_HEADER)
        nodes_csv.writerows(map(cells, nodes))
        relationships_csv.writerow(RELATIONSHIP_HEADER)
        relationships_csv.writerows(map(cells, relationships))
    # the other escapes appear once per value; a name escaped in every relation it takes part in is one report
    return Export("csv", [nodes_path, relationships_path], len(nodes), len(relationships),
                  list(dict.fromkeys(esc.escaped)), list(dict.fromkeys(esc.neutralised)),
                  array_delimiter=delimiter, multiline=multiline)


WRITERS = {"graphml": to_graphml, "gexf": to_gexf, "jsonl": to_jsonl, "csv": to_neo4j_csv}
