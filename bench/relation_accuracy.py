"""Relation accuracy on the held-out data: the rules alone, the classifier alone, both together.

Held out (never read by ``kg train-relations``): the last 20 % of the DuIE excerpt (its last 346
records; CEO copies of their chairman sentences for CEO_OF) and FinRE valid. Two settings:

* production: the sentences and mentions of kg's own pipeline, as ``kg extract`` reads them;
* gold entities: the same, with the annotated names kg does not find forced in (what the relation
  step can do when the entity step finds everything).

Also: the precision per confidence band of what the combination outputs (what a confidence
means), the relation F1 of ``kg eval`` on the gold seeds, and extraction speed with and without the
classifier.

    python -m bench.relation_accuracy [--duie FILE] [--finre DIR] [--relation-model FILE]
                                      [--gold DIR] [--speed-chars N] [--skip-speed] [--skip-gold]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.eval_duie import DEFAULT_DATA, REPO_ROOT, resolve_data
from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.extraction.relations.classifier.candidates import normalised
from kg.extraction.relations.classifier.component import load_model, shipped_model
from kg.extraction.relations.classifier.corpora import DUIE_REPORTED, FINRE_LABELS, LabelledText, load_split
from kg.extraction.relations.classifier.model import PairClassifier
from kg.extraction.relations.classifier.scoring import Counts, Judge
from kg.extraction.relations.classifier.tuning import (
    Policy,
    Scored,
    calibrated,
    classifier_alone,
    read_texts,
    rule_names,
    rule_triples,
    rules_alone,
    union,
)
from kg.extraction.relations.confidence import RulePrecision
from kg.models import Document

DEFAULT_FINRE = "../shared/data/re"
DEFAULT_GOLD = "../shared/gold"
KG = str(Path(sys.executable).with_name("kg"))
POLICIES: dict[str, Policy] = {"rules alone": rules_alone, "classifier alone": classifier_alone,
                               "combined (rules ∪ classifier)": union}
#: (title, source of the texts, labels reported)
BLOCKS = (("DuIE held-out", "duie", DUIE_REPORTED), ("DuIE held-out, CEO copies (synthetic)", "duie-ceo", ("CEO_OF",)),
          ("FinRE valid", "finre", FINRE_LABELS))
BANDS = tuple(round(0.1 * i, 1) for i in range(11))


def prf(c: Counts, labels: Sequence[str]) -> str:
    p, r, f = c.prf(labels)
    return f"{p:.2f} / {r:.2f} / {f:.2f}"


def outputs(scored: Sequence[Scored], model: PairClassifier, policy: Policy) -> list[dict[tuple, float]]:
    precision = RulePrecision.from_json(model.meta.get("rule_precision"))
    return [policy(rule_triples(s, precision), calibrated(s, model.calibration.platt), model.calibration.thresholds)
            for s in scored]


def count(scored: Sequence[Scored], outs: Sequence[dict[tuple, float]]) -> Counts:
    c = Counts()
    for s, out in zip(scored, outs, strict=True):
        c.add(s.judge, list(out))
    return c


def extractor_counts(texts: Sequence[LabelledText], config: ExtractorConfig) -> Counts:
    """What ``kg extract`` itself outputs (the default pipeline, classifier included), judged."""
    ex = Extractor(config)
    c = Counts()
    for raw in texts:
        t = normalised(raw)
        found = ex.extract(Document(id="held-out", text=t.text), keep_mentions=False)
        c.add(Judge(t, found.entities), [(r.head, r.relation.value, r.tail) for r in found.relations])
    return c


def ceiling(scored: Sequence[Scored], labels: Sequence[str]) -> float:
    """The share of the gold facts of ``labels`` whose two names are both among kg's entities."""
    found = total = 0
    for s in scored:
        names = set().union(*s.judge.keys.values()) if s.judge.keys else set()
        for head, label, tail in s.judge.gold:
            if label in labels:
                total += 1
                found += head in names and tail in names
    return found / total if total else 0.0


def table_row(name: str, c: Counts, labels: Sequence[str]) -> str:
    cells = [prf(c, [lab]) for lab in labels] + ([prf(c, labels)] if len(labels) > 1 else [])
    return f"| {name} | " + " | ".join(cells) + " |"


def accuracy_tables(texts: Sequence[LabelledText], model: PairClassifier, config: ExtractorConfig) -> None:
    for gold in (False, True):
        setting = "gold entities forced in" if gold else "production: kg's own entities"
        scored = read_texts(model, texts, config, gold=gold)
        for title, source, labels in BLOCKS:
            idx = [i for i, t in enumerate(texts) if t.source == source]
            if not idx:
                continue
            print(f"\n## {title} ({len(idx)} texts), {setting}: P / R / F1\n")
            cols = [*labels, "together"] if len(labels) > 1 else list(labels)
            print("| system | " + " | ".join(cols) + " |")
            print("| --- |" + " --- |" * len(cols))
            sub = [scored[i] for i in idx]
            for name, pol in POLICIES.items():
                print(table_row(name, count(sub, outputs(sub, model, pol)), labels))
            if not gold:
                print(table_row("kg extract (default pipeline)", extractor_counts([texts[i] for i in idx], config),
                                labels))
                print("| ceiling: recall if every fact whose two names kg finds were found | "
                      + " | ".join(f"R ≤ {ceiling(sub, [lab]):.2f}" for lab in cols[:len(labels)])
                      + (f" | R ≤ {ceiling(sub, labels):.2f}" if len(labels) > 1 else "") + " |")
        calibration_table(scored, [t.source for t in texts], model, setting)


