"""Features of the candidate mention pairs of sentences, computed for a whole batch at once.

Every ordered pair of mentions of one sentence whose types some label allows is a candidate. Its
features are hashed into ``2**bits`` columns, each conjoined with the order (head first or tail
first):

* the between-text: its whole string when short, its first/last 1-3 characters, its bags of
  character unigrams and bigrams (each item weighing 1/n: an enumeration of three titles is not
  three times a title); 1-3 characters left of the first and right of the second mention;
* the same between-text with trigger words replaced by their group ("中国铁建董事长、党委书记孟凤朝"
  reads <CHAIRMAN>、党委<TITLE>), whole and first/last symbols;
* trigger hits (:mod:`.lexicon`; a hit inside a mention does not count) between the mentions, next
  to either, in windows outside them, anywhere in the sentence;
* distance in characters and in mentions, mentions of the head's/tail's type in between, clause
  breaks, parentheses, the two types, name endings, lengths and shared prefixes/suffixes, and
  whether a mention is the sentence's first (of its type): a profile names its subject first.

Features are positions in the text, so the features of all pairs of many sentences come from a few
numpy calls (substring hashes from one polynomial prefix hash, bags from cumulative sums): a
document costs about as many numpy calls as one sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from kg.extraction.relations.classifier.lexicon import TriggerLexicon, feature_text
from kg.schema import EntityType

#: Entity types by id, in the schema's order (an unknown type gets the id after the last). A trained
#: model's weights follow these ids: a new type goes at the end of kg.schema.EntityType.
TYPES: tuple[str, ...] = tuple(t.value for t in EntityType)

_M64 = (1 << 64) - 1
_P = 0x100000001B3  # FNV prime: odd, so invertible mod 2**64
_PINV = pow(_P, -1, 1 << 64)
_LEN = np.uint64(0x9E3779B97F4A7C15)
_SEP = 0x110000  # above every code point: separates sentences in a batch
_LEN2 = np.uint64((2 * 0x9E3779B97F4A7C15) & _M64)
_LONG = np.uint64(0x7F4A7C159E3779B9)
U = np.uint64

BREAKS = ",;。!?:"
STOPS = "。;!?"
DIST_EDGES = np.array([1, 2, 3, 4, 6, 9, 13, 21, 31, 51, 81])
LEN_EDGES = np.array([2, 3, 4, 5, 7, 10, 15])


class MentionLike(Protocol):
    """What the features read from a mention: offsets into its sentence and a type (kg's Span)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def type(self) -> Any: ...  # an EntityType or its string value


def _powers(base: int, n: int) -> np.ndarray:
    """base**i mod 2**64 for i < n (numpy's unsigned products wrap around)."""
    out = np.full(n, base, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out, dtype=np.uint64)


_PPOW = _powers(_P, 1 << 14)
_PINVPOW = _powers(_PINV, 1 << 14)


def _grow(n: int) -> None:
    global _PPOW, _PINVPOW
    if n > len(_PPOW):
        size = 1 << (n - 1).bit_length()
        _PPOW, _PINVPOW = _powers(_P, size), _powers(_PINV, size)


def _mix(values: np.ndarray, family: np.ndarray | int, bits: int) -> np.ndarray:
    """Hash (value, family) to a column in [0, 2**bits): splitmix64's finaliser."""
    x = values ^ (np.asarray(family, dtype=np.uint64) * U(0xD6E8FEB86659FD93))
    x = (x ^ (x >> U(30))) * U(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> U(27))) * U(0x94D049BB133111EB)
    x = x ^ (x >> U(31))
    return (x >> U(64 - bits)).astype(np.int64)


def _char_classes() -> np.ndarray:
    """Per code point: [clause break, sentence stop, +1 open / -1 close parenthesis]."""
    t = np.zeros((_SEP + 1, 3), dtype=np.int8)
    for c in BREAKS:
        t[ord(c), 0] = 1
    for c in STOPS:
        t[ord(c), 1] = 1
    t[ord("("), 2] = 1
    t[ord(")"), 2] = -1
    t[_SEP, 1] = 1
    return t


_CLASSES: np.ndarray | None = None


# --- feature families ------------------------------------------------------------------------------

# Substring features: (name, lo base, lo add, lo floor base, hi base, hi add, hi ceiling base); the
# bases are rows of the position matrix built in Featurizer.batch (see _BASES).
_BASES = ("zero", "sent_lo", "sent_hi", "a", "b", "fs", "se", "hs", "he", "ts", "te", "hs_m", "ts_m", "he_m",
          "te_m", "A", "B", "Afs", "Ase", "abs_lo", "abs_hi")
