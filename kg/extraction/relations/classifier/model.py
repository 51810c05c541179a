"""The trained pair classifier: weights, calibration, thresholds; load, save, score. numpy only.

One sigmoid per label (L2 logistic regression over the hashed features of :mod:`.features`,
masked by the labels' type signatures), so labels may co-occur (董事长兼总裁: CHAIRMAN_OF and
CEO_OF) and NONE is no label above its threshold. Scores are calibrated per label (Platt:
``sigmoid(a * logit + b)``, fitted on the tuning data) so that a score reads as the precision of
what scores so; each label keeps the threshold chosen on the tuning data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kg.extraction.relations.classifier.features import Config, Features, Featurizer, MentionLike, Signatures
from kg.extraction.relations.classifier.lexicon import TriggerLexicon
from kg.modelfile import load_npz, save_npz

FORMAT = "kg-relations/1"
#: Labels whose direction carries no meaning (both orders are scored).
SYMMETRIC_LABELS = frozenset({"PARTNERS_WITH", "ALIAS"})
#: Candidate pairs (about) scored in one call: the feature matrices of more cost memory, not time.
PAIRS_PER_BATCH = 4096

#: (head index, tail index, label, calibrated probability) of one scored mention pair.
Scored = tuple[int, int, str, float]


@dataclass
class Calibration:
    """Per label: Platt's ``(a, b)`` and the threshold a score must reach to be proposed."""

    platt: dict[str, tuple[float, float]] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"platt": {k: list(v) for k, v in sorted(self.platt.items())},
                "thresholds": dict(sorted(self.thresholds.items()))}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        return cls({k: (float(a), float(b)) for k, (a, b) in data.get("platt", {}).items()},
                   {k: float(v) for k, v in data.get("thresholds", {}).items()})


