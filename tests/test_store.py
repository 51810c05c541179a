"""The graph database against a real embedded FalkorDB Bolt server: loading, idempotence,
incremental loads, injection, and every saved query in cypher/ on the seeds."""

from __future__ import annotations

import json

import pytest
from db_fixtures import HOSTILE_EVIDENCE, HOSTILE_NAME, HOSTILE_NAMES

from kg.graph.network import build_graph
from kg.io.normalize import key
from kg.sinks.store import saved_queries
from kg.sinks.store.bolt import cypher_literal, with_parameter_header
from kg.sinks.store.errors import MissingParameter, QueryFailed, UnknownQuery
from kg.sinks.store.loader import clear, counts, ends_line, graph_counts, load_extractions, load_graph

pytestmark = pytest.mark.db


def run_saved(store, query_name: str, **params: str) -> list[dict]:
    query = saved_queries.find(query_name)
    result = store.run(query.cypher, saved_queries.bind(query, params))
    return [r.data() for r in result.records]


# -- loading ---------------------------------------------------------------------------------


def test_seed_round_trip_counts_match_graph_and_reload_is_idempotent(db, seed_graph):
    assert seed_graph.number_of_edges() > 0, "the extractor found no relations in the seeds"
    expected = graph_counts(seed_graph)
    load_graph(db, seed_graph, batch_size=7)  # small batches: many statements per type
    assert counts(db) == expected
    load_graph(db, seed_graph)
    assert counts(db) == expected
    props = db.run("MATCH (n:Entity {name: $n}) RETURN n.aliases AS a, n.docs AS d, labels(n) AS l",
                   {"n": "科大讯飞"}).records[0]
    assert sorted(props["a"]) == sorted(seed_graph.nodes["科大讯飞"]["aliases"])
    assert sorted(props["d"]) == sorted(seed_graph.nodes["科大讯飞"]["docs"])
    assert sorted(props["l"]) == ["Company", "Entity"]


def test_relationship_properties_carry_evidence_docs_and_confidence(db, mini_graph):
    load_graph(db, mini_graph)
    row = db.run("MATCH (:Entity {name: $a})-[r:CHAIRMAN_OF]->(:Entity {name: $b}) "
                 "RETURN r.evidence AS e, r.docs AS d, r.confidence AS c",
                 {"a": "刘庆峰", "b": "科大讯飞"}).records[0]
    assert row["e"] == ["d1: 科大讯飞董事长刘庆峰表示。"]
    assert row["d"] == ["d1"]
    assert row["c"] == pytest.approx(0.8)


def test_relationships_carry_where_each_sentence_names_their_two_ends(db, seed_graph):
    load_graph(db, seed_graph)
    load_graph(db, seed_graph)  # merged, not doubled
    rows = db.run("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.name AS a, type(r) AS t, b.name AS b, "
                  "r.evidence_ends AS ends").records
    stored = {(r["a"], r["t"], r["b"]): sorted(r["ends"]) for r in rows}
    expected = {(u, k, v): sorted(filter(None, dict.fromkeys(ends_line(e) for e in d["evidence"])))
                for u, v, k, d in seed_graph.edges(keys=True, data=True)}
    assert stored == expected and all(stored.values())
    texts = {(e["doc_id"], e["start"]): e["text"] for _, _, d in seed_graph.edges(data=True) for e in d["evidence"]}
    for (head, _, tail), ends in stored.items():
        for line in ends:
            record = json.loads(line)
            text = texts[record["doc_id"], record["start"]]
            for role, name in (("head", head), ("tail", tail)):
                a, b = record[role]
                said = record[f"{role}_via"]["anaphor"] if f"{role}_via" in record else None
                names = {key(n) for n in [name, *seed_graph.nodes[name]["aliases"]]}
                assert text[a:b] == said or key(text[a:b]) in names, (role, name, text)