_B = {name: i for i, name in enumerate(_BASES)}
_SUBSTRINGS = (
    ("between", "a", 0, "a", "b", 0, "b"),
    ("pre1", "a", 0, "a", "a", 1, "b"), ("pre2", "a", 0, "a", "a", 2, "b"), ("pre3", "a", 0, "a", "a", 3, "b"),
    ("suf1", "b", -1, "a", "b", 0, "b"), ("suf2", "b", -2, "a", "b", 0, "b"), ("suf3", "b", -3, "a", "b", 0, "b"),
    ("left1", "fs", -1, "sent_lo", "fs", 0, "fs"), ("left2", "fs", -2, "sent_lo", "fs", 0, "fs"),
    ("left3", "fs", -3, "sent_lo", "fs", 0, "fs"),
    ("right1", "se", 0, "se", "se", 1, "sent_hi"), ("right2", "se", 0, "se", "se", 2, "sent_hi"),
    ("right3", "se", 0, "se", "se", 3, "sent_hi"),
    ("head_end1", "he", -1, "hs", "he", 0, "he"), ("head_end2", "he", -2, "hs", "he", 0, "he"),
    ("tail_end1", "te", -1, "ts", "te", 0, "te"), ("tail_end2", "te", -2, "ts", "te", 0, "te"),
    ("abs_between", "A", 0, "A", "B", 0, "B"),
    ("abs_pre1", "A", 0, "A", "A", 1, "B"), ("abs_pre2", "A", 0, "A", "A", 2, "B"),
    ("abs_suf1", "B", -1, "A", "B", 0, "B"), ("abs_suf2", "B", -2, "A", "B", 0, "B"),
    ("abs_left2", "Afs", -2, "abs_lo", "Afs", 0, "Afs"), ("abs_right2", "Ase", 0, "Ase", "Ase", 2, "abs_hi"),
    # compared with each other, not features themselves
    ("_hp1", "hs", 0, "hs", "hs", 1, "he"), ("_hp2", "hs", 0, "hs", "hs", 2, "he"),
    ("_hp3", "hs", 0, "hs", "hs", 3, "he"),
    ("_tp1", "ts", 0, "ts", "ts", 1, "te"), ("_tp2", "ts", 0, "ts", "ts", 2, "te"),
    ("_tp3", "ts", 0, "ts", "ts", 3, "te"),
    ("_hpre", "hs", 0, "hs", "hs_m", 0, "he"), ("_tpre", "ts", 0, "ts", "ts_m", 0, "te"),
    ("_hsuf", "he_m", 0, "he_m", "he", 0, "he"), ("_tsuf", "te_m", 0, "te_m", "te", 0, "te"),
)
_N_FEATURE_SUBSTRINGS = sum(1 for s in _SUBSTRINGS if not s[0].startswith("_"))
_SUB_INDEX = {s[0]: i for i, s in enumerate(_SUBSTRINGS)}
_SUB_TABLE = np.array([[_B[s[1]], s[2], _B[s[3]], _B[s[4]], s[5], _B[s[6]]] for s in _SUBSTRINGS], dtype=np.int64)
_VALUES = ("bias", "dist", "nbetween", "headtype_between", "tailtype_between", "breaks", "stops", "parens",
           "head_len", "tail_len", "shared_prefix", "is_prefix", "dist_breaks", "nbetween_sametype", "dist_types",
           "pre1_suf1", "left1_right1", "subject", "abs_suf1_flags", "abs_pre1_flags")
_FIXED = tuple(s[0] for s in _SUBSTRINGS[:_N_FEATURE_SUBSTRINGS]) + _VALUES
_BAGS = ("bag1", "bag2")
_TRIGGER_PLACES = ("t_between", "t_near_first", "t_near_second", "t_left", "t_right", "t_adjacent_first",
                   "t_adjacent_second", "t_sentence", "t_between_count")
_T_SENTENCE = _TRIGGER_PLACES.index("t_sentence")
_T_COUNT = _TRIGGER_PLACES.index("t_between_count")
FAMILY = {name: i for i, name in enumerate(_FIXED + _BAGS + _TRIGGER_PLACES)}
_FIXED_FAMILIES = np.array([FAMILY[f] for f in _FIXED], dtype=np.uint64) * U(2)


