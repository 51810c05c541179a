"""Entity resolution across articles: one graph built from the development split of
``../shared/data/schema_news`` (kg.annotated_news.split), its nodes compared with the gold entities.

The gold entities of all articles are joined into real-world entities where their types agree and
their names or aliases share a matching key (:func:`kg.io.normalize.key`, the scorer's rule). A node
stands for the gold entities its articles' entities match, each in its own article by the scorer's
rule (a name or alias equal to the gold name or one of its aliases, and the node's type). Reported:

* duplicates: the share of gold entities split over several nodes;
* wrong merges: the share of nodes that join two gold entities;
* junk: the share of nodes that match no gold entity.

    python -m bench.resolution            # the table, with examples of each kind
    python -m bench.resolution --json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.annotated_news import AnnotatedDoc, read_annotated, split
from kg.evaluate import Score, score_document
from kg.io.normalize import key
from kg.models import Extraction

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "schema_news"


class _Joined:
    """Union-find over (article, gold entity index)."""

    def __init__(self) -> None:
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(self, x: tuple[str, int]) -> tuple[str, int]:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: tuple[str, int], b: tuple[str, int]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _names(entity: dict) -> set[str]:
    return {key(n) for n in [entity.get("name", ""), *(entity.get("aliases") or [])] if n and key(n)}


def gold_entities(docs: Sequence[AnnotatedDoc]) -> dict[tuple[str, int], tuple[str, int]]:
    """(article, gold entity index) -> the real-world entity it belongs to (a representative)."""
    joined = _Joined()
    first: dict[tuple[str, str], tuple[str, int]] = {}
    for d in docs:
        for i, e in enumerate(d.entities):
            joined.find((d.doc_id, i))
            for k in _names(e):
                seen = first.setdefault((str(e.get("type")), k), (d.doc_id, i))
                joined.union(seen, (d.doc_id, i))
    return {x: joined.find(x) for x in list(joined.parent)}


def _gold_index(doc: AnnotatedDoc) -> dict[tuple[str, str], int]:
    """(type, key) -> the first gold entity of ``doc`` with that name or alias, as the scorer finds it."""
    index: dict[tuple[str, str], int] = {}
    for i, e in enumerate(doc.entities):
        for k in _names(e):
            index.setdefault((str(e.get("type")), k), i)
    return index


def extract(docs: Sequence[AnnotatedDoc]) -> list[Extraction]:
    """kg's extraction of every article, read as ``kg build`` reads them (in batches)."""
    from kg.extraction.extractor import Extractor
    from kg.extraction.pipeline import extract_stream
    from kg.models import Document

    extractor = Extractor()
    return list(extract_stream([Document(id=d.doc_id, text=d.text) for d in docs], extractor))


def node_of_entities(extractions: Sequence[Extraction]) -> tuple[Any, dict[tuple[str, str], str]]:
    """The graph ``kg build`` makes of ``extractions``, and the node of each (article, entity name)."""
    from kg.graph.network import build_linked

    G, linking = build_linked(extractions)
    return G, linking.node_of


@dataclass
class Figures:
    gold: int = 0
    nodes: int = 0
    duplicates: list[tuple[str, list[str]]] = field(default_factory=list)
    wrong_merges: list[tuple[str, list[str]]] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        def share(n: int, of: int) -> float:
            return n / of if of else 0.0

        return {"gold_entities": self.gold, "nodes": self.nodes,
                "duplicates": len(self.duplicates), "duplicates_share": share(len(self.duplicates), self.gold),
                "wrong_merges": len(self.wrong_merges), "wrong_merges_share": share(len(self.wrong_merges), self.nodes),
                "junk": len(self.junk), "junk_share": share(len(self.junk), self.nodes)}


