"""Accuracy on annotated news the models never trained on: the development split of
``../shared/data/schema_news`` (every fifth article of each topic, kg.annotated_news.split), and
optionally leave-one-topic-letter-out, next to the gold seeds and the four public NER development
splits, for every tagger. Each system is kg's whole extraction as ``kg extract`` runs it.

    python -m bench.schema_accuracy                      # development split, seeds, NER dev splits
    python -m bench.schema_accuracy --loto               # also: a model per topic letter, tested on it
    python -m bench.schema_accuracy --taggers statistical --skip-public --json
    python -m bench.schema_accuracy --ablate-rules --skip-public --skip-seeds --taggers statistical

Leave-one-topic-letter-out trains the two-stage tagger's news part again for each topic letter (on
the training split without that topic; the base model is the shipped one) and tests it on every
article of the topic: a topic it never read, such as Taiwanese outlets (F) or chips (B). It needs
torch (``pip install 'kg[train]'``) and takes about 12 CPU-minutes a topic (17 topics); ``--loto A,B``
picks letters. ``--ablate-rules`` scores the development split with each relation rule family left out.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.annotated_news import AnnotatedDoc, by_topic, read_annotated, split
from kg.evaluate import Counts, Score, load_gold, score_document

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "schema_news"
DUIE = ROOT.parent / "shared" / "data" / "duie_org_train_excerpt.jsonl"
FINRE = ROOT.parent / "shared" / "data" / "re"
GOLD = ROOT.parent / "shared" / "gold"
TAGGERS = ("statistical", "jieba", "lac", "none")
TYPES = ("Person", "Place", "Company", "Organization", "Chip", "AIModel", "Product", "Event")


def extract_and_score(docs: Sequence[AnnotatedDoc], tagger: str, model: Path | None = None,
                      relation_rules: tuple[str, ...] | None = None, gold_entities: bool = False,
                      relation_model: Path | None = None) -> tuple[Score, float]:
    """kg's extraction of ``docs`` scored against their gold graphs, and its CPU seconds.
    ``gold_entities``: each article's gold names (and aliases) are a dictionary of its own, so they
    are found wherever the text writes them (kg's other names stay, as distractors): what the
    relation step does when the names are right."""
    from kg.extraction.config import make_config
    from kg.extraction.extractor import Extractor
    from kg.extraction.pipeline import to_score_record
    from kg.models import Document

    def extractor_for(d: AnnotatedDoc | None, work: Path) -> Extractor:
        dictionaries: tuple[Path, ...] = ()
        if d is not None:
            path = work / f"{d.doc_id}.tsv"
            path.write_text("".join(f"{e['type']}\t{e['name']}\t-\t{'|'.join(e.get('aliases') or [])}\n"
                                    for e in d.entities), encoding="utf-8")
            dictionaries = (path,)
        return Extractor(make_config(tagger=tagger, ner_model=model, relation_rules=relation_rules,
                                     relation_model=relation_model, dictionaries=dictionaries))

    score = Score()
    cpu = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        shared = extractor_for(None, Path(tmp))
        shared.components  # noqa: B018  (models load outside the timing)
        documents = [Document(id=d.doc_id, text=d.text) for d in docs]
        started = time.process_time()
        if not gold_entities:
            shared.prepare(documents)
        for d, doc in zip(docs, documents, strict=True):
            extractor = extractor_for(d, Path(tmp)) if gold_entities else shared
            score_document(d.gold, to_score_record(extractor.extract(doc)), score)
        cpu = time.process_time() - started
    return score, cpu


def _row(counts: Counts) -> dict[str, Any]:
    p, r, f = counts.prf()
    return {"p": p, "r": r, "f1": f, "by_type": {t: dict(zip(("p", "r", "f1"), counts.prf(t), strict=True))
                                                 for t in counts.labels()}}


def development(taggers: Sequence[str], model: Path | None) -> dict[str, Any]:
    _, dev = split(read_annotated(NEWS))
    rows: dict[str, Any] = {}
    for tagger in taggers:
        try:
            score, cpu = extract_and_score(dev, tagger, model if tagger == "statistical" else None)
        except Exception as exc:  # an optional tagger (lac) may be missing
            rows[tagger] = {"error": f"{type(exc).__name__}: {exc}"[:100]}
            continue
        rows[tagger] = {"entities": _row(score.entities), "relations": _row(score.relations), "cpu_s": cpu}
    return {"articles": len(dev), "rows": rows}


RELATIONS = ("CHAIRMAN_OF", "FOUNDER_OF", "CEO_OF", "LOCATED_IN", "PARTNERS_WITH", "DEVELOPS", "USES",
             "BENCHMARKED_AGAINST", "SUBSIDIARY_OF", "LISTED_ON", "SUPPORTS")


def relation_systems() -> dict[str, tuple[str, ...] | None]:
    """The relation components compared: the model alone, the rules alone, both (kg's default)."""
    from kg.registry import RELATION_RULES

    rules = tuple(name for name in RELATION_RULES.names() if name != "classifier")
    return {"model": ("classifier",), "rules": rules, "both": None}


def relations(model: Path | None, relation_model: Path | None) -> dict[str, Any]:
    """Per relation type, end to end (kg's entities) and with the gold entities, on the development
    split, for the model, the rules and both."""
    _, dev = split(read_annotated(NEWS))
    rows: dict[str, Any] = {}
    for entities in ("kg", "gold"):
        for name, rules in relation_systems().items():
            score, _ = extract_and_score(dev, "statistical", model, rules, gold_entities=entities == "gold",
                                         relation_model=relation_model)
            rows[f"{name}, {entities} entities"] = _row(score.relations)
            if name == "both":
                rows[f"{name}, {entities} entities"]["reliability"] = score.reliability()
    return {"articles": len(dev), "rows": rows}


def seeds(taggers: Sequence[str], model: Path | None) -> dict[str, Any]:
    """The gold seeds 000-002 (kg eval ../shared/gold), per tagger."""
    from kg.resources import seeds_dir

    gold = load_gold(GOLD)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in seeds_dir().glob("*.txt")}
    docs = [AnnotatedDoc(doc_id, texts[doc_id], g) for doc_id, g in gold.items() if doc_id in texts]
    rows: dict[str, Any] = {}
    for tagger in taggers:
        try:
            score, _ = extract_and_score(docs, tagger, model if tagger == "statistical" else None)
        except Exception as exc:
            rows[tagger] = {"error": f"{type(exc).__name__}: {exc}"[:100]}
            continue
        rows[tagger] = {"entities": _row(score.entities), "relations": _row(score.relations)}
    return rows


def public(taggers: Sequence[str], model: Path | None) -> dict[str, Any]:
    from bench import ner_accuracy

    return ner_accuracy.run(list(taggers), None, model)


def leave_one_topic_out(letters: Sequence[str] | None, folds: int) -> dict[str, Any]:
    """Per topic letter: the two-stage tagger's news part and the relation model trained without the
    topic (the base model is the shipped one; the span classifier learns from the news alone), tested
    on all its articles; entities, and relations per system (model, rules, both) and entities."""
    from kg.extraction.config import make_config
    from kg.extraction.ner.statistical.train_two_stage import SpanTraining, train_two_stage
    from kg.extraction.ner.statistical.two_stage import TwoStageTagger
    from kg.extraction.ner.taggers.statistical import shipped_model
    from kg.extraction.relations.classifier.recipe import train_model
    from kg.extraction.relations.classifier.training import signatures

    docs = read_annotated(NEWS)
    train, _ = split(docs)
    topics = by_topic(docs)
    rows: dict[str, Any] = {}
    totals: dict[str, Score] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = TwoStageTagger.base_model_file(shipped_model(), Path(tmp) / "base.npz")
        for letter in letters or list(topics):
            ner = Path(tmp) / f"ner-{letter}.npz"
            train_two_stage([d for d in train if d.topic != letter], base, ner,
                            spans=SpanTraining(folds=folds), log=lambda _line: None)
            rel = Path(tmp) / f"rel-{letter}.npz"
            trained = train_model(DUIE, FINRE, config=make_config(ner_model=ner, relation_rules=()), news=NEWS,
                                  news_topics=lambda topic, left_out=letter: topic != left_out)
            trained.model.save(rel, signatures())
            row: dict[str, Any] = {"articles": len(topics[letter])}
            for entities in ("kg", "gold"):
                for name, rules in relation_systems().items():
                    score, _ = extract_and_score(topics[letter], "statistical", ner, rules,
                                                 gold_entities=entities == "gold", relation_model=rel)
                    label = f"{name}, {entities} entities"
                    row[label] = _row(score.relations)
                    if label == "both, kg entities":
                        row["entities"] = _row(score.entities)
                    total = totals.setdefault(label, Score())
                    for part in ("entities", "relations"):
                        for field in ("tp", "fp", "fn"):
                            getattr(getattr(total, part), field).update(getattr(getattr(score, part), field))
            rows[letter] = row
            print(f"  topic {letter}: entity F1 {row['entities']['f1']:.3f}, relation F1 "
                  f"{row['both, kg entities']['f1']:.3f}", file=sys.stderr, flush=True)
    every = {label: _row(score.relations) for label, score in totals.items()}
    every["entities"] = _row(totals["both, kg entities"].entities)
    return {"folds": folds, "rows": rows, "all": every}


def _cells(row: dict[str, Any]) -> str:
    types = " | ".join(f"{row['by_type'][t]['f1']:.2f}" if t in row["by_type"] else "-" for t in TYPES)
    return f"{row['p']:.3f} / {row['r']:.3f} / **{row['f1']:.3f}** | {types}"


def _relation_row(name: str, row: dict[str, Any]) -> str:
    types = " | ".join(f"{row['by_type'][t]['f1']:.2f}" if t in row["by_type"] else "-" for t in RELATIONS)
    return f"| {name} | {row['p']:.3f} / {row['r']:.3f} / **{row['f1']:.3f}** | {types} |"


def render(result: dict[str, Any]) -> str:
    head = f"| system | P / R / F1 | {' | '.join(TYPES)} |"
    rule = "|---|---|" + "---|" * len(TYPES)
    dev = result["development"]
    lines = [f"Entities, development split of schema_news ({dev['articles']} articles), kg end to end:", "",
             head, rule]
    for tagger, row in dev["rows"].items():
        lines.append(f"| kg --ner {tagger} | {row['error']} |" if "error" in row else
                     f"| kg --ner {tagger} | {_cells(row['entities'])} |")
    if "relations" in result:
        rel = result["relations"]
        lines += ["", f"Relations, development split ({rel['articles']} articles): P / R / F1, F1 per type", "",
                  f"| system | P / R / F1 | {' | '.join(RELATIONS)} |", "|---|---|" + "---|" * len(RELATIONS)]
        lines += [_relation_row(name, row) for name, row in rel["rows"].items()]
        for name, row in rel["rows"].items():
            if "reliability" not in row:
                continue
            lines += ["", f"What a confidence means ({name}): relations per confidence band, the share right",
                      "", "| confidence | relations | right | mean confidence |", "|---|---|---|---|"]
            lines += [f"| {lo:.1f}-{hi:.1f} | {n} | {right:.2f} | {mean:.2f} |"
                      for lo, hi, n, right, mean in row["reliability"]]
    if "loto" in result:
        loto = result["loto"]
        lines += ["", f"Leave one topic letter out ({loto['folds']} folds; each row: a model that never read "
                      "the topic, on all its articles):", "", head.replace("system", "topic"), rule]
        for letter, row in loto["rows"].items():
            lines.append(f"| {letter} ({row['articles']}) | {_cells(row['entities'])} |")
        lines.append(f"| all | {_cells(loto['all']['entities'])} |")
        lines += ["", "Relations, leave one topic letter out (all topics together): P / R / F1, F1 per type", "",
                  f"| system | P / R / F1 | {' | '.join(RELATIONS)} |", "|---|---|" + "---|" * len(RELATIONS)]
        lines += [_relation_row(name, row) for name, row in loto["all"].items() if name != "entities"]
    if "seeds" in result:
        lines += ["", "Gold seeds 000-002 (`kg eval ../shared/gold`): entities P / R / F1, relations P / R / F1", "",
                  "| system | entities | relations |", "|---|---|---|"]
        for tagger, row in result["seeds"].items():
            if "error" in row:
                lines.append(f"| kg --ner {tagger} | {row['error']} | |")
                continue
            e, r = row["entities"], row["relations"]
            lines.append(f"| kg --ner {tagger} | {e['p']:.3f} / {e['r']:.3f} / **{e['f1']:.3f}** | "
                         f"{r['p']:.3f} / {r['r']:.3f} / **{r['f1']:.3f}** |")
    if "rule_ablation" in result:
        lines += ["", "Relation rules left out one at a time, development split: relations P / R / F1", "",
                  "| rules run | kg entities | gold entities |", "|---|---|---|"]
        for label, row in result["rule_ablation"].items():
            cells = [f"{c['p']:.3f} / {c['r']:.3f} / **{c['f1']:.3f}**" for c in row.values()]
            lines.append(f"| {label} | {' | '.join(cells)} |")
    if "public" in result:
        from bench import ner_accuracy

        lines += ["", ner_accuracy.render(result["public"])]
    return "\n".join(lines)


def rule_ablation(model: Path | None, relation_model: Path | None) -> dict[str, Any]:
    """Relation P / R / F1 on the development split with every relation rule family, then with each
    left out, with kg's entities and with the gold entities given: a rule stays only where it adds."""
    from kg.registry import RELATION_RULES

    _, dev = split(read_annotated(NEWS))
    names = tuple(RELATION_RULES.names())
    runs = {"all": names, **{f"without {n}": tuple(x for x in names if x != n) for n in names}}
    out: dict[str, Any] = {}
    for label, rules in runs.items():
        row = {}
        for column, gold in (("kg entities", False), ("gold entities", True)):
            score, _ = extract_and_score(dev, "statistical", model, rules, gold_entities=gold,
                                         relation_model=relation_model)
            p, r, f = score.relations.prf()
            row[column] = {"p": p, "r": r, "f1": f}
        out[label] = row
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--taggers", default=",".join(TAGGERS))
    ap.add_argument("--ner-model", type=Path, default=None, help="the statistical tagger's model (default: shipped)")
    ap.add_argument("--loto", nargs="?", const="", default=None, metavar="LETTERS",
                    help="leave one topic letter out (all letters, or a comma-separated list)")
    ap.add_argument("--loto-folds", type=int, default=3, help="stacking folds of each topic's model")
    ap.add_argument("--relation-model", type=Path, default=None, help="the relation model (default: shipped)")
    ap.add_argument("--skip-relations", action="store_true", help="without the relation tables")
    ap.add_argument("--skip-public", action="store_true", help="without the four NER development splits")
    ap.add_argument("--skip-seeds", action="store_true", help="without the gold seeds")
    ap.add_argument("--ablate-rules", action="store_true",
                    help="also relation F1 with each relation rule family left out (development split)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not NEWS.exists():
        print(f"no annotated news at {NEWS} (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    taggers = [t.strip() for t in args.taggers.split(",") if t.strip()]
    result: dict[str, Any] = {"development": development(taggers, args.ner_model)}
    if not args.skip_relations:
        result["relations"] = relations(args.ner_model, args.relation_model)
    if args.ablate_rules:
        result["rule_ablation"] = rule_ablation(args.ner_model, args.relation_model)
    if args.loto is not None:
        letters = [x.strip() for x in args.loto.split(",") if x.strip()] or None
        result["loto"] = leave_one_topic_out(letters, args.loto_folds)
    if not args.skip_seeds and GOLD.exists():
        result["seeds"] = seeds(taggers, args.ner_model)
    if not args.skip_public:
        result["public"] = public(taggers, args.ner_model)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
