"""Fitting the pair classifier: a design matrix of every candidate pair, then L2 logistic regression
per label by L-BFGS. numpy only, and deterministic: zero start, full batch, fixed data order, sums in
a fixed order, so the same data gives the same weights (and the same model file, byte for byte).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from kg.extraction.relations.classifier.candidates import PairExample
from kg.extraction.relations.classifier.corpora import NEWS_LABELS
from kg.extraction.relations.classifier.features import Config, Featurizer, Signatures
from kg.extraction.relations.classifier.lexicon import TriggerLexicon, trigger_groups
from kg.extraction.relations.classifier.model import PairClassifier
from kg.schema import SIGNATURES

Log = Callable[[str], None]
_ORG = ("Company", "Organization")
#: ALIAS is no relation type: two names of one organisation.
ALIAS_SIGNATURE = (_ORG, _ORG)
#: What the classifier learns, in this order: every relation type, and ALIAS.
LABELS = NEWS_LABELS


def signatures() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """(head types, tail types) of each label: kg.schema's for the relation types."""
    by_name = {r.value: (tuple(sorted(h.value for h in heads)), tuple(sorted(t.value for t in tails)))
               for r, (heads, tails) in SIGNATURES.items()}
    return {label: by_name.get(label, ALIAS_SIGNATURE) for label in LABELS}


@dataclass(frozen=True)
class Hyper:
    """Hyper-parameters (chosen on the tuning part: docs/relations.md)."""

    l2: float = 1.0
    pos_weight: float = 4.0  # a true pair weighs this many false ones
    max_iter: int = 400
    bits: int = 18
    bag_power: float = 1.0
    news_weight: float = 4.0  # a pair of annotated news weighs this many of DuIE's or FinRE's


def featurizer(hyper: Hyper, sigs: Signatures | None = None) -> Featurizer:
    return Featurizer(Config(bits=hyper.bits, bag_power=hyper.bag_power), TriggerLexicon(trigger_groups()),
                      sigs or signatures(), LABELS)


# --- the design matrix -----------------------------------------------------------------------------


@dataclass
class Design:
    """Candidate pairs as sparse rows (pair, column, value entries), their targets and their mask."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    y: np.ndarray  # [N, K] 0/1
    mask: np.ndarray  # [N, K] 1 where the label is trained for the pair
    weight: np.ndarray  # [N] what the pair weighs (by its source)


def design(fz: Featurizer, examples: Sequence[PairExample], batch: int = 512,
           source_weights: dict[str, float] | None = None) -> Design:
    labels = fz.labels
    k_of = {lab: k for k, lab in enumerate(labels)}
    rows, cols, vals, ys, masks, weights = [], [], [], [], [], []
    offset = 0
    for first in range(0, len(examples), batch):
        chunk = examples[first:first + batch]
        f = fz.batch([(ex.text, ex.spans) for ex in chunk])
        n = len(f)
        if n == 0:
            continue
        r, c, v = f.coo(fz.config.bag_power)
        rows.append(r + offset)
        cols.append(c)
        vals.append(v)
        known = np.array([[lab in ex.known for lab in labels] for ex in chunk], dtype=bool)
        y = np.zeros((n, len(labels)), np.float64)
        mask = f.allowed & known[f.sentence]
        for i, (s, h, t) in enumerate(zip(f.sentence.tolist(), f.heads.tolist(), f.tails.tolist(), strict=True)):
            ex = chunk[s]
            for lab in ex.targets.get((h, t), ()):
                y[i, k_of[lab]] = 1.0
            for lab in ex.masked.get((h, t), ()):
                mask[i, k_of[lab]] = False
        ys.append(y)
        masks.append(mask)
        weights.append(np.array([(source_weights or {}).get(chunk[s].source, 1.0) for s in f.sentence.tolist()]))
        offset += n
    if not rows:
        raise ValueError("no candidate pairs: no sentence has two mentions whose types a label allows")
    return Design(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), np.concatenate(ys),
                  np.concatenate(masks), np.concatenate(weights))


class SparseRows:
    """A sparse matrix by its entries, with the two products L-BFGS needs, summed in a fixed order
    (``np.add.reduceat`` over entries sorted by row, and by column)."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray) -> None:
        by_row = np.lexsort((cols, rows))
        self.r_cols, self.r_vals = cols[by_row], vals[by_row]
        self.row_starts = np.flatnonzero(np.r_[True, np.diff(rows[by_row]) != 0])
        by_col = np.lexsort((rows, cols))
        self.c_rows, self.c_vals = rows[by_col], vals[by_col]
        self.col_starts = np.flatnonzero(np.r_[True, np.diff(cols[by_col]) != 0])

    def dot(self, w: np.ndarray) -> np.ndarray:
        return np.add.reduceat(self.r_vals * w[self.r_cols], self.row_starts)

    def tdot(self, g: np.ndarray) -> np.ndarray:
        return np.add.reduceat(self.c_vals * g[self.c_rows], self.col_starts)