@dataclass(frozen=True)
class Config:
    bits: int = 18
    max_between: int = 8  # the whole between-string is a feature up to this length
    max_abstract: int = 10  # the whole abstracted between-string up to this length
    near: int = 6  # "trigger next to a mention" window inside the between-text
    window: int = 10  # trigger windows outside the pair
    bag_power: float = 1.0  # a bag of n items has each item weigh n ** -bag_power

    def to_json(self) -> dict[str, float]:
        return dict(self.__dict__)


@dataclass
class Features:
    """The candidate pairs of a batch of sentences and their features.

    ``fixed`` [P, F] columns of one-valued features; bags: ``bag_cols`` [2 bags, 2 orders, L] the
    column of each batch position, ``bag_lo``/``bag_hi`` [2, P] each pair's position range;
    ``sparse_rows``/``sparse_cols``: trigger features as (pair, column) entries.
    """

    sentence: np.ndarray  # [P] index of the pair's sentence in the batch
    heads: np.ndarray  # [P] mention index within its sentence
    tails: np.ndarray
    allowed: np.ndarray  # [P, K] bool
    order: np.ndarray  # [P] 1 where the tail comes first
    fixed: np.ndarray
    bag_cols: np.ndarray
    bag_lo: np.ndarray
    bag_hi: np.ndarray
    sparse_rows: np.ndarray
    sparse_cols: np.ndarray

    def __len__(self) -> int:
        return len(self.heads)

    def bag_scale(self, power: float) -> np.ndarray:
        """[2, P] the weight of each bag item: n ** -power for a bag of n items."""
        return np.maximum(self.bag_hi - self.bag_lo, 1).astype(np.float64) ** -power

    def coo(self, bag_power: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (pair, column, value) entry, for training; a column may repeat within a pair (values add)."""
        p = len(self)
        rows = [np.repeat(np.arange(p), self.fixed.shape[1]), self.sparse_rows]
        cols = [self.fixed.ravel(), self.sparse_cols]
        vals = [np.ones(len(rows[0]) + len(rows[1]))]
        scale = self.bag_scale(bag_power)
        for k in range(self.bag_cols.shape[0]):
            n = np.maximum(self.bag_hi[k] - self.bag_lo[k], 0)
            total = int(n.sum())
            if total == 0:
                continue
            r = np.repeat(np.arange(p), n)
            first = np.repeat(self.bag_lo[k] - np.concatenate([[0], np.cumsum(n)[:-1]]), n)
            rows.append(r)
            cols.append(self.bag_cols[k, self.order[r], first + np.arange(total)])
            vals.append(scale[k, r])
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)


Signatures = Mapping[str, tuple[Sequence[str], Sequence[str]]]


class Featurizer:
    """The features of candidate pairs, as ``config`` says, for ``labels`` with their type
    ``signatures`` ((head types, tail types) per label, by type name)."""

    def __init__(self, config: Config, lexicon: TriggerLexicon, signatures: Signatures, labels: Sequence[str]):
        self.config = config
        self.lexicon = lexicon
        self.labels = tuple(labels)
        n = len(TYPES) + 1  # the last row: a type the model does not know
        self.type_ids = {t: i for i, t in enumerate(TYPES)}
        self.allowed = np.zeros((n, n, len(self.labels)), dtype=bool)
        for k, label in enumerate(self.labels):
            heads, tails = signatures[label]
            for h in heads:
                for t in tails:
                    self.allowed[self.type_ids[h], self.type_ids[t], k] = True
        self.any_allowed: np.ndarray = np.asarray(self.allowed.any(axis=2))

    def type_id(self, t: Any) -> int:
        return self.type_ids.get(getattr(t, "value", t), len(TYPES))

    def batch(self, sentences: Sequence[tuple[str, Sequence[MentionLike]]]) -> Features:
        """Features of every candidate pair of every sentence, computed in one pass."""
        global _CLASSES
        if _CLASSES is None:
            _CLASSES = _char_classes()
        cfg = self.config
        bits = cfg.bits
        k_labels = len(self.labels)

        # --- the batch as one text: sentences joined by a separator (one normalisation, one regex pass)
        n_s = len(sentences)
        lens = np.array([len(text) for text, _ in sentences], dtype=np.int64)
        sent_lo = np.concatenate([[0], np.cumsum(lens + 1)[:-1]]).astype(np.int64)
        sent_hi = sent_lo + lens
        joined = feature_text("\ue000".join(text for text, _ in sentences) + "\ue000")
        n_all = len(joined)
        raw = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4").astype(np.int64)
        raw[sent_hi] = _SEP

        # --- mentions
        type_of = self.type_id
        s_l, e_l, t_l, c_l = [], [], [], []
        for _, mentions in sentences:
            for m in mentions:
                s_l.append(m.start)
                e_l.append(m.end)
                t_l.append(type_of(m.type))
            c_l.append(len(mentions))
        m_counts = np.array(c_l, dtype=np.int64)
        msent = np.repeat(np.arange(n_s), m_counts)
        ms_local, me_local = np.array(s_l, np.int64), np.array(e_l, np.int64)
        bad = (ms_local < 0) | (me_local <= ms_local) | (me_local > lens[msent])
        if bad.any():
            i = int(np.nonzero(bad)[0][0])
            raise ValueError(f"mention offsets ({s_l[i]}, {e_l[i]}) outside the sentence of "
                             f"{lens[msent[i]]} characters or empty")
        ms_a, me_a = ms_local + sent_lo[msent], me_local + sent_lo[msent]
        mt_a = np.array(t_l, np.int64)
        n_m = len(ms_a)

        # --- trigger hits that do not overlap a mention; the abstracted text (hits -> group symbols)
        cover = np.zeros(n_all + 1, dtype=np.int64)
        np.add.at(cover, ms_a, 1)
        np.add.at(cover, me_a, -1)
        covered = np.concatenate([[0], np.cumsum(np.cumsum(cover)[:-1] > 0)])
        found = self.lexicon.find(joined)
        if found:
            f_s = np.array([x[0] for x in found], np.int64)
            f_e = np.array([x[1] for x in found], np.int64)
            free = covered[f_e] - covered[f_s] == 0
            kept = [x for x, ok in zip(found, free.tolist(), strict=True) if ok]
            f_s, f_e = f_s[free], f_e[free]
        else:
            kept = []
        keep = np.ones(n_all, dtype=bool)
        shrink = np.zeros(n_all + 1, dtype=np.int64)
        sym_cp = raw
        if kept:
            drop = f_e - f_s - 1
            keep[np.repeat(f_s + 1 - np.concatenate([[0], np.cumsum(drop)[:-1]]), drop) + np.arange(drop.sum())] = False
            shrink[f_e] = drop
            sym_cp = raw.copy()
            sym_cp[f_s] = [x[2] for x in kept]
            n_groups = np.array([len(x[3]) for x in kept], np.int64)
            hit_s, hit_e = np.repeat(f_s, n_groups), np.repeat(f_e, n_groups)
            hit_g = np.array([g for x in kept for g in x[3]], dtype=np.uint64)
        else:
            hit_s = hit_e = np.zeros(0, np.int64)
            hit_g = np.zeros(0, np.uint64)
        gmap = n_all + np.arange(n_all + 1) - np.cumsum(shrink)  # position -> position in the abstracted text
        cp = np.concatenate([raw, sym_cp[keep]])
        total = len(cp)
        _grow(total + 1)
        prefix = np.zeros(total + 1, dtype=np.uint64)
        np.cumsum(cp.astype(np.uint64) * _PPOW[:total], out=prefix[1:])
        m_hash = (prefix[me_a] - prefix[ms_a]) * _PINVPOW[ms_a]

        # --- candidate pairs: ordered, same sentence, allowed types, not overlapping, not the same surface
        first_m = np.concatenate([[0], np.cumsum(m_counts)[:-1]]).astype(np.int64)
        k2 = m_counts * m_counts
        pair_s = np.repeat(np.arange(n_s), k2)
        local = np.arange(int(k2.sum())) - np.repeat(np.cumsum(k2) - k2, k2)
        kk = m_counts[pair_s]
        h = first_m[pair_s] + local // np.maximum(kk, 1)
        t = first_m[pair_s] + local % np.maximum(kk, 1)
        ok = (h != t) & self.any_allowed[mt_a[h], mt_a[t]] & ((me_a[h] <= ms_a[t]) | (me_a[t] <= ms_a[h])) \
            & (m_hash[h] != m_hash[t])
        h, t, psent = h[ok], t[ok], pair_s[ok]
        p = len(h)
        if p == 0:
            z = np.zeros(0, dtype=np.int64)
            return Features(z, z, z, np.zeros((0, k_labels), dtype=bool), z, np.zeros((0, len(_FIXED)), np.int64),
                            np.zeros((2, 2, 0), np.int64), np.zeros((2, 0), np.int64), np.zeros((2, 0), np.int64), z, z)

        # the sentence's first mention, and the first of its type: a profile names its subject first
        idx = np.arange(n_m)
        by_start = np.lexsort((idx, ms_a, msent))
        first_flags = np.zeros(n_m, np.int64)
        first_flags[by_start[np.r_[True, msent[by_start][1:] != msent[by_start][:-1]]]] = 2
        by_type = np.lexsort((idx, ms_a, mt_a, msent))
        st = msent[by_type] * 64 + mt_a[by_type]
        first_flags[by_type[np.r_[True, st[1:] != st[:-1]]]] += 1
        abs_lo, abs_hi = gmap[sent_lo], gmap[sent_hi]
        pair_base = first_m[psent]
        hs, he, ts, te = ms_a[h], me_a[h], ms_a[t], me_a[t]
        order = (ts < hs).astype(np.int64)
        fs, fe = np.where(order == 1, ts, hs), np.where(order == 1, te, he)
        ss, se = np.where(order == 1, hs, ts), np.where(order == 1, he, te)
        a, b = fe, ss
        lh, lt = he - hs, te - ts
        m = np.minimum(lh, lt)
        # positions in the abstracted text (offset within its sentence's map)
        lo_s = np.array(sent_lo, np.int64)[psent]
        A, B, Afs, Ase = gmap[a], gmap[b], gmap[fs], gmap[se]
        zero = np.zeros(p, np.int64)
        X = np.stack([zero, lo_s, np.array(sent_hi, np.int64)[psent], a, b, fs, se, hs, he, ts, te, hs + m, ts + m,
                      he - m, te - m, A, B, Afs, Ase, np.array(abs_lo, np.int64)[psent],
                      np.array(abs_hi, np.int64)[psent]])
        tab = _SUB_TABLE
        lo = np.maximum(X[tab[:, 0]] + tab[:, 1:2], X[tab[:, 2]])
        hi = np.minimum(X[tab[:, 3]] + tab[:, 4:5], X[tab[:, 5]])
        lo = np.minimum(lo, hi)
        H = (prefix[hi] - prefix[lo]) * _PINVPOW[lo] + (hi - lo).astype(np.uint64) * _LEN

        # --- counts and small values
        gap = b - a
        between_lo = np.searchsorted(np.sort(ms_a), np.stack([a, b]))
        nb = between_lo[1] - between_lo[0]
        inrange = (ms_a[:, None] >= a[None, :]) & (ms_a[:, None] < b[None, :])
        ht, tt = mt_a[h], mt_a[t]
        head_between = ((mt_a[:, None] == ht[None, :]) & inrange).sum(0)
        tail_between = ((mt_a[:, None] == tt[None, :]) & inrange).sum(0)
        cls = np.zeros((len(raw) + 1, 3), dtype=np.int64)
        np.cumsum(_CLASSES[raw], axis=0, out=cls[1:])
        counts = cls[b] - cls[a]
        breaks, stops = counts[:, 0], counts[:, 1]
        parens = (cls[fs, 2] - cls[lo_s, 2] > 0).astype(np.int64) * 2 + (cls[ss, 2] > cls[fe, 2])
        dist = np.searchsorted(DIST_EDGES, gap, side="right")
        tp = ht * 16 + tt
        shared = ((H[_SUB_INDEX["_hp1"]:_SUB_INDEX["_hp1"] + 3] == H[_SUB_INDEX["_tp1"]:_SUB_INDEX["_tp1"] + 3])
                  & (m[None, :] >= np.arange(1, 4)[:, None])).sum(0)
        is_prefix = (H[_SUB_INDEX["_hpre"]] == H[_SUB_INDEX["_tpre"]]).astype(np.int64) * 2 + \
            (H[_SUB_INDEX["_hsuf"]] == H[_SUB_INDEX["_tsuf"]])
        n_sub = _N_FEATURE_SUBSTRINGS
        Hf = H[:n_sub].copy()
        Hf[_SUB_INDEX["between"]] = np.where(gap <= cfg.max_between, Hf[0], _LONG + dist.astype(np.uint64))
        ab = _SUB_INDEX["abs_between"]
        Hf[ab] = np.where(cfg.max_abstract >= B - A, Hf[ab], _LONG + dist.astype(np.uint64))
        nb5, br3 = np.minimum(nb, 5), np.minimum(breaks, 3)
        small = np.stack([
            tp, dist, nb5, np.minimum(head_between, 3), np.minimum(tail_between, 3), br3, np.minimum(stops, 2),
            parens, np.searchsorted(LEN_EDGES, lh, side="right") * 256 + tp,
            np.searchsorted(LEN_EDGES, lt, side="right") * 256 + tp, shared * 256 + tp, is_prefix * 256 + tp,
            dist * 8 + br3, nb5 * 8 + np.minimum(head_between + tail_between, 3), dist * 256 + tp, zero, zero,
            first_flags[h] * 4 + first_flags[t], zero, zero,
        ]).astype(np.uint64)
        values = np.concatenate([Hf, small])
        flags = U(1) + (head_between > 0).astype(np.uint64) * U(2) + (tail_between > 0).astype(np.uint64)
        values[-2] = Hf[_SUB_INDEX["abs_suf1"]] * U(13) + flags
        values[-1] = Hf[_SUB_INDEX["abs_pre1"]] * U(13) + flags
        values[-3] = values[-3] * U(256) + tp.astype(np.uint64)
        values[-5] = Hf[_SUB_INDEX["pre1"]] * U(31) + Hf[_SUB_INDEX["suf1"]]
        values[-4] = Hf[_SUB_INDEX["left1"]] * U(31) + Hf[_SUB_INDEX["right1"]]
        fixed = _mix(values.T, _FIXED_FAMILIES[None, :] + order[:, None].astype(np.uint64), bits)

        # --- bags of between characters and bigrams: a column per batch position, per order
        n_raw = len(raw)
        pos = np.arange(n_raw)
        p2 = np.minimum(pos + 2, total)
        hb = np.stack([(prefix[pos + 1] - prefix[pos]) * _PINVPOW[pos] + _LEN,
                       (prefix[p2] - prefix[pos]) * _PINVPOW[pos] + _LEN2])
        fam = np.array([[FAMILY["bag1"] * 2, FAMILY["bag1"] * 2 + 1], [FAMILY["bag2"] * 2, FAMILY["bag2"] * 2 + 1]],
                       dtype=np.uint64)
        bag_cols = _mix(hb[:, None, :], fam[:, :, None], bits)
        bag_lo = np.stack([a, a])
        bag_hi = np.stack([b, np.maximum(b - 1, a)])

        # --- trigger hits by place
        rows, cols = [], []
        if len(hit_s):
            es, ee, eg = hit_s, hit_e, hit_g  # sorted: hits do not overlap
            near, win = cfg.near, cfg.window
            sent_hi_p = X[_B["sent_hi"]]
            # per place, the hits inside [lo, hi) are the index range [first start >= lo, last end <= hi]
            first = np.searchsorted(es, np.stack([a, a, np.maximum(b - near, a), np.maximum(fs - win, lo_s), se, a,
                                                  b, lo_s, a]), side="left")
            last = np.searchsorted(ee, np.stack([b, np.minimum(a + near, b), b, fs, np.minimum(se + win, sent_hi_p),
                                                 a, b, sent_hi_p, b]), side="right")
            first[5] = np.searchsorted(es, a, side="left")  # starts right after the first mention
            last[5] = np.searchsorted(es, a, side="right")
            first[6] = np.searchsorted(ee, b, side="left")  # ends right before the second mention
            last[6] = np.searchsorted(ee, b, side="right")
            n_in = np.maximum(last - first, 0).ravel()
            if n_in.sum():
                cell = np.repeat(np.arange(n_in.size), n_in)
                ev = np.repeat(first.ravel() - np.concatenate([[0], np.cumsum(n_in)[:-1]]), n_in) + np.arange(len(cell))
                place, pr = np.divmod(cell, p)
                fam_t = np.array([FAMILY[f] * 2 for f in _TRIGGER_PLACES], dtype=np.uint64)
                sentence_level = place == _T_SENTENCE
                extra = np.where(sentence_level, tp[pr], np.where(place == _T_COUNT, np.minimum(nb, 3)[pr] + 1, 0))
                value = eg[ev] * U(256) + extra.astype(np.uint64)
                rows.append(pr)
                cols.append(_mix(value, fam_t[place] + np.where(sentence_level, 0, order[pr]).astype(np.uint64),
                                 bits))
        sparse_rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        sparse_cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        base_of = np.array(pair_base, np.int64)
        return Features(psent, h - base_of, t - base_of, self.allowed[ht, tt], order, fixed, bag_cols, bag_lo, bag_hi,
                        sparse_rows, sparse_cols)


