"""The whole of ``kg train-relations``: data -> candidates -> fit -> tune -> a calibrated model.

1. DuIE and FinRE are read and split (:func:`.corpora.load_split`); the held-out part is not read.
2. The training texts become candidate pairs among kg's own mentions, annotated names forced in
   (:mod:`.candidates`), and the classifier is fitted on them (:mod:`.training`).
3. The tuning texts are read the same way (kg's mentions, annotated names forced in); there, per
   label, Platt's calibration of the classifier, the precision of each rule's confidences, and the
   thresholds with the best F1 of the rules and the classifier together are measured (:mod:`.tuning`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.extraction.relations.classifier.candidates import training_examples
from kg.extraction.relations.classifier.corpora import DataError, Split, load_split
from kg.extraction.relations.classifier.model import PairClassifier
from kg.extraction.relations.classifier.training import Hyper, Log, train
from kg.extraction.relations.classifier.tuning import calibration, read_texts, rule_tally
from kg.extraction.relations.confidence import RulePrecision


@dataclass
class Trained:
    model: PairClassifier
    split: Split
    pairs: int  # training sentences


def train_model(duie: Path | None, finre: Path | None, hyper: Hyper | None = None,
                config: ExtractorConfig | None = None, log: Log | None = None,
                news: Path | None = None, news_topics: Callable[[str], bool] | None = None) -> Trained:
    """A calibrated model from the DuIE file, the FinRE folder and/or annotated news (``DataError``
    for bad data). ``config``: how kg reads the texts (default: the default extractor)."""
    if duie is None and finre is None and news is None:
        raise DataError("no training data: give --news DIR, --duie FILE and/or --finre DIR")
    hyper = hyper or Hyper()
    split = load_split(duie, finre, news=news, news_topics=news_topics)
    if not split.train or not split.tune:
        raise DataError("too little data: need texts both to train on and to tune on")
    base = config or ExtractorConfig()
    reader = Extractor(base.model_copy(update={"relation_rules": ()}))
    if log:
        log(f"{len(split.train):,} texts to train on, {len(split.tune):,} to tune on (the held-out part is not read)")
    examples = training_examples(reader, split.train)
    model = train(examples, hyper, log)
    model.weights = model.weights.astype(np.float16).astype(np.float32)  # what the file will hold
    scored = read_texts(model, split.tune, base)
    precision = RulePrecision.from_tally(rule_tally(scored))
    model.calibrate(calibration(model, scored, precision))
    model.meta.update(rule_precision=precision.to_json(), trained_on=_description(duie, finre, news, split))
    if log:
        log(f"calibration (Platt a, b): {model.calibration.platt}")
        log(f"thresholds: {model.calibration.thresholds}")
    return Trained(model, split, len(examples))


def _description(duie: Path | None, finre: Path | None, news: Path | None, split: Split) -> dict[str, object]:
    """What the model was trained and tuned on (file names and counts: the same data, the same bytes)."""
    return {"duie": duie.name if duie else None, "finre": finre.name if finre else None,
            "news": news.name if news else None, "train_texts": len(split.train), "tune_texts": len(split.tune),
            "split": "annotated news: its training split, every 5th article tuning, the development split held "
                     "out; DuIE: first 65 % train, next 15 % tune, last 20 % held out (file order); "
                     "FinRE: first 90 % of train's sentences train, its last 10 % tune, valid held out"}
