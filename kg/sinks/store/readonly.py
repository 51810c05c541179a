"""Does a Cypher statement change the database? The guard of ``kg query`` without ``--write``.

The statement is read as Cypher reads it, token by token: strings and comments are data, a
backtick-quoted name is a name (``\\`SET\\``` is no clause, ``\\`db.idx.fulltext.drop\\``` is the
procedure of that name), keywords are in any case, and whitespace or comments may stand between
any two tokens (``CALL db . idx . fulltext . drop``). A statement needs ``--write`` if it holds a
clause that writes (CREATE, MERGE, SET, DELETE, DETACH, REMOVE, DROP, FOREACH, LOAD CSV) or calls
any procedure that is not on the list of read procedures (:data:`READ_PROCEDURES`, compared
without regard to case): an unknown procedure may write, or run other Cypher (``apoc.cypher.run``).

>>> write_clause("CALL `db.idx.fulltext.drop`('Entity')")
'CALL db.idx.fulltext.drop'
>>> write_clause("MATCH (n) RETURN n.name AS set"), write_clause("CALL db.labels()")
(None, None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Procedures that only read, of FalkorDB and Neo4j (lower case): everything else needs --write.
READ_PROCEDURES = frozenset({
    # schema and server information (both servers, or one of them)
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.indexes", "db.constraints", "db.meta.stats",
    "db.schema.visualization", "db.schema.nodetypeproperties", "db.schema.reltypeproperties", "db.info",
    "db.ping", "dbms.components", "dbms.procedures", "dbms.functions",
    # index lookups
    "db.idx.fulltext.querynodes", "db.idx.fulltext.queryrelationships", "db.idx.vector.querynodes",
    "db.idx.vector.queryrelationships", "db.index.fulltext.querynodes", "db.index.fulltext.queryrelationships",
    "db.index.vector.querynodes", "db.index.vector.queryrelationships",
    # FalkorDB's graph algorithms (they return rows, they store nothing)
    "algo.pagerank", "algo.bfs", "algo.wcc", "algo.labelpropagation", "algo.betweenness", "algo.sppaths",
    "algo.sspaths",
})
#: Clauses that write (DETACH DELETE and LOAD CSV by their first word).
WRITE_CLAUSES = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "FOREACH", "LOAD"})

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>'(?:[^'\\]|\\.)*(?:'|\Z)|"(?:[^"\\]|\\.)*(?:"|\Z))
  | (?P<quoted>`(?:[^`]|``)*(?:`|\Z))
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
""", re.S | re.X)


@dataclass(frozen=True)
class Token:
    kind: str  # string, quoted, number, word or other (spaces and comments are dropped)
    text: str

    @property
    def name(self) -> str:
        """A word or a quoted name as the name it stands for (``\\`a``b\\``` is ``a`b``)."""
        if self.kind == "quoted":
            return self.text[1:-1 if self.text.endswith("`") and len(self.text) > 1 else None].replace("``", "`")
        return self.text


def tokens(cypher: str) -> list[Token]:
    """The tokens of ``cypher`` that mean something: no whitespace, no comments."""
    return [Token(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(cypher)
            if m.lastgroup not in ("space", "comment")]


def _is_keyword(toks: list[Token], i: int) -> bool:
    """Is the word at ``i`` a keyword here, rather than a name (``n.set``, ``:SET``, ``$set``,
    ``AS set``, a map key ``{set: 1}``)?"""
    before = toks[i - 1] if i > 0 else None
    after = toks[i + 1] if i + 1 < len(toks) else None
    if before is not None:
        if before.text in (":", "$"):
            return False
        if before.kind == "word" and before.text.upper() == "AS":
            return False
        # a property after a name, a bracket or a quoted name; after a number (1.) the dot is the number's
        if before.text == "." and i > 1 and (toks[i - 2].kind in ("word", "quoted") or toks[i - 2].text in ")]}"):
            return False
    return not (after is not None and after.text == ":")


def _procedure(toks: list[Token], i: int) -> tuple[str, str] | None:
    """The procedure ``CALL`` at ``i`` calls, as written and in lower case; None for a subquery
    (``CALL {``, ``CALL (x) {``) or a CALL that names no procedure (a variable called call)."""
    j = i + 1
    if j >= len(toks) or toks[j].kind not in ("word", "quoted"):
        return None
    parts = [toks[j].name]
    while j + 2 < len(toks) and toks[j + 1].text == "." and toks[j + 2].kind in ("word", "quoted"):
        parts.append(toks[j + 2].name)
        j += 2
    written = ".".join(parts)
    return written, written.lower()


def procedure_calls(cypher: str) -> list[str]:
    """The procedures ``cypher`` calls, in lower case."""
    toks = tokens(cypher)
    return [called[1] for i, t in enumerate(toks)
            if t.kind == "word" and t.text.upper() == "CALL" and _is_keyword(toks, i)
            and (called := _procedure(toks, i)) is not None]


def write_clause(cypher: str) -> str | None:
    """The first clause of ``cypher`` that changes the database, or calls a procedure not known to
    only read (``CALL name``); None if it only reads."""
    toks = tokens(cypher)
    for i, tok in enumerate(toks):
        if tok.kind != "word" or not _is_keyword(toks, i):
            continue
        word = tok.text.upper()
        if word in WRITE_CLAUSES:
            return word
        if word == "CALL":
            called = _procedure(toks, i)
            if called is not None and called[1] not in READ_PROCEDURES:
                return f"CALL {called[0]}"
    return None
