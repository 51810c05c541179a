"""CSV for ``neo4j-admin database import full``: the sink ``csv``, a folder of two files."""

from __future__ import annotations

import csv
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import networkx as nx
from pydantic import BaseModel, ConfigDict

from kg.graph.network import to_json_dict
from kg.io.textsafety import FORMAT_CHARS, visible
from kg.schema import EntityType, RelationType
from kg.sinks.base import Escaped, Export, ExportError, Note, PathOrFile
from kg.sinks.escapes import JSON_EXTRA, SURROGATES, escape_char, json_escape_char
from kg.sinks.streams import text_stream

#: What a CSV value must not hold as it is: what UTF-8 cannot encode, and what a terminal would
#: interpret or hide (C0 controls but tab and line feed, C1 controls, format characters).
CSV_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]|{FORMAT_CHARS.pattern}")
#: A spreadsheet runs a cell beginning with one of these as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

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


class _CsvCell:
    """One CSV text value as :mod:`kg.sinks.formats` says: escapes as in the terminal, then OWASP's
    leading ``'``; remembers what it changed. ``is_json`` for a JSON-text value (escapes the JSON way)."""

    def __init__(self) -> None:
        self.escaped: list[Escaped] = []
        self.neutralised: list[Escaped] = []

    def __call__(self, value: str, where: str, is_json: bool = False) -> str:
        found = CSV_UNSAFE.findall(value)
        text = value
        if found:
            self.escaped.append(Escaped(where, value, tuple(dict.fromkeys(found))))
            text = JSON_EXTRA.sub(json_escape_char, value) if is_json else visible(SURROGATES.sub(escape_char, value))
        if text.startswith(FORMULA_START):
            self.neutralised.append(Escaped(where, value, (text[0],)))
            text = "'" + text
        return text


@dataclass
class Neo4jImport(Export):
    """What :func:`to_neo4j_csv` wrote, and how to call neo4j-admin on it (:meth:`neo4j_admin_command`)."""

    array_delimiter: str | None = field(default=None, repr=False)
    multiline: bool = field(default=False, repr=False)

    def neo4j_admin_command(self, database: str = "neo4j") -> str:
        """The ``neo4j-admin database import full`` command line that reads these CSV files.

        The database name comes first: since Neo4j 5.19 a name after ``--nodes=...`` is read as
        another file. ``--array-delimiter`` is given when it is not the default ``;``,
        ``--multiline-fields=true`` when a value contains a line break (it slows the import).

        >>> Neo4jImport("csv", [Path("out/nodes.csv"), Path("out/relationships.csv")], 2, 1,
        ...             array_delimiter="|", multiline=True).neo4j_admin_command()
        'neo4j-admin database import full neo4j --nodes=out/nodes.csv --relationships=out/relationships.csv \
--array-delimiter=U+007C --multiline-fields=true'
        """
        nodes, relationships = self.files
        args = ["neo4j-admin", "database", "import", "full", database, f"--nodes={nodes}",
                f"--relationships={relationships}"]
        if self.array_delimiter not in (None, DEFAULT_ARRAY_DELIMITER):
            args.append(f"--array-delimiter=U+{ord(self.array_delimiter):04X}")
        if self.multiline:
            args.append("--multiline-fields=true")
        return shlex.join(args)


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


def to_neo4j_csv(G: nx.MultiDiGraph, folder: str | Path, array_delimiter: str | None = None) -> Neo4jImport:
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

    >>> import json, tempfile
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
    with text_stream(nodes_path) as nf, text_stream(relationships_path) as rf:
        nodes_csv, relationships_csv = csv.writer(nf), csv.writer(rf)
        nodes_csv.writerow(NODE_HEADER)
        nodes_csv.writerows(map(cells, nodes))
        relationships_csv.writerow(RELATIONSHIP_HEADER)
        relationships_csv.writerows(map(cells, relationships))
    # the other escapes appear once per value; a name escaped in every relation it takes part in is one report
    return Neo4jImport("csv", [nodes_path, relationships_path], len(nodes), len(relationships),
                  list(dict.fromkeys(esc.escaped)), list(dict.fromkeys(esc.neutralised)),
                  array_delimiter=delimiter, multiline=multiline)


class CsvSettings(BaseModel):
    """The settings of the sink ``csv`` (``kg export --array-delimiter``, ``--database``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: neo4j-admin's array delimiter: one character, ``TAB`` or ``U+XXXX`` (None: ``;`` unless a value holds it)
    array_delimiter: str | None = None
    #: the database named in the neo4j-admin command line
    database: str = "neo4j"


class Neo4jCsv:
    """``kg export -f csv``: nodes.csv and relationships.csv in a folder, for ``neo4j-admin database import``."""

    title: ClassVar[str] = "CSV for neo4j-admin"
    help: ClassVar[str] = "for neo4j-admin database import"
    target: ClassVar[str] = "neo4j-import"
    suffixes: ClassVar[tuple[str, ...]] = ()
    folder: ClassVar[bool] = True
    files: ClassVar[tuple[str, ...]] = (NODES_FILE, RELATIONSHIPS_FILE)
    unsafe: ClassVar[str] = "a terminal would hide or obey (or UTF-8 cannot carry)"
    Settings: ClassVar[type[BaseModel]] = CsvSettings

    def write(self, G: nx.MultiDiGraph, target: PathOrFile, settings: BaseModel) -> Export:
        assert isinstance(settings, CsvSettings) and not hasattr(target, "write")
        return to_neo4j_csv(G, target, array_delimiter=settings.array_delimiter)  # type: ignore[arg-type]

    def notes(self, export: Export, settings: BaseModel) -> list[Note]:
        """The neo4j-admin command that imports the files, and the constraint ``kg load`` would create."""
        assert isinstance(export, Neo4jImport) and isinstance(settings, CsvSettings)
        notes: list[Note] = []
        if export.array_delimiter != ";" and settings.array_delimiter is None:
            code = f"U+{ord(export.array_delimiter or ';'):04X}"
            notes.append(("warning", f"some list values contain ';', neo4j-admin's default array delimiter: the lists "
                                     f"are separated by {export.array_delimiter!r} ({code}) instead, as the command "
                                     f"below says"))
        notes.append(("info", "import into a new database (the Neo4j server stopped) with:"))
        notes.append(("info", export.neo4j_admin_command(settings.database)))
        notes.append(("info", "then, with the server started, create the constraint kg load would: "
                              + NEO4J_CONSTRAINT))
        return notes


SINK = Neo4jCsv()