def calibration_table(scored: Sequence[Scored], sources: Sequence[str], model: PairClassifier, setting: str) -> None:
    """Precision per confidence band of the combined output (judged triples only)."""
    outs = outputs(scored, model, union)
    print(f"\n## What a confidence means: combined output, {setting}\n")
    print("| confidence | DuIE (3 labels): n / precision / mean confidence | FinRE (3 labels): n / precision / "
          "mean confidence |")
    print("| --- | --- | --- |")
    for lo, hi in zip(BANDS, BANDS[1:], strict=False):
        cells = []
        for source in ("duie", "finre"):
            judged = [(p, bool(s.judge(*triple))) for s, out, src in zip(scored, outs, sources, strict=True)
                      if src == source for triple, p in out.items()
                      if (lo <= p < hi or p == hi == 1.0) and s.judge(*triple) is not None]
            n = len(judged)
            cells.append(f"{n} / {sum(v for _, v in judged) / n:.2f} / {sum(p for p, _ in judged) / n:.2f}"
                         if n else "0 / - / -")
        print(f"| {lo:.1f}–{hi:.1f} | " + " | ".join(cells) + " |")


def gold_seeds(gold: Path, model: Path | None, config: ExtractorConfig) -> None:
    """``kg eval`` on the gold seeds (the command itself), and the rules alone on the same documents."""
    from kg.cli.evaluation import _extract_gold_docs
    from kg.evaluate import load_gold, score_all
    from kg.resources import seeds_dir

    cmd = [KG, "eval", str(gold), "--json"] + ([] if model is None else ["--relation-model", str(model)])
    print("\n## Gold seeds: relation P / R / F1\n")
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT)
    if run.returncode != 0:
        print(f"- kg eval failed: {run.stderr.strip()}")
    else:
        rel = json.loads(run.stdout)["relations"]["all"]
        print(f"- rules + classifier (`{' '.join(['kg', *cmd[1:]])}`): P {rel['p']:.3f} / R {rel['r']:.3f} / "
              f"F1 {rel['f1']:.3f}")
    golds = load_gold(gold)
    rules_only = Extractor(config.model_copy(update={"relation_rules": tuple(rule_names())}))
    rel = score_all(golds, _extract_gold_docs(golds, seeds_dir(), rules_only)).relations
    p, r, f = rel.prf()
    print(f"- rules alone (in process, same documents): P {p:.3f} / R {r:.3f} / F1 {f:.3f}")


def speed(chars: int, config: ExtractorConfig) -> None:
    """In-process extraction speed on the benchmark corpus, with and without the classifier
    (interleaved, best of three, so the shared machine's load weighs on both alike)."""
    from bench.corpus import sample_texts

    texts = sample_texts(chars)
    n = sum(len(t) for t in texts)
    configs = {"rules only (before)": config.model_copy(update={"relation_rules": tuple(rule_names())}),
               "rules + classifier (default)": config}
    extractors = {name: Extractor(c) for name, c in configs.items()}
    for ex in extractors.values():
        ex.extract(Document(id="warm", text=texts[0]))
    best = dict.fromkeys(extractors, float("inf"))
    for _ in range(3):
        for name, ex in extractors.items():
            start = time.perf_counter()
            for i, t in enumerate(texts):
                ex.extract(Document(id=str(i), text=t), keep_mentions=False)
            best[name] = min(best[name], time.perf_counter() - start)
    print(f"\n## Extraction speed, in process, {n:,} characters of the benchmark corpus (best of 3)\n")
    base = None
    for name, seconds in best.items():
        rate = n / seconds
        base = base or rate
        print(f"- {name}: {rate:,.0f} chars/s ({rate / base:.0%} of rules only)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duie", default=DEFAULT_DATA)
    ap.add_argument("--finre", default=DEFAULT_FINRE)
    ap.add_argument("--relation-model", type=Path, default=None, help="default: the shipped model")
    ap.add_argument("--gold", default=DEFAULT_GOLD, help="the gold seeds folder for kg eval")
    ap.add_argument("--speed-chars", type=int, default=150_000)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-gold", action="store_true")
    args = ap.parse_args(argv)
    config = ExtractorConfig(relation_model=args.relation_model)
    model = load_model(args.relation_model or shipped_model())
    split = load_split(resolve_data(args.duie), resolve_data(args.finre), held_out=True)
    print(f"model: {args.relation_model or shipped_model()}; thresholds {model.calibration.thresholds}")
    accuracy_tables(split.held_out, model, config)
    if not args.skip_gold:
        gold_seeds(resolve_data(args.gold), args.relation_model, config)
    if not args.skip_speed:
        speed(args.speed_chars, config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
