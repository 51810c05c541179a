"""BIOES tag set over our four types, transition constraints, batched Viterbi and span decoding (numpy)."""

from __future__ import annotations

import numpy as np

from kg.ner.statistical.corpora import TYPES, Example, LabelMap

N_TYPES = len(TYPES)
K = 1 + 4 * N_TYPES  # O, then B I E S for each type
TAG_NAMES = ["O"] + [f"{p}-{t}" for t in TYPES for p in "BIES"]
NEG = -1e4


def tag(pos: str, type_index: int) -> int:
    return 1 + 4 * type_index + "BIES".index(pos)


def allowed_transitions() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Boolean (K, K) transition matrix and (K,) start / end masks of well-formed BIOES sequences."""
    trans = np.zeros((K, K), bool)
    closed = [0] + [tag(p, t) for t in range(N_TYPES) for p in "ES"]  # after these a new span may start
    opening = [0] + [tag(p, t) for t in range(N_TYPES) for p in "BS"]
    for a in closed:
        trans[a, opening] = True
    for t in range(N_TYPES):
        for a in (tag("B", t), tag("I", t)):
            trans[a, tag("I", t)] = True
            trans[a, tag("E", t)] = True
    start = np.zeros(K, bool)
    start[opening] = True
    end = np.zeros(K, bool)
    end[closed] = True
    return trans, start, end


ALLOWED_TRANS, ALLOWED_START, ALLOWED_END = allowed_transitions()


def _span_bits(target: str, length: int) -> list[int]:
    """Allowed-tag bit masks for the positions of one span whose target is ``target``."""
    if target == "O":
        return [1] * length
    if target == "ANY":
        return [(1 << K) - 1] * length
    types = [TYPES.index("Company"), TYPES.index("Organization")] if target == "ORG" else [TYPES.index(target)]
    out = []
    for i in range(length):
        pos = "S" if length == 1 else "B" if i == 0 else "E" if i == length - 1 else "I"
        out.append(sum(1 << tag(pos, t) for t in types))
    return out


def allowed_tags(ex: Example, labels: LabelMap) -> np.ndarray:
    """Per character, a bit mask (uint32) of the tags the gold annotation allows (partial labels)."""
    if labels.outside == "O":
        default = 1
    elif labels.outside == "ANY":
        default = (1 << K) - 1
    else:  # "O+Place": the corpus does not annotate places
        default = 1 | sum(1 << tag(p, TYPES.index("Place")) for p in "BIES")
    bits = np.full(len(ex.text), default, np.uint32)
    for s, e, lab in ex.spans:
        bits[s:e] = _span_bits(labels.target(lab), e - s)
    return bits


_C_IDX = np.array([0] + [tag(p, t) for t in range(N_TYPES) for p in "ES"])
_OP_IDX = np.array([0] + [tag(p, t) for t in range(N_TYPES) for p in "BS"])
_P_IDX = np.array([[tag("B", t), tag("I", t)] for t in range(N_TYPES)])
_G_IDX = np.array([[tag("I", t), tag("E", t)] for t in range(N_TYPES)])

def viterbi(em: np.ndarray, lens: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Best tag paths for a padded batch: ``em`` [B, T, K] float32, ``lens`` [B] -> tags [B, T] (int8).

    ``trans``/``start``/``end`` already contain the constraint penalties; only the allowed BIOES
    transitions are searched (closed tags -> opening tags, B/I -> I/E of the same type).
    """
    b, t_max, k = em.shape
    T_co = trans[np.ix_(_C_IDX, _OP_IDX)].astype(np.float32)
    T_in = trans[_P_IDX[:, :, None], _G_IDX[:, None, :]].astype(np.float32)  # [4,2(from),2(to)]
    g_flat = _G_IDX.ravel()
    score = start[None, :] + em[:, 0]
    bp = np.empty((t_max, b, k), np.int8)
    eye = np.arange(k, dtype=np.int8)
    new = np.empty((b, k), np.float32)
    bpt = np.empty((b, k), np.int8)
    for t in range(1, t_max):
        cand = score[:, _C_IDX][:, :, None] + T_co[None]
        a1 = cand.argmax(1)
        new[:, _OP_IDX] = np.take_along_axis(cand, a1[:, None, :], 1)[:, 0]
        bpt[:, _OP_IDX] = _C_IDX[a1]
        cand2 = score[:, _P_IDX][:, :, :, None] + T_in[None]  # [B,4,2,2]
        a2 = (cand2[:, :, 1] > cand2[:, :, 0])  # [B,4,2] -> from index
        new[:, g_flat] = np.where(a2, cand2[:, :, 1], cand2[:, :, 0]).reshape(b, -1)
        bpt[:, g_flat] = np.where(a2, _P_IDX[:, 1][None, :, None], _P_IDX[:, 0][None, :, None]).reshape(b, -1)
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


def spans_from_tags(tags: np.ndarray, offsets: np.ndarray) -> list[list[tuple[int, int, str]]]:
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
    types = (tags[starts] - 1) // 4
    sent = np.searchsorted(offsets, starts, side="right") - 1
    base = offsets[sent]
    for s, e, ty, i, b0 in zip(starts.tolist(), ends.tolist(), types.tolist(), sent.tolist(), base.tolist(),
                               strict=True):
        out[i].append((s - b0, e - b0, TYPES[ty]))
    return out
