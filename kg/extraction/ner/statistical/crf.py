"""BIOES tag sets over entity types, transition constraints, batched Viterbi, marginals and span
decoding (numpy).

A tag set is built for a model's own list of types (:class:`TagSet`), so a model trained on the
four types of the public corpora and one trained on all eight both decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from kg.extraction.ner.statistical.corpora import TYPES, Example, LabelMap

NEG = -1e4


@dataclass(frozen=True)
class TagSet:
    """O, then B I E S for each type, with the well-formed BIOES transitions.

    >>> tags = TagSet(("Person", "Place"))
    >>> tags.k, tags.tag("S", 1), tags.names()[:3]
    (9, 8, ['O', 'B-Person', 'I-Person'])
    """

    types: tuple[str, ...]

    @property
    def k(self) -> int:
        return 1 + 4 * len(self.types)

    def tag(self, pos: str, type_index: int) -> int:
        return 1 + 4 * type_index + "BIES".index(pos)

    def names(self) -> list[str]:
        return ["O"] + [f"{p}-{t}" for t in self.types for p in "BIES"]

    @cached_property
    def allowed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Boolean (K, K) transition matrix and (K,) start / end masks of well-formed BIOES sequences."""
        trans = np.zeros((self.k, self.k), bool)
        trans[np.ix_(self.closed, self.opening)] = True
        for t in range(len(self.types)):
            for a in (self.tag("B", t), self.tag("I", t)):
                trans[a, self.tag("I", t)] = True
                trans[a, self.tag("E", t)] = True
        start = np.zeros(self.k, bool)
        start[self.opening] = True
        end = np.zeros(self.k, bool)
        end[self.closed] = True
        return trans, start, end

    @cached_property
    def closed(self) -> np.ndarray:
        """Tags after which a new span may start: O, E-*, S-*."""
        return np.array([0] + [self.tag(p, t) for t in range(len(self.types)) for p in "ES"])

    @cached_property
    def opening(self) -> np.ndarray:
        """Tags that may follow a closed one: O, B-*, S-*."""
        return np.array([0] + [self.tag(p, t) for t in range(len(self.types)) for p in "BS"])

    @cached_property
    def inside_from(self) -> np.ndarray:
        """[n_types, 2]: B and I of each type (what may precede I or E)."""
        return np.array([[self.tag("B", t), self.tag("I", t)] for t in range(len(self.types))])

    @cached_property
    def inside_to(self) -> np.ndarray:
        """[n_types, 2]: I and E of each type."""
        return np.array([[self.tag("I", t), self.tag("E", t)] for t in range(len(self.types))])

    def span_bits(self, targets: tuple[str, ...], length: int) -> list[int]:
        """Allowed-tag bit masks for the positions of one span whose type is one of ``targets``."""
        out = []
        for i in range(length):
            pos = "S" if length == 1 else "B" if i == 0 else "E" if i == length - 1 else "I"
            out.append(sum(1 << self.tag(pos, self.types.index(t)) for t in targets))
        return out

    def type_bits(self, types: tuple[str, ...]) -> int:
        """Every tag (B I E S) of ``types``."""
        return sum(1 << self.tag(p, self.types.index(t)) for t in types for p in "BIES")


#: The tag set of the types kg's tagger is trained for.
TAGS = TagSet(TYPES)
K = TAGS.k


_BRACKETS = frozenset("《》〈〉<>()（）“”\"'「」『』【】[]")


def allowed_tags(ex: Example, labels: LabelMap, tags: TagSet = TAGS) -> np.ndarray:
    """Per character, a bit mask (uint64) of the tags the gold annotation allows (partial labels):
    an unlabelled character may be O or any type the corpus does not annotate; a labelled span is
    its type (or either of Company and Organization for a corpus that only says ORG)."""
    default = 1 | tags.type_bits(tuple(t for t in labels.unannotated if t in tags.types))
    bits = np.full(len(ex.text), default, np.uint64)
    for s, e, lab in ex.spans:
        target = labels.target(lab)
        while s < e and ex.text[s] in _BRACKETS:  # CLUENER's games: 《模拟人生3》 is the name 模拟人生3
            s += 1
        while e > s and ex.text[e - 1] in _BRACKETS:
            e -= 1
        if s == e:
            continue
        if target == "O" or (target not in ("ANY", "ORG") and target not in tags.types):
            bits[s:e] = default  # not a name, or a type this tag set does not have
        elif target == "ANY":
            bits[s:e] = (1 << tags.k) - 1
        else:
            types = ("Company", "Organization") if target == "ORG" else (target,)
            bits[s:e] = np.array(tags.span_bits(types, e - s), np.uint64)
    return bits