class PairClassifier:
    """Scores the candidate mention pairs of sentences (see the package docstring)."""

    def __init__(self, weights: np.ndarray, featurizer: Featurizer, calibration: Calibration | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.featurizer = featurizer
        self.labels = featurizer.labels
        self.meta = dict(meta or {})
        self.calibrate(calibration or Calibration())

    def calibrate(self, calibration: Calibration) -> None:
        """Use ``calibration`` from now on (labels it does not name: raw sigmoid, threshold 0.5)."""
        self.calibration = calibration
        self._a = np.array([calibration.platt.get(lab, (1.0, 0.0))[0] for lab in self.labels], np.float32)
        self._b = np.array([calibration.platt.get(lab, (1.0, 0.0))[1] for lab in self.labels], np.float32)
        self._thresholds = np.array([calibration.thresholds.get(lab, 0.5) for lab in self.labels])

    # --- persistence -------------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> PairClassifier:
        """The model in ``path``; ``ValueError`` (or ``OSError``) for a file that holds none."""
        meta, arrays = load_npz(path)
        if meta.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model")
        config = Config(**meta["config"])
        signatures = {lab: (tuple(h), tuple(t)) for lab, (h, t) in meta["signatures"].items()}
        featurizer = Featurizer(config, TriggerLexicon(meta["lexicon"]), signatures, meta["labels"])
        weights = arrays["weights"]
        if weights.shape != (1 << config.bits, len(featurizer.labels)):
            raise ValueError(f"weights of shape {weights.shape} do not fit the model's configuration")
        return cls(weights, featurizer, Calibration.from_json(meta.get("calibration", {})), meta)

    def save(self, path: str | Path, signatures: Signatures) -> None:
        """Write the model (weights as float16) so that the same model gives the same bytes."""
        meta = {**self.meta, "format": FORMAT, "labels": list(self.labels),
                "config": self.featurizer.config.to_json(), "lexicon": self.featurizer.lexicon.groups,
                "signatures": {lab: [sorted(h), sorted(t)] for lab, (h, t) in sorted(signatures.items())},
                "calibration": self.calibration.to_json()}
        save_npz(path, meta, {"weights": self.weights.astype(np.float16)})

    # --- scoring -----------------------------------------------------------------------------------

    def logits(self, feats: Features) -> np.ndarray:
        """[P, K] raw scores; -inf for the labels the pair's types do not allow."""
        w = self.weights
        p, k = len(feats), w.shape[1]
        if p == 0:
            return np.zeros((0, k), dtype=np.float32)
        out = np.take(w, feats.fixed, axis=0).sum(axis=1)
        if len(feats.sparse_rows):
            flat = (feats.sparse_rows[:, None] * k + np.arange(k)[None, :]).ravel()
            out += np.bincount(flat, weights=np.take(w, feats.sparse_cols, axis=0).ravel(),
                               minlength=p * k).reshape(p, k)
        # bags: cumulative sums over the positions any pair's between-text covers
        lo, hi = int(feats.bag_lo.min()), int(feats.bag_hi.max())
        if hi > lo:
            cum = np.empty((2, 2, hi - lo + 1, k), dtype=np.float64)
            cum[:, :, 0] = 0.0
            np.cumsum(np.take(w, feats.bag_cols[:, :, lo:hi], axis=0), axis=2, out=cum[:, :, 1:])
            o, bags = feats.order[None, :], np.arange(2)[:, None]
            diff = cum[bags, o, feats.bag_hi - lo] - cum[bags, o, feats.bag_lo - lo]
            out += (diff * feats.bag_scale(self.featurizer.config.bag_power)[:, :, None]).sum(axis=0)
        return np.where(feats.allowed, out, -np.inf)

    def probabilities(self, feats: Features, calibrated: bool = True) -> np.ndarray:
        """[P, K] probabilities (0 where the types do not allow a label)."""
        z = self.logits(feats)
        if calibrated:
            z = z * self._a + self._b
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))

    def score_batch(self, sentences: Sequence[tuple[str, Sequence[MentionLike]]]) -> list[list[Scored]]:
        """For each sentence (text, mentions), every (head, tail, label, probability) whose calibrated
        probability reaches the label's threshold, best first. One call for a whole document is much
        cheaper than one per sentence: the cost is mostly per call, not per pair. Sentences are
        scored in slices of about :data:`PAIRS_PER_BATCH` candidate pairs, so a long run of sentences
        dense with names (a page without punctuation) keeps the memory of normal text."""
        out: list[list[Scored]] = []
        start = 0
        while start < len(sentences):
            end, pairs = start, 0
            while end < len(sentences) and (pairs < PAIRS_PER_BATCH or end == start):
                pairs += len(sentences[end][1]) ** 2
                end += 1
            out += self._score_slice(sentences[start:end])
            start = end
        return out

    def _score_slice(self, sentences: Sequence[tuple[str, Sequence[MentionLike]]]) -> list[list[Scored]]:
        feats = self.featurizer.batch(sentences)
        probs = self.probabilities(feats)
        out: list[list[Scored]] = [[] for _ in sentences]
        rows, cols = np.nonzero((probs >= self._thresholds) & feats.allowed)
        for i, k in zip(rows.tolist(), cols.tolist(), strict=True):
            out[feats.sentence[i]].append((int(feats.heads[i]), int(feats.tails[i]), self.labels[k],
                                           float(probs[i, k])))
        for scored in out:
            scored.sort(key=lambda x: (-x[3], x[0], x[1], x[2]))
        return out

    def score(self, text: str, mentions: Sequence[MentionLike]) -> list[Scored]:
        """:meth:`score_batch` of one sentence.

        ``mentions``: objects with ``start``, ``end`` (offsets into ``text``) and ``type`` (an
        EntityType or its value), such as kg's ``Span``. Overlapping mentions and two mentions of the
        same surface are never a pair; PARTNERS_WITH and ALIAS are scored in both orders."""
        return self.score_batch([(text, mentions)])[0]
