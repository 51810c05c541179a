"""Hyper-parameters of the relation classifier chosen on the TUNING part of ``kg train-relations``'s data.

For each setting: train on the train part, calibrate and choose the pooled threshold on the tuning
part (as ``kg train-relations`` does), and report relation F1 there: over every tuning text, and
over the annotated news ones alone. kg reads the texts once; the design matrix is built once per
(bits, bag_power) and the classifier refitted per setting. The development split is never read.

    python -m bench.relation_tune_grid [--news DIR] [--duie FILE] [--finre DIR] [--grid NAME=V1,V2 ...]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.extraction.relations.classifier.candidates import training_examples
from kg.extraction.relations.classifier.corpora import ceo_copies, load_split, read_duie
from kg.extraction.relations.classifier.model import PairClassifier
from kg.extraction.relations.classifier.training import Hyper, design, featurizer, fit
from kg.extraction.relations.classifier.tuning import calibration, counts, read_texts, rule_tally, union
from kg.extraction.relations.confidence import RulePrecision

FIELDS: dict[str, Callable[[str], object]] = {
    "l2": float, "pos_weight": float, "news_weight": float, "bag_power": float, "bits": int, "max_iter": int}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", default="../shared/data/schema_news")
    ap.add_argument("--duie", default="../shared/data/duie_org_train_excerpt.jsonl")
    ap.add_argument("--finre", default="../shared/data/re")
    ap.add_argument("--duie-extra", default=None, help="more DuIE records to train on (deduplicated by text "
                    "against every record of --duie)")
    ap.add_argument("--extra-org-only", action="store_true", help="of --duie-extra, only texts naming an organisation")
    ap.add_argument("--grid", nargs="*", default=[], metavar="NAME=V1,V2",
                    help="values per hyper-parameter (the others: Hyper's defaults); every combination")
    args = ap.parse_args(argv)
    grid = {name: [FIELDS[name](v) for v in values.split(",")]
            for name, values in (g.split("=", 1) for g in args.grid)}
    split = load_split(Path(args.duie), Path(args.finre), news=Path(args.news))
    if args.duie_extra:
        seen = {t.text for t in read_duie(Path(args.duie))}
        extra = []
        for t in read_duie(Path(args.duie_extra)):
            if t.text in seen or (args.extra_org_only and not any(typ in ("Company", "Organization")
                                                                   for _, typ in t.entities)):
                continue
            seen.add(t.text)
            extra.append(t)
        split.train.extend(extra + ceo_copies(extra))
        print(f"# {len(extra)} extra DuIE texts to train on", flush=True)
    base = ExtractorConfig()
    started = time.time()
    examples = training_examples(Extractor(base.model_copy(update={"relation_rules": ()})), split.train)
    print(f"# {len(split.train)} train texts, {len(split.tune)} tune texts, {len(examples)} sentences "
          f"({time.time() - started:.0f} s)", flush=True)
    news_tune = [i for i, t in enumerate(split.tune) if t.source == "news"]
    scored = precision = None
    designs: dict[tuple[int, float], tuple[object, object, np.ndarray]] = {}
    print(f"{'setting':60} {'thr':>4}  {'all P/R/F1':>20}  {'news P/R/F1':>20}", flush=True)
    for values in itertools.product(*grid.values()):
        hyper = replace(Hyper(), **dict(zip(grid, values, strict=True)))
        t0 = time.time()
        k = (hyper.bits, hyper.bag_power)
        if k not in designs:
            fz = featurizer(hyper)
            d = design(fz, examples, source_weights={"news": 2.0})
            designs = {k: (fz, d, d.weight > 1.5)}  # keep one: they are big
        fz, d, is_news = designs[k]
        d.weight = np.where(is_news, hyper.news_weight, 1.0)
        w = fit(d, hyper, 1 << hyper.bits, fz.labels)
        model = PairClassifier(w, fz, meta={"hyper": asdict(hyper)})
        model.weights = model.weights.astype(np.float16).astype(np.float32)
        if scored is None:
            scored = read_texts(model, split.tune, base)
            precision = RulePrecision.from_tally(rule_tally(scored))
        else:
            for s in scored:
                s.rescore(model)
        cal = calibration(model, scored, precision)
        thr = next(iter(cal.thresholds.values()))
        c_all = counts(scored, union, precision, cal.platt, cal.thresholds)
        c_news = counts([scored[i] for i in news_tune], union, precision, cal.platt, cal.thresholds)
        a, n = c_all.prf(model.labels), c_news.prf(model.labels)
        setting = " ".join(f"{name}={v:g}" for name, v in zip(grid, values, strict=True)) or "defaults"
        print(f"{setting:60} {thr:4.2f}  {a[0]:.3f}/{a[1]:.3f}/{a[2]:.3f}  {n[0]:.3f}/{n[1]:.3f}/{n[2]:.3f}"
              f"  ({time.time() - t0:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