def test_loading_a_new_document_adds_to_what_is_there(db, mini_docs, mini_graph):
    first, second = mini_docs
    load_extractions(db, [first])
    assert counts(db) == graph_counts(build_graph([first]))
    load_extractions(db, [second])
    assert counts(db) == graph_counts(mini_graph)
    # The partnership is stated in both documents: one relationship, evidence from both.
    row = db.run("MATCH (a:Entity)-[r:PARTNERS_WITH]-(b:Entity) WHERE a.name = $a AND b.name = $b "
                 "RETURN r.docs AS docs, size(r.evidence) AS n", {"a": "科大讯飞", "b": "华为"}).records[0]
    assert sorted(row["docs"]) == ["d1", "d2"] and row["n"] == 2
    huawei = db.run("MATCH (n:Entity {name: $n}) RETURN n.docs AS d, n.mentions AS m", {"n": "华为"}).records[0]
    assert sorted(huawei["d"]) == ["d1", "d2"] and huawei["m"] == 2
    # Loading the merged graph afterwards changes nothing.
    load_graph(db, mini_graph)
    assert counts(db) == graph_counts(mini_graph)
    assert db.value("MATCH (n:Entity {name: $n}) RETURN n.mentions", {"n": "华为"}) == 2


def test_type_change_moves_the_label(db):
    from kg.models import Entity, Extraction

    load_extractions(db, [Extraction(doc_id="a", entities=[Entity(name="星火", type="Product")])])
    G = build_graph([Extraction(doc_id="a", entities=[Entity(name="星火", type="AIModel")])])
    load_graph(db, G)
    assert sorted(db.value("MATCH (n:Entity {name: $n}) RETURN labels(n)", {"n": "星火"})) == ["AIModel", "Entity"]


def test_clear_deletes_everything_loaded(db, mini_graph):
    load_graph(db, mini_graph)
    assert clear(db, batch_size=3) == mini_graph.number_of_nodes()
    assert counts(db)["nodes"] == 0


# -- injection -------------------------------------------------------------------------------


def test_hostile_names_and_evidence_load_verbatim_and_change_nothing_else(db, hostile_graph):
    db.run("CREATE (:Victim {name: $n})", {"n": "must survive"})
    load_graph(db, hostile_graph)
    load_graph(db, hostile_graph)
    assert db.value("MATCH (v:Victim) RETURN count(v)") == 1
    assert counts(db) == graph_counts(hostile_graph)
    names = {r["name"] for r in db.run("MATCH (n:Entity) RETURN n.name AS name").records}
    assert names == set(HOSTILE_NAMES) | {"华为"}
    row = db.run("MATCH (n:Entity {name: $n})-[r:PARTNERS_WITH]-() RETURN n.aliases AS a, r.evidence AS e, "
                 "r.docs AS d", {"n": HOSTILE_NAME}).records[0]
    assert sorted(row["a"]) == ["a'b", "c\\d"]
    assert row["e"] == [f"doc'); DROP //: {HOSTILE_EVIDENCE}"]
    assert row["d"] == ["doc'); DROP //"]
    # The hostile name also works as a saved query's parameter.
    assert {r["partner"] for r in run_saved(db, "partners-of", name=HOSTILE_NAME)} == {"华为"}


def test_parameter_header_escapes_every_kind_of_value():
    assert cypher_literal("a'b\\c") == "'a\\'b\\\\c'"
    assert cypher_literal({"k": [1, 2.5, None, True]}) == "{k: [1, 2.5, null, true]}"
    assert with_parameter_header("RETURN $x", {"x": "'"}) == "CYPHER x='\\'' RETURN $x"
    with pytest.raises(QueryFailed):
        cypher_literal({"bad key": 1})
    with pytest.raises(QueryFailed):
        cypher_literal(float("nan"))


@pytest.mark.parametrize("text", ["a'b", "\\", "\\'", "'; MATCH (n) DETACH DELETE n //", "x" * 9000,
                                  "中文\n\t\"", "\\u0041 \\n"])
def test_parameters_round_trip_verbatim(db, text):
    assert db.value("RETURN $t AS t", {"t": text}) == text


# -- saved queries ---------------------------------------------------------------------------