def measure(docs: Sequence[AnnotatedDoc], extractions: Sequence[Extraction], G: Any,
            node_of: dict[tuple[str, str], str]) -> Figures:
    """The three figures of the graph ``G`` against the gold of ``docs``."""
    gold = gold_entities(docs)
    by_id = {d.doc_id: d for d in docs}
    indexes = {d.doc_id: _gold_index(d) for d in docs}
    matched: dict[str, set[tuple[str, int]]] = defaultdict(set)  # node -> gold entities
    for ex in extractions:
        if ex.doc_id not in by_id:
            continue
        for e in ex.entities:
            node = node_of.get((ex.doc_id, e.name))
            if node is None or node not in G:
                continue
            ntype = str(G.nodes[node].get("type"))
            hit = next((indexes[ex.doc_id][(ntype, k)] for k in _names(e.model_dump())
                        if (ntype, k) in indexes[ex.doc_id]), None)
            if hit is not None:
                matched[node].add(gold[(ex.doc_id, hit)])
    figures = Figures(gold=len(set(gold.values())), nodes=G.number_of_nodes())
    nodes_of_gold: dict[tuple[str, int], list[str]] = defaultdict(list)
    for node in sorted(G.nodes):
        reps = matched.get(node, set())
        if not reps:
            figures.junk.append(f"{node} ({G.nodes[node].get('type')})")
        if len(reps) > 1:
            figures.wrong_merges.append((node, sorted(_gold_name(by_id, r) for r in reps)))
        for r in reps:
            nodes_of_gold[r].append(node)
    for rep, nodes in sorted(nodes_of_gold.items()):
        if len(nodes) > 1:
            figures.duplicates.append((_gold_name(by_id, rep), nodes))
    return figures


def _gold_name(by_id: dict[str, AnnotatedDoc], rep: tuple[str, int]) -> str:
    e = by_id[rep[0]].entities[rep[1]]
    return f"{e.get('name')} ({e.get('type')})"


def entity_scores(docs: Sequence[AnnotatedDoc], extractions: Sequence[Extraction]) -> Score:
    """The per-article entity and relation scores of the same extractions (``kg eval``'s rule)."""
    from kg.extraction.pipeline import to_score_record

    preds = {ex.doc_id: to_score_record(ex) for ex in extractions}
    score = Score()
    for d in docs:
        score_document(d.gold, preds.get(d.doc_id, {}), score)
    return score


def run() -> dict[str, Any]:
    _, dev = split(read_annotated(NEWS))
    extractions = extract(dev)
    G, node_of = node_of_entities(extractions)
    figures = measure(dev, extractions, G, node_of)
    score = entity_scores(dev, extractions)
    return {"articles": len(dev), "figures": figures.row(), "entities_f1": score.entities.prf()[2],
            "relations_f1": score.relations.prf()[2],
            "examples": {"duplicates": figures.duplicates, "wrong_merges": figures.wrong_merges,
                         "junk": figures.junk}}


def render(result: dict[str, Any], examples: int) -> str:
    f = result["figures"]
    lines = [f"Development split of schema_news: {result['articles']} articles, {f['gold_entities']} gold entities "
             f"(joined across articles), {f['nodes']} nodes", "",
             "| figure | count | share | target |", "|---|---|---|---|",
             f"| duplicates (of gold entities) | {f['duplicates']} | {f['duplicates_share']:.1%} | ≤ 3 % |",
             f"| wrong merges (of nodes) | {f['wrong_merges']} | {f['wrong_merges_share']:.1%} | ≤ 1 % |",
             f"| junk (of nodes) | {f['junk']} | {f['junk_share']:.1%} | ≤ 10 % |", "",
             f"per-article F1 of the same extractions: entities {result['entities_f1']:.3f}, "
             f"relations {result['relations_f1']:.3f}"]
    if examples:
        for kind, rows in result["examples"].items():
            lines += ["", f"{kind} ({len(rows)}):"]
            for row in rows[:examples]:
                lines.append(f"  {row[0]}: {' | '.join(row[1])}" if isinstance(row, (list, tuple)) else f"  {row}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--examples", type=int, default=15, help="examples of each kind to list (0: none)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not NEWS.exists():
        print(f"no annotated news at {NEWS} (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    result = run()
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else render(result, args.examples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