# --- fitting -----------------------------------------------------------------------------------------


def fit(d: Design, hyper: Hyper, n_cols: int, labels: Sequence[str], log: Log | None = None) -> np.ndarray:
    """L2 logistic regression, one sigmoid per label, each fitted alone on the pairs where it is
    trained and the columns they use (the objective separates; unused columns stay 0, as L2 leaves
    them). Returns the weights [n_cols, K]."""
    w = np.zeros((n_cols, d.y.shape[1]), np.float32)
    for j, label in enumerate(labels):
        pairs = np.flatnonzero(d.mask[:, j])
        y = d.y[pairs, j]
        if len(pairs) == 0 or y.sum() == 0:
            if log:
                log(f"  {label}: nothing to learn from (no true pair): never proposed")
            continue
        keep = np.zeros(len(d.mask), bool)
        keep[pairs] = True
        entries = keep[d.rows]
        used, cols = np.unique(d.cols[entries], return_inverse=True)
        x = SparseRows(np.searchsorted(pairs, d.rows[entries]), cols, d.vals[entries])
        weight = np.where(y > 0, hyper.pos_weight, 1.0) * d.weight[pairs]

        def objective(wj: np.ndarray, x: SparseRows = x, y: np.ndarray = y,
                      weight: np.ndarray = weight) -> tuple[float, np.ndarray]:
            z = x.dot(wj)
            loss = np.sum(weight * (np.logaddexp(0.0, z) - y * z)) + 0.5 * hyper.l2 * _dot(wj, wj)
            g = weight * (0.5 * (1.0 + np.tanh(0.5 * z)) - y)
            return float(loss), x.tdot(g) + hyper.l2 * wj

        wj, loss, iterations = lbfgs(objective, np.zeros(len(used)), hyper.max_iter)
        w[used, j] = wj
        if log:
            log(f"  {label}: {len(pairs):,} pairs ({int(y.sum()):,} true), {len(used):,} columns, "
                f"{iterations} iterations, loss {loss:,.1f}")
    return w


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sum(a * b))  # pairwise summation: the same result whatever BLAS threads do


def lbfgs(f: Callable[[np.ndarray], tuple[float, np.ndarray]], x: np.ndarray, max_iter: int, memory: int = 10,
          tol: float = 1e-6) -> tuple[np.ndarray, float, int]:
    """Minimise ``f`` (value and gradient) from ``x``: L-BFGS (two-loop recursion, backtracking Armijo
    line search). Stops when the value has fallen by less than ``tol`` (relative) over 5 iterations.

    >>> x, value, _ = lbfgs(lambda v: (float(((v - 3) ** 2).sum()), 2 * (v - 3)), np.zeros(2), 50)
    >>> np.round(x, 4).tolist(), round(value, 8)
    ([3.0, 3.0], 0.0)
    """
    value, g = f(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    history = [value]
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        q = g.copy()
        alphas = []
        for s, y in zip(reversed(s_hist), reversed(y_hist), strict=True):
            a = _dot(s, q) / _dot(y, s)
            alphas.append(a)
            q -= a * y
        if s_hist:
            q *= _dot(s_hist[-1], y_hist[-1]) / _dot(y_hist[-1], y_hist[-1])
        else:
            q /= max(1.0, float(np.sqrt(_dot(g, g))))
        for (s, y), a in zip(zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True):
            q += (a - _dot(y, q) / _dot(y, s)) * s
        d = -q
        slope = _dot(g, d)
        if slope >= 0:  # not a descent direction: start again from the gradient
            s_hist.clear()
            y_hist.clear()
            d, slope = -g, -_dot(g, g)
        if slope == 0:
            break
        step = 1.0
        while True:
            x_new = x + step * d
            value_new, g_new = f(x_new)
            if value_new <= value + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s, y = x_new - x, g_new - g
        if _dot(s, y) > 1e-12:
            s_hist.append(s)
            y_hist.append(y)
            del s_hist[:-memory], y_hist[:-memory]
        x, value, g = x_new, value_new, g_new
        history.append(value)
        if len(history) > 5 and history[-6] - value <= tol * abs(history[-6]):
            break
    return x, float(value), iterations


def train(examples: Sequence[PairExample], hyper: Hyper, log: Log | None = None) -> PairClassifier:
    """A classifier fitted on ``examples`` (not yet calibrated: see :mod:`.tuning`)."""
    fz = featurizer(hyper)
    d = design(fz, examples, source_weights={"news": hyper.news_weight})
    if log:
        positives = dict(zip(fz.labels, (d.y * d.mask).sum(axis=0).astype(int).tolist(), strict=True))
        log(f"{len(d.y):,} candidate pairs, {len(d.rows):,} feature entries; true pairs per label: {positives}")
    w = fit(d, hyper, 1 << hyper.bits, fz.labels, log)
    return PairClassifier(w, fz, meta={"hyper": asdict(hyper)})
