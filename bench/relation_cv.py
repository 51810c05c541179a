"""Cross-validation of relation-classifier settings inside the TRAINING split of annotated news.

The training split's news articles (not the tuning fifth, not the development split) fall into K
folds by article. For each setting and fold: train on DuIE's and FinRE's training parts and the other
folds' news, calibrate and choose the pooled threshold on the tuning part (as ``kg train-relations``
does), and count the predictions on the fold's news sentences. The counts of the K folds add up to
one F1 per setting: about four times the facts of the tuning part's news. The development split is
never read.

    python -m bench.relation_cv [--folds K] --setting "l2=1 pos_weight=4" --setting "l2=3 pos_weight=2" ...
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from bench.relation_tune_grid import FIELDS
from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.extraction.relations.classifier.candidates import training_examples
from kg.extraction.relations.classifier.corpora import load_split
from kg.extraction.relations.classifier.model import PairClassifier
from kg.extraction.relations.classifier.scoring import Counts
from kg.extraction.relations.classifier.training import Design, Hyper, design, featurizer, fit
from kg.extraction.relations.classifier.tuning import (
    best_thresholds,
    calibration,
    counts,
    read_texts,
    rule_tally,
    union,
)
from kg.extraction.relations.confidence import RulePrecision


def concat(parts: list[Design]) -> Design:
    offsets = np.cumsum([0] + [len(d.y) for d in parts[:-1]])
    return Design(np.concatenate([d.rows + o for d, o in zip(parts, offsets, strict=True)]),
                  np.concatenate([d.cols for d in parts]), np.concatenate([d.vals for d in parts]),
                  np.concatenate([d.y for d in parts]), np.concatenate([d.mask for d in parts]),
                  np.concatenate([d.weight for d in parts]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--news", default="../shared/data/schema_news")
    ap.add_argument("--duie", default="../shared/data/duie_org_train_excerpt.jsonl")
    ap.add_argument("--finre", default="../shared/data/re")
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--setting", action="append", default=[], help="NAME=V ... (the others: Hyper's defaults)")
    args = ap.parse_args(argv)
    settings = [replace(Hyper(), **{n: FIELDS[n](v) for n, v in (kv.split("=", 1) for kv in s.split())})
                for s in args.setting or [""]]
    split = load_split(Path(args.duie), Path(args.finre), news=Path(args.news))
    base = ExtractorConfig()
    reader = Extractor(base.model_copy(update={"relation_rules": ()}))
    articles = sorted({t.where.rsplit(":", 1)[0] for t in split.train if t.source == "news"})
    fold_of = {a: i % args.folds for i, a in enumerate(articles)}
    other = [t for t in split.train if t.source != "news"]
    folds = [[t for t in split.train if t.source == "news" and fold_of[t.where.rsplit(":", 1)[0]] == k]
             for k in range(args.folds)]
    started = time.time()
    ex_other = training_examples(reader, other)
    ex_folds = [training_examples(reader, f) for f in folds]
    print(f"# {len(articles)} news articles in {args.folds} folds ({[len(f) for f in folds]} sentences), "
          f"{len(other)} other texts ({time.time() - started:.0f} s)", flush=True)
    scored_tune = scored_folds = None
    precision = None
    for hyper, text in zip(settings, args.setting or ["defaults"], strict=True):
        t0 = time.time()
        fz = featurizer(hyper)
        w_src = {"news": hyper.news_weight}
        d_other = design(fz, ex_other, source_weights=w_src)
        d_folds = [design(fz, e, source_weights=w_src) for e in ex_folds]
        total, total_news_thr = Counts(), Counts()
        tune_f1 = []
        for k in range(args.folds):
            d = concat([d_other] + [d_folds[j] for j in range(args.folds) if j != k])
            model = PairClassifier(fit(d, hyper, 1 << hyper.bits, fz.labels), fz, meta={"hyper": asdict(hyper)})
            model.weights = model.weights.astype(np.float16).astype(np.float32)
            if scored_tune is None:
                scored_tune = read_texts(model, split.tune, base)
                precision = RulePrecision.from_tally(rule_tally(scored_tune))
                scored_folds = [read_texts(model, f, base) for f in folds]
            else:
                for s in scored_tune:
                    s.rescore(model)
            assert scored_folds is not None and precision is not None
            for s in scored_folds[k]:
                s.rescore(model)
            cal = calibration(model, scored_tune, precision)
            tune_f1.append(counts(scored_tune, union, precision, cal.platt, cal.thresholds).prf(model.labels)[2])
            c = counts(scored_folds[k], union, precision, cal.platt, cal.thresholds)
            total.tp.update(c.tp)
            total.pred.update(c.pred)
            total.gold.update(c.gold)
            # the pooled threshold chosen on the tuning part's news alone (Platt still on all of it)
            news_tune = [s for s, t in zip(scored_tune, split.tune, strict=True) if t.source == "news"]
            thr = best_thresholds(news_tune, model.labels, union, precision, cal.platt)
            c = counts(scored_folds[k], union, precision, cal.platt, thr)
            total_news_thr.tp.update(c.tp)
            total_news_thr.pred.update(c.pred)
            total_news_thr.gold.update(c.gold)
        p, r, f = total.prf(fz.labels)
        print(f"{text:50} CV news P/R/F1 {p:.3f}/{r:.3f}/{f:.3f} (gold {sum(total.gold.values())}); "
              f"folds' models on the tuning part: F1 {np.mean(tune_f1):.3f} ({time.time() - t0:.0f} s)", flush=True)
        p, r, f = total_news_thr.prf(fz.labels)
        print(f"    threshold chosen on the tuning news alone: CV news P/R/F1 {p:.3f}/{r:.3f}/{f:.3f}", flush=True)
        per = " ".join(f"{lab}={total.prf([lab])[2]:.2f}" for lab in fz.labels if total.gold[lab])
        print(f"    per label F1: {per}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
