"""Across documents: one node per entity (kg.graph.linking, kg.graph.network.build_linked)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.graph.linking import link
from kg.graph.network import build_graph, build_linked, resolve
from kg.models import Entity, Extraction, Relation


def ent(name: str, etype: str = "Company", *aliases: str) -> Entity:
    return Entity(name=name, type=etype, aliases=list(aliases), mentions=1)


def rel(head: str, relation: str, tail: str, doc_id: str) -> Relation:
    return Relation(head=head, relation=relation, tail=tail, evidence=head + tail, doc_id=doc_id, start=0,
                    end=len(head + tail))


def doc(doc_id: str, *entities: Entity, relations: tuple = ()) -> Extraction:
    return Extraction(doc_id=doc_id, entities=list(entities),
                      relations=[rel(h, r, t, doc_id) for h, r, t in relations])


def test_one_name_in_both_scripts_is_one_node():
    G = build_graph([doc("a", ent("科大訊飛")), doc("b", ent("科大讯飞")), doc("c", ent("科大讯飞"))])
    assert list(G.nodes) == ["科大讯飞"] and G.nodes["科大讯飞"]["docs"] == ["a", "b", "c"]
    assert "科大訊飛" in G.nodes["科大讯飞"]["aliases"]


def test_an_alias_links_a_short_and_a_registered_name():
    G = build_graph([doc("a", ent("宁德时代", "Company", "宁德时代新能源科技股份有限公司")),
                     doc("b", ent("宁德时代新能源科技股份有限公司")), doc("c", ent("宁德时代", "Company", "CATL")),
                     doc("d", ent("CATL"))])
    assert list(G.nodes) == ["宁德时代"]
    assert resolve(G, "catl") == "宁德时代"


def test_relations_follow_their_ends_to_the_nodes():
    G = build_graph([doc("a", ent("宁德时代", "Company", "宁德时代新能源科技股份有限公司"), ent("曾毓群", "Person")),
                     doc("b", ent("宁德时代新能源科技股份有限公司"), ent("曾毓群", "Person"),
                         relations=[("曾毓群", "CHAIRMAN_OF", "宁德时代新能源科技股份有限公司")])])
    assert G.has_edge("曾毓群", "宁德时代", key="CHAIRMAN_OF")


def test_types_must_agree():
    G = build_graph([doc("a", ent("进博会", "Event")), doc("b", ent("进博会", "Organization"))])
    assert sorted((n, d["type"]) for n, d in G.nodes(data=True)) == [("进博会", "Event"),
                                                                     ("进博会 (Organization)", "Organization")]


def test_two_entities_of_one_document_are_never_one_node():
    # a document told 小米 and 小米汽车 apart; another's alias must not join them
    G = build_graph([doc("a", ent("小米"), ent("小米汽车")), doc("b", ent("小米汽车", "Company", "小米"))])
    assert G.number_of_nodes() == 2


def test_a_homonym_made_by_another_maker_is_another_node():
    exs = [doc("huawei", ent("华为"), ent("麒麟", "Chip"), relations=[("华为", "DEVELOPS", "麒麟")]),
           doc("catl", ent("宁德时代"), ent("麒麟", "Chip"), relations=[("宁德时代", "DEVELOPS", "麒麟")]),
           doc("phone", ent("华为"), ent("麒麟", "Chip"))]
    node_of = link(exs).node_of
    assert node_of["huawei", "麒麟"] == node_of["phone", "麒麟"] == "麒麟"
    assert node_of["catl", "麒麟"] == "麒麟 (宁德时代)"


def test_a_homonym_is_linked_where_its_maker_is_named():
    # the document names no maker of its own, or names the node's maker: one node
    exs = [doc("a", ent("华为"), ent("麒麟", "Chip"), relations=[("华为", "DEVELOPS", "麒麟")]),
           doc("b", ent("荣耀"), ent("华为"), ent("麒麟", "Chip"), relations=[("荣耀", "DEVELOPS", "麒麟")]),
           doc("c", ent("麒麟", "Chip"))]
    node_of = link(exs).node_of
    assert node_of["a", "麒麟"] == node_of["b", "麒麟"] == node_of["c", "麒麟"]


def test_a_company_before_the_name_is_its_maker():
    exs = [doc("a", ent("华为"), ent("麒麟", "Chip", "华为麒麟")),
           doc("b", ent("宁德时代"), ent("麒麟", "Chip", "宁德时代麒麟"))]
    node_of = link(exs).node_of
    assert node_of["a", "麒麟"] != node_of["b", "麒麟"]


def test_the_node_takes_the_name_most_documents_use():
    exs = [doc("a", ent("腾讯混元", "AIModel", "混元")), doc("b", ent("混元", "AIModel")),
           doc("c", ent("混元", "AIModel"))]
    assert set(link(exs).node_of.values()) == {"混元"}


def test_build_reads_a_one_pass_iterator():
    G = build_graph(iter([doc("a", ent("华为")), doc("b", ent("華為"))]))
    assert list(G.nodes) == ["华为"]


def test_linking_tells_which_node_each_entity_went_to():
    G, linking = build_linked([doc("a", ent("华为", "Company", "Huawei")), doc("b", ent("Huawei"))])
    assert linking.node_of == {("a", "华为"): "华为", ("b", "Huawei"): "华为"} and linking.types == {"华为": "Company"}


NAMES = ["华为", "華為", "Huawei", "科大讯飞", "讯飞", "宁德时代", "CATL", "麒麟"]
TYPES = ["Company", "Chip"]


@st.composite
def corpora(draw):
    docs = []
    for n in range(draw(st.integers(1, 6))):
        names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
        entities = [ent(name, draw(st.sampled_from(TYPES)), *draw(st.lists(st.sampled_from(NAMES), max_size=2)))
                    for name in names]
        docs.append(doc(f"d{n}", *entities))
    return docs


@settings(max_examples=120, deadline=None)
@given(corpora())
def test_every_entity_has_a_node_and_a_node_no_two_entities_of_one_document(exs):
    linking = link(exs)
    assert set(linking.node_of) == {(ex.doc_id, e.name) for ex in exs for e in ex.entities}
    for ex in exs:
        nodes = [linking.node_of[(ex.doc_id, e.name)] for e in ex.entities]
        assert len(nodes) == len(set(nodes))
    # a node's entities all have its type
    for (doc_id, name), node in linking.node_of.items():
        etype = next(e.type for ex in exs if ex.doc_id == doc_id for e in ex.entities if e.name == name)
        assert linking.types[node] == etype


@settings(max_examples=60, deadline=None)
@given(corpora())
def test_linking_is_deterministic(exs):
    assert link(exs).node_of == link(list(exs)).node_of
