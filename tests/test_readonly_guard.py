"""``kg query`` reads unless ``--write`` is given: the guard reads a statement as Cypher does
(strings, comments, backtick-quoted names, any case, any whitespace or comment between tokens) and
lets through only the procedures of a list of read procedures; everything else needs ``--write``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kg.cli import app
from kg.sinks.store import saved_queries
from kg.sinks.store.readonly import READ_PROCEDURES, procedure_calls, write_clause

runner = CliRunner()

# The statements of the second attack (issue 24), and their relatives.
BYPASSES = [
    'CALL `db.idx.fulltext.createNodeIndex`("Entity","name")',
    'CALL `db.idx.fulltext.drop`("Entity")',
    'CALL `db`.`idx`.`fulltext`.`drop`("Entity")',
    'CALL db . idx . fulltext . drop("Entity")',
    'CALL db./* x */idx.fulltext.drop("Entity")',
    'call DB.IDX.FULLTEXT.DROP("Entity")',
    "CALL apoc.cypher.run('CREATE (n)', {})",  # a procedure not on the list runs anything
    "CALL unknown.procedure()",
    "MATCH (n) WITH n AS `x` SET n.pwned = 1 RETURN n",
    "MATCH (n:`Label`) SET n.pwned = 1",
    "MATCH (n) WITH n AS\nx SET n.pwned = 1",
    "UNWIND [1] AS x CALL { MATCH (n) DETACH DELETE n }",
    "MATCH (n) FOREACH (x IN [1] | SET n.p = x)",
    "LOAD CSV FROM 'file:///x' AS line RETURN line",
    "RETURN 1. SET",
]


@pytest.mark.parametrize("statement", BYPASSES)
def test_the_bypasses_need_write(statement: str) -> None:
    assert write_clause(statement) is not None, statement


READS = [
    "MATCH (n:Entity) RETURN count(n) AS set",
    "MATCH (n {set: 1, delete: 2}) RETURN n.create, n.`merge`",
    "MATCH (call)-[r]->(x) RETURN call, $set",
    "RETURN 'DETACH DELETE n', \"CALL db.idx.fulltext.drop('x')\" // SET n.x = 1",
    "/* MERGE (n) */ MATCH (n:`CREATE`) RETURN n",
    "CALL db.labels() YIELD label RETURN label",
    "CALL `db`.`labels`()",
    "CALL DB . Labels ( )",
    'CALL db.idx.fulltext.queryNodes("Entity", "讯飞") YIELD node RETURN node.name',
    "CALL { MATCH (n) RETURN n } RETURN n",
]


@pytest.mark.parametrize("statement", READS)
def test_reads_stay_reads(statement: str) -> None:
    assert write_clause(statement) is None, statement


def test_every_saved_query_reads() -> None:
    for query in saved_queries.list_queries():
        assert write_clause(query.cypher) is None, query.name


# --- quoting variants -----------------------------------------------------------------------------------

WRITE_PROCEDURES = ["db.idx.fulltext.createNodeIndex", "db.idx.fulltext.drop", "db.createLabel", "apoc.create.node",
                    "apoc.cypher.runWrite"]
GAPS = st.sampled_from(["", " ", "\n", "\t", "/* c */", " // line\n", "  /**/ "])


@st.composite
def spelled(draw: st.DrawFn, name: str) -> str:
    """``name`` as Cypher may spell it: each part bare or in backticks (or several parts in one
    pair of backticks), in any case, with whitespace or comments around the dots."""
    parts = name.split(".")
    out, i = [], 0
    while i < len(parts):
        take = draw(st.integers(min_value=1, max_value=len(parts) - i))
        chunk = ".".join(parts[i:i + take])
        chunk = "".join(c.upper() if draw(st.booleans()) else c.lower() for c in chunk)
        if take > 1 or draw(st.booleans()):
            chunk = f"`{chunk}`"
        out.append(chunk)
        i += take
    joined = ""
    for j, part in enumerate(out):
        joined += (draw(GAPS) + "." + draw(GAPS) if j else "") + part
    call = draw(st.sampled_from(["CALL", "call", "Call"]))
    return f"{call}{draw(GAPS) or ' '}{joined}{draw(GAPS)}()"


@settings(max_examples=300, deadline=None)
@given(data=st.data(), name=st.sampled_from(WRITE_PROCEDURES))
def test_a_write_procedure_needs_write_however_it_is_quoted(data: st.DataObject, name: str) -> None:
    statement = data.draw(spelled(name))
    assert procedure_calls(statement) == [name.lower()], statement
    assert write_clause(statement) is not None, statement


@settings(max_examples=300, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(READ_PROCEDURES)))
def test_a_read_procedure_is_allowed_however_it_is_quoted(data: st.DataObject, name: str) -> None:
    statement = data.draw(spelled(name))
    assert write_clause(statement) is None, statement


@settings(max_examples=200, deadline=None)
@given(before=GAPS, after=GAPS, alias=st.sampled_from(["x", "`x`", "`x y`", "`SET`"]),
       word=st.sampled_from(["SET", "set", "Set"]))
def test_a_write_clause_after_a_quoted_alias_needs_write(before: str, after: str, alias: str, word: str) -> None:
    statement = f"MATCH (n) WITH n AS{before or ' '}{alias}{after or ' '}{word} n.pwned = 1 RETURN n"
    assert write_clause(statement) is not None, statement


# --- the command ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("statement", BYPASSES[:2])
def test_kg_query_refuses_them_before_reaching_the_database(tmp_path: Path, statement: str) -> None:
    result = runner.invoke(app, ["query", statement, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--write" in lines[0] and "CALL db.idx.fulltext." in lines[0], lines
    assert not (tmp_path / "db").exists()