# For each saved query: parameters, and a check of its rows on the five seed articles.
SEED_EXPECTATIONS = {
    "partners-of": ({"name": "科大讯飞"}, lambda rows: "华为" in {r["partner"] for r in rows}),
    "models-on-chips": ({}, lambda rows: any(r["model"].startswith("讯飞星火") and r["chip"].startswith("昇腾")
                                             for r in rows)),
    "who-leads": ({}, lambda rows: ("刘庆峰", "CHAIRMAN_OF", "科大讯飞")
                  in {(r["person"], r["role"], r["organisation"]) for r in rows}),
    "benchmarked-against": ({"model": "GPT-4"}, lambda rows: ("讯飞星火V3.0", "GPT-4")
                            in {(r["model"], r["compared_with"]) for r in rows}),
    "located-in": ({"place": "安徽"}, lambda rows: rows and {r["place"] for r in rows} == {"安徽"}),
    "shortest-path": ({"a": "刘庆峰", "b": "华为"},
                      lambda rows: len(rows) == 1 and rows[0]["chain"].startswith("刘庆峰")
                      and rows[0]["chain"].endswith("华为") and rows[0]["hops"] <= 3),
    "most-connected": ({"limit": "3"}, lambda rows: len(rows) == 3 and rows[0]["entity"] == "科大讯飞"),
    "evidence-for": ({"name": "讯飞"}, lambda rows: any(
        r["head"] == "刘庆峰" and r["relation"] == "CHAIRMAN_OF" and r["evidence"] for r in rows)),
    "developed-by": ({"name": "iFlytek"}, lambda rows: "讯飞星火" in {r["developed"] for r in rows}),
    "chip-users": ({"chip": "Ascend"}, lambda rows: "华为" in {r["who"] for r in rows}),
    "people-of": ({"name": "科大讯飞"}, lambda rows: "刘庆峰" in {r["person"] for r in rows}),
    "subsidiaries-of": ({"name": "科大讯飞"}, lambda rows: any(
        r["subsidiary"] == "讯飞医疗" and "港交所" in r["listed_on"] for r in rows)),
    "entity-types": ({}, None),  # checked against the graph below
    "relation-types": ({}, None),
}


def test_every_saved_query_has_a_seed_expectation():
    names = {q.name for q in saved_queries.list_queries()}
    assert len(names) >= 10
    assert names == set(SEED_EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(SEED_EXPECTATIONS))
def test_saved_query_on_seeds(seeded_db, seed_graph, name):
    params, check = SEED_EXPECTATIONS[name]
    rows = run_saved(seeded_db, name, **params)
    if name == "entity-types":
        assert {r["type"]: r["entities"] for r in rows} == graph_counts(seed_graph)["labels"]
    elif name == "relation-types":
        assert {r["relation"]: r["relations"] for r in rows} == graph_counts(seed_graph)["types"]
    else:
        assert check(rows), rows


def test_saved_queries_on_hand_made_graph(db, mini_graph):
    load_graph(db, mini_graph)
    assert {r["entity"] for r in run_saved(db, "located-in", place="合肥市")} == {"科大讯飞"}
    assert run_saved(db, "shortest-path", a="刘庆峰", b="任正非")[0]["chain"] == \
        "刘庆峰 -CHAIRMAN_OF-> 科大讯飞 <-PARTNERS_WITH- 华为 <-FOUNDER_OF- 任正非"
    chips = {(r["model"], r["chip"], r["via"]) for r in run_saved(db, "models-on-chips")}
    assert chips == {("讯飞星火", "昇腾910B", "科大讯飞"), ("讯飞星火", "昇腾", "飞星一号")}
    assert {r["compared_with"] for r in run_saved(db, "benchmarked-against", model="GPT-4")} == {"GPT-4", "GPT-4o"}
    assert run_saved(db, "subsidiaries-of", name="讯飞") == [
        {"subsidiary": "讯飞医疗", "parent": "科大讯飞", "listed_on": ["港交所"]}]


def test_saved_query_errors():
    with pytest.raises(UnknownQuery, match="partners-of"):
        saved_queries.find("partners-off")
    with pytest.raises(MissingParameter, match="name"):
        saved_queries.bind(saved_queries.find("partners-of"), {})
    with pytest.raises(QueryFailed, match="int"):
        saved_queries.bind(saved_queries.find("most-connected"), {"limit": "ten"})
    with pytest.raises(QueryFailed, match="no parameter"):
        saved_queries.bind(saved_queries.find("partners-of"), {"name": "a", "nmae": "b"})
    adhoc = saved_queries.resolve("MATCH (n {name: $name}) RETURN n // $ignored")
    assert saved_queries.parameters_used(adhoc.cypher) == {"name"}
    assert saved_queries.bind(adhoc, {"name": "360"}) == {"name": "360"}  # undeclared: text stays text
    assert saved_queries.bind(adhoc, saved_queries.parse_assignments(["name:=360"])) == {"name": 360}


def test_syntax_error_is_reported_with_the_servers_detail(db):
    with pytest.raises(QueryFailed, match="Invalid input"):
        db.run("MATCH (n RETURN n")
    assert db.value("RETURN 1") == 1  # the connection survives the error
