"""The hyper-parameters of the relation classifier, chosen on the TUNING part only (never the held-out one).

For each setting: train on the train part, calibrate and choose thresholds on the tuning part (as
``kg train-relations`` does), and report the F1 there (kg's mentions, annotated names forced in, as tuning reads them).

    python -m bench.relation_grid [--duie FILE] [--finre DIR]
"""

from __future__ import annotations

import argparse
import itertools
import sys

from bench.eval_duie import DEFAULT_DATA, resolve_data
from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.extraction.relations.classifier.candidates import training_examples
from kg.extraction.relations.classifier.corpora import DUIE_REPORTED, load_split
from kg.extraction.relations.classifier.training import Hyper, train
from kg.extraction.relations.classifier.tuning import calibration, counts, read_texts, rule_tally, union
from kg.extraction.relations.confidence import RulePrecision

DEFAULT_FINRE = "../shared/data/re"
GRID = {"l2": (3.0, 10.0, 30.0), "pos_weight": (1.0, 2.0, 4.0)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duie", default=DEFAULT_DATA)
    ap.add_argument("--finre", default=DEFAULT_FINRE)
    args = ap.parse_args(argv)
    split = load_split(resolve_data(args.duie), resolve_data(args.finre))
    examples = training_examples(Extractor(ExtractorConfig(relation_rules=())), split.train)
    scored = None
    print(f"{'l2':>5} {'pos_w':>5}  DuIE 3 labels P/R/F1   PARTNERS_WITH F1  SUBSIDIARY_OF F1  ALIAS R  CEO_OF F1")
    for l2, pos_weight in itertools.product(GRID["l2"], GRID["pos_weight"]):
        model = train(examples, Hyper(l2=l2, pos_weight=pos_weight))
        if scored is None:  # the rules and kg's reading of the texts do not depend on the model
            scored = read_texts(model, split.tune)
            precision = RulePrecision.from_tally(rule_tally(scored))
        else:
            for s in scored:
                s.rescore(model)
        cal = calibration(model, scored, precision)
        c = counts(scored, union, precision, cal.platt, cal.thresholds)
        p, r, f = c.prf(DUIE_REPORTED)
        print(f"{l2:5.0f} {pos_weight:5.0f}  {p:.3f} / {r:.3f} / {f:.3f}   {c.prf(['PARTNERS_WITH'])[2]:16.3f}  "
              f"{c.prf(['SUBSIDIARY_OF'])[2]:16.3f}  {c.prf(['ALIAS'])[1]:7.3f}  {c.prf(['CEO_OF'])[2]:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
