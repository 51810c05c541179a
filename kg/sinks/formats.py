"""The sinks kg ships, registered by name in :data:`kg.registry.SINKS` (a line each, naming the module
without importing it, so ``--help`` stays fast): the page (``html``), and the knowledge graph in other
tools' formats: GraphML and GEXF (Gephi, Cytoscape, yEd), CSV for ``neo4j-admin database import
full``, and JSON Lines.

Each sink (:class:`kg.sinks.base.Sink`) takes a graph of :mod:`kg.graph.network` and a path (or an
open binary file), and returns an :class:`~kg.sinks.base.Export` saying what it wrote. A path is
written all or nothing (:func:`kg.io.outputs.replacing`:
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
           :func:`kg.sinks.neo4j_csv.to_neo4j_csv`); the properties ``kg load`` stores, so the database is the same.
JSON Lines one object per line: ``{"kind": "node", "name", "type", "aliases", "english", "mentions",
           "docs"}`` for each entity, then ``{"kind": "relation", "head", "relation", "tail",
           "confidence", "evidence"}`` for each relation: the records of ``graph.json``.
=========  ==========================================================================================

Text survives as written, in UTF-8 (simplified, traditional, emoji), with three exceptions, all
reported in :attr:`~kg.sinks.base.Export.escaped`:

* **XML** (GraphML, GEXF) cannot hold most C0 control characters (all but tab, line feed and
  carriage return), U+FFFE, U+FFFF or unpaired surrogates, and a parser reads a carriage return in
  element text back as a line feed. In the plain-text fields (entity name and label, ``type``,
  ``english``, ``relation``) each such character, the carriage return included, is written as a
  visible escape, ``\\x1b``, ``\\x0d``, ``\\ufffe`` (:mod:`kg.sinks.xml`). The JSON-text fields lose
  nothing: JSON escapes them (``\\u001b``) and ``json.loads`` gives them back.
* **CSV** is read by spreadsheets and printed with ``cat`` as often as it is imported. Every text
  value (entity names, aliases, English names, document ids, evidence lines; each element of a
  list) is written with control characters, bidi, zero-width and other format characters, and
  unpaired surrogates (which UTF-8 cannot encode) as visible escapes, as the terminal shows them
  (``\\x1b``, ``\\u202e``, ``\\udc80``: :func:`kg.io.textsafety.visible`); and, by OWASP's rule against
  formula injection, a value that then begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading ``'`` (``'=HYPERLINK(...)``, ``'-2+3``), so a spreadsheet shows it as text
  (neo4j-admin imports the ``'`` too; JSON Lines keeps every value exact). Both are reported, in
  ``Export.escaped`` and ``Export.neutralised``. The JSON-text ``evidence_ends`` escape the
  same characters the JSON way (``\\u001b``) and begin with ``{``.
* **JSON** (JSON Lines and the JSON-text fields) escapes control, bidi and zero-width characters,
  line separators, noncharacters and surrogates as ``\\uXXXX``: the same data once parsed, and a
  file that is safe to ``cat`` and that no line splitter cuts in the middle of a record.

>>> import io
>>> import networkx as nx
>>> from kg.models import Entity, Extraction, Relation
>>> from kg.graph.network import build_graph, to_json_dict
>>> from kg.sinks.graphml import read_graphml, to_graphml
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

from kg.registry import SINKS

SINKS.lazy("graphml", "kg.sinks.graphml:SINK", help="for Gephi, Cytoscape, yEd")
SINKS.lazy("gexf", "kg.sinks.gexf:SINK", help="GEXF 1.2, for Gephi")
SINKS.lazy("csv", "kg.sinks.neo4j_csv:SINK", help="for neo4j-admin database import")
SINKS.lazy("jsonl", "kg.sinks.jsonl:SINK", help="the records of graph.json, one a line")
SINKS.lazy("html", "kg.sinks.page:SINK", help="the interactive, offline page (graph.html)")