def viterbi(em: np.ndarray, lens: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray,
            tags: TagSet = TAGS) -> np.ndarray:
    """Best tag paths for a padded batch: ``em`` [B, T, K] float32, ``lens`` [B] -> tags [B, T] (int8).

    ``trans``/``start``/``end`` already contain the constraint penalties; only the allowed BIOES
    transitions are searched (closed tags -> opening tags, B/I -> I/E of the same type).
    """
    b, t_max, k = em.shape
    closed, opening, inside_from, inside_to = tags.closed, tags.opening, tags.inside_from, tags.inside_to
    t_closed = trans[np.ix_(closed, opening)].astype(np.float32)
    t_inside = trans[inside_from[:, :, None], inside_to[:, None, :]].astype(np.float32)  # [types, 2 (from), 2 (to)]
    g_flat = inside_to.ravel()
    score = start[None, :] + em[:, 0]
    bp = np.empty((t_max, b, k), np.int8)
    eye = np.arange(k, dtype=np.int8)
    new = np.empty((b, k), np.float32)
    bpt = np.empty((b, k), np.int8)
    for t in range(1, t_max):
        cand = score[:, closed][:, :, None] + t_closed[None]
        a1 = cand.argmax(1)
        new[:, opening] = np.take_along_axis(cand, a1[:, None, :], 1)[:, 0]
        bpt[:, opening] = closed[a1]
        cand2 = score[:, inside_from][:, :, :, None] + t_inside[None]  # [B, types, 2, 2]
        a2 = (cand2[:, :, 1] > cand2[:, :, 0])  # [B, types, 2] -> from index
        new[:, g_flat] = np.where(a2, cand2[:, :, 1], cand2[:, :, 0]).reshape(b, -1)
        bpt[:, g_flat] = np.where(a2, inside_from[:, 1][None, :, None], inside_from[:, 0][None, :, None]).reshape(b, -1)
        nxt = new + em[:, t]
        active = lens > t
        if active.all():
            score = nxt
            bp[t] = bpt
        else:
            score = np.where(active[:, None], nxt, score)
            bp[t] = np.where(active[:, None], bpt, eye[None])
    score = score + end[None, :]
    out = np.empty((b, t_max), np.int8)
    cur = score.argmax(axis=1).astype(np.intp)
    rows = np.arange(b)
    for t in range(t_max - 1, -1, -1):
        out[:, t] = cur
        if t > 0:
            cur = bp[t, rows, cur].astype(np.intp)
    return out


def spans_from_tags(tags: np.ndarray, offsets: np.ndarray, types: tuple[str, ...] = TYPES,
                    ) -> list[list[tuple[int, int, str]]]:
    """Concatenated well-formed BIOES tags of many sentences -> per-sentence (start, end, type) lists."""
    tags = tags.astype(np.int64)
    pos = (tags - 1) % 4  # 0 B, 1 I, 2 E, 3 S
    ent = tags > 0
    starts = np.nonzero(ent & ((pos == 0) | (pos == 3)))[0]
    ends = np.nonzero(ent & ((pos == 2) | (pos == 3)))[0] + 1
    n = len(offsets) - 1
    out: list[list[tuple[int, int, str]]] = [[] for _ in range(n)]
    if len(starts) == 0:
        return out
    if len(starts) != len(ends):  # cannot happen with constrained decoding; be safe
        ends = np.array([ends[np.searchsorted(ends, s, side="right")] for s in starts if s < ends[-1]])
        starts = starts[: len(ends)]
    type_ids = (tags[starts] - 1) // 4
    sent = np.searchsorted(offsets, starts, side="right") - 1
    base = offsets[sent]
    for s, e, ty, i, b0 in zip(starts.tolist(), ends.tolist(), type_ids.tolist(), sent.tolist(), base.tolist(),
                               strict=True):
        out[i].append((s - b0, e - b0, types[ty]))
    return out
