"""The tagger's second stage: candidate names, each classified with what is known of it.

The first stage proposes: the news CRF (eight types) decoded at two biases against O, so a name it
is unsure of still comes up with its rank; the base model (people, places, organisations, trained on
the public corpora); the dictionary and a model family's versions (讯飞星火 + X1); runs of Latin
letters; and trimmed forms of the CRF's names (without 系列, a trailing function character or a
coordination). None of them decides: a softmax classifier over hashed features of each candidate
(which sources proposed it and as what, its characters and shape, the words around it, whether its
edges cut a common word, whether it is a known word or name, how often the document repeats it, how
the CRF typed it elsewhere, whether a longer candidate holds it) gives a probability per type, and
the best candidates are chosen without overlap, every mention of one name taking the type its
mentions agree on. A base model's name stands unless the classifier is sure it is none.

The features are strings hashed with CRC-32 (stable across processes) into ``2**bits`` rows.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from kg.extraction.lexicons import alternation, characters
from kg.extraction.ner.statistical.features import CAT, LEX_CATEGORIES, Lexicon, codepoints, normalise

#: What the classifier chooses between: no name, or one of the eight types.
LABELS = ("NONE", "Person", "Place", "Company", "Organization", "Chip", "AIModel", "Product", "Event")
#: The biases against O at which the news CRF is decoded (its rank 0, 1, ... as a feature).
BIASES = (0.0, 3.0)
#: Characters that end a clause, not a name: a CRF name ending in one loses it (冯骥还 -> 冯骥).
FUNCTION_TAIL = characters("tagger.function_tail_chars")
_JOIN = alternation("tagger.join_chars")
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*(?: ?[0-9]+[A-Za-z]*)?"
                    r"(?: (?:Pro|Max|Plus|Ultra|Mini|Lite|Turbo|Air|[A-Z][a-z]+))*")
_NOT_IN_KEY = str.maketrans("", "", " \t-_·・")
_COMMON = 1 << CAT["common"]


def name_key(surface: str) -> str:
    """The key of a surface form of normalised text (simplified, half-width): lower case, no spaces,
    hyphens or middle dots, as the gold scorer compares names."""
    return surface.translate(_NOT_IN_KEY).lower()


@dataclass
class Candidate:
    start: int
    end: int
    sources: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Proposals:
    """What the first stage said about one document (offsets into its normalised text)."""

    crf: Sequence[Sequence[tuple[int, int, str]]]  # the news CRF's names, one list per bias of BIASES
    base: Sequence[tuple[int, int, str]] = ()  # the base model's names
    named: Sequence[tuple[int, int, str, str]] = ()  # (start, end, type, source): dictionary, patterns


def refined(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Trimmed forms of a name the CRF found: without a trailing 系列 or function character, or cut
    at a coordination into its parts (A100与H100 -> A100, H100); the name itself is not among them.

    >>> t = "英伟达A100与H100系列"
    >>> [t[a:b] for a, b in refined(t, 3, len(t))]
    ['A100', 'H100']
    >>> t = "冯骥还说"
    >>> [t[a:b] for a, b in refined(t, 0, 3)]
    ['冯骥']
    """
    s, e = start, end
    if text[s:e].endswith("系列") and e - s > 3:
        e -= 2
    while e - s >= 3 and text[e - 1] in FUNCTION_TAIL:
        e -= 1
    pieces = [(s, e)]
    cuts = [m.start() for m in _JOIN.finditer(text, s, e)]
    if cuts:
        bounds = [s, *[c for cut in cuts for c in (cut, cut + 1)], e]
        parts = list(zip(bounds[::2], bounds[1::2], strict=True))
        if all(b - a >= 2 for a, b in parts):
            pieces = parts
    return [p for p in pieces if p != (start, end) and p[1] > p[0]]


def candidates(text: str, proposals: Proposals) -> list[Candidate]:
    """Every proposed span, with the sources that proposed it (``crf0:Chip``, ``base:Person``,
    ``dict:Company``, ``model_versions:AIModel``, ``latin``, ``refined:Chip`` ...). Runs of Latin
    letters are proposed whatever the models say (quoted names and a few Chinese characters before a
    Latin model number were too, and went: they added nothing on the development split)."""
    found: dict[tuple[int, int], Candidate] = {}

    def add(start: int, end: int, source: str) -> None:
        if end > start and text[start:end].strip():
            found.setdefault((start, end), Candidate(start, end)).sources.add(source)

    for rank, spans in enumerate(proposals.crf):
        for s, e, t in spans:
            add(s, e, f"crf{rank}:{t}")
            if rank == 0:
                for a, b in refined(text, s, e):
                    add(a, b, f"refined:{t}")
    for s, e, t in proposals.base:
        add(s, e, f"base:{t}")
    for s, e, t, source in proposals.named:
        add(s, e, f"{source}:{t}")
    for m in _LATIN.finditer(text):
        if m.end() - m.start() >= 2:
            add(m.start(), m.end(), "latin")
    return sorted(found.values(), key=lambda c: (c.start, c.end))


def _shape(name: str) -> str:
    """Runs of character classes: 昇腾910B -> CDL, GPT-4o -> LPDL."""
    out: list[str] = []
    for ch in name:
        c = ("D" if ch.isdigit() else "L" if ch.isascii() and ch.isalpha() else
             "C" if "\u3400" <= ch <= "\u9fff" else "P")
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


class Words:
    """The lexicon's words around every position of a text (lengths 2-4): which end where, which
    start where, and which common words run across a position."""

    LENGTHS = (2, 3, 4)

    def __init__(self, text: str, cats: dict[int, np.ndarray], crossing: np.ndarray) -> None:
        self.text = text
        self.cats = cats  # length -> category mask of the word starting at each position
        self.crossing = crossing  # [i]: the longest common word that starts before i and ends after i

    @classmethod
    def of(cls, text: str, lexicon: Lexicon) -> Words:
        return cls.of_many([text], lexicon)[0]

    @classmethod
    def of_many(cls, texts: Sequence[str], lexicon: Lexicon) -> list[Words]:
        """The words of many texts, looked up in one pass over them all (joined by a character no
        word holds)."""
        cp = normalise(codepoints("\0".join(texts)))
        n = len(cp)
        cats: dict[int, np.ndarray] = {}
        for length in cls.LENGTHS:
            if n < length:
                cats[length] = np.zeros(n, lexicon.cats.dtype)
                continue
            windows = np.lib.stride_tricks.sliding_window_view(cp, length)
            cats[length] = np.concatenate([lexicon.lookup(lexicon.hash_rows(windows)),
                                           np.zeros(length - 1, lexicon.cats.dtype)])
        crossing = np.zeros(n + 1, np.int8)
        if lexicon.cats.dtype.itemsize * 8 > CAT["common"]:  # a model of four types knows no common words
            for length in cls.LENGTHS:
                starts = np.nonzero(cats[length].astype(np.uint64) & np.uint64(_COMMON))[0]
                for inner in range(1, length):
                    np.maximum.at(crossing, starts + inner, length)
        out, start = [], 0
        for text in texts:
            end = start + len(text)
            out.append(cls(text, {k: v[start:end] for k, v in cats.items()}, crossing[start:end + 1]))
            start = end + 1
        return out

    def category(self, start: int, end: int) -> int:
        length = end - start
        if length in self.cats and start < len(self.cats[length]) and end <= len(self.text):
            return int(self.cats[length][start])
        return 0

    def ending_at(self, pos: int) -> str:
        for length in (4, 3, 2):
            if pos - length >= 0 and self.category(pos - length, pos):
                return self.text[pos - length:pos]
        return self.text[max(0, pos - 1):pos]

    def starting_at(self, pos: int) -> str:
        for length in (4, 3, 2):
            if self.category(pos, pos + length):
                return self.text[pos:pos + length]
        return self.text[pos:pos + 1]


def _category_names(mask: int) -> list[str]:
    return [c for i, c in enumerate(LEX_CATEGORIES) if mask >> i & 1 and c != "common"]


def features(text: str, cands: Sequence[Candidate], words: Words,
             known_names: Mapping[str, Iterable[str]] | None = None) -> list[list[str]]:
    """The feature strings of each candidate of one document."""
    votes: dict[str, set[str]] = defaultdict(set)  # name -> the types the CRF gave it (rank 0)
    counts: dict[str, int] = {}
    for c in cands:
        for src in c.sources:
            if src.startswith("crf0:"):
                votes[name_key(text[c.start:c.end])].add(src[5:])
    inside = _containers(cands)
    out = []
    for c, outer in zip(cands, inside, strict=True):
        s, e = c.start, c.end
        span = text[s:e]
        k = name_key(span)
        shape = _shape(span)
        length = str(min(e - s, 10))
        sources = sorted(c.sources) or ["none"]
        if not any(src.startswith("crf") for src in sources):
            sources.append("nocrf")
        f = [x for src in sources for x in (src, f"{src}|sh={shape}", f"{src}|last={span[-1]}", f"{src}|len={length}")]
        f += [f"w={k}", f"len={length}", f"sh={shape}", f"f1={span[0]}", f"l1={span[-1]}", f"l2={span[-2:]}",
              f"f2={span[:2]}", f"L1={text[s - 1:s]}", f"L2={text[max(0, s - 2):s]}", f"R1={text[e:e + 1]}",
              f"R2={text[e:e + 2]}", f"Lw={words.ending_at(s)}", f"Rw={words.starting_at(e)}"]
        cut_left, cut_right = int(words.crossing[s]), int(words.crossing[e])
        f += [f"cutL={cut_left}", f"cutR={cut_right}", f"cutLR={cut_left}{cut_right}"]
        f += [f"lex={name}" for name in _category_names(words.category(s, e))]
        if known_names is not None:
            f += [f"known={t}" for t in sorted(known_names.get(k, ()))]
        if k not in counts:
            counts[k] = text.count(span)
        # inside a longer candidate (广州 of 广州车展): a name only if that one is none
        f += [f"in={src.partition(':')[0]}" for src in sorted(outer)] or ["in=-"]
        f.append(f"cnt={min(counts[k], 5)}")
        f += [f"vote={t}" for t in sorted(votes.get(k, ()))]
        out.append(f)
    return out


def _containers(cands: Sequence[Candidate]) -> list[set[str]]:
    """For each candidate, the sources of the candidates that strictly contain it (cands sorted by
    start, then end)."""
    out: list[set[str]] = [set() for _ in cands]
    for i, c in enumerate(cands):
        for j in range(i, -1, -1):  # a container starts at or before c
            o = cands[j]
            if o.start <= c.start and c.end <= o.end and (o.start, o.end) != (c.start, c.end):
                out[i] |= o.sources
            if c.start - o.start > 24:
                break
        for j in range(i + 1, len(cands)):  # or at c's start, ending later
            o = cands[j]
            if o.start != c.start:
                break
            if o.end > c.end:
                out[i] |= o.sources
    return out


#: Feature string -> CRC-32: most features recur (crf0:Person|len=3, cutL=0), and a dictionary look-up
#: is several times cheaper than encoding and hashing again. Bounded, so a long run stays small.
_CRC: dict[str, int] = {}
_CRC_LIMIT = 1 << 18


def _crc(feature: str) -> int:
    value = _CRC.get(feature)
    if value is None:
        value = zlib.crc32(feature.encode("utf-8"))
        if len(_CRC) < _CRC_LIMIT:
            _CRC[feature] = value
    return value


def hashed(feature_strings: Sequence[str], bits: int) -> np.ndarray:
    mask = (1 << bits) - 1
    return np.fromiter((_crc(x) & mask for x in feature_strings), np.int64, len(feature_strings))


@dataclass(frozen=True, eq=False)
class SpanClassifier:
    """Softmax over LABELS of summed weight rows: ``W`` [2**bits, len(LABELS)] (int8 times ``scale``),
    ``b`` [len(LABELS)]."""

    W: np.ndarray
    b: np.ndarray
    threshold: float = 0.5
    scale: float = 1.0

    @classmethod
    def quantised(cls, weights: np.ndarray, bias: np.ndarray, threshold: float) -> SpanClassifier:
        scale = float(np.abs(weights).max()) / 127.0 or 1.0
        return cls(np.clip(np.round(weights / scale), -127, 127).astype(np.int8), bias.astype(np.float32),
                   threshold, scale)

    @property
    def bits(self) -> int:
        return int(self.W.shape[0]).bit_length() - 1

    def probabilities(self, feature_lists: Sequence[Sequence[str]]) -> np.ndarray:
        if not feature_lists:
            return np.zeros((0, len(LABELS)), np.float32)
        ids = [hashed(f, self.bits) for f in feature_lists]
        lens = np.fromiter((len(i) for i in ids), np.int64, len(ids))
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        rows = np.add.reduceat(self.W[np.concatenate(ids)].astype(np.float32), starts)
        scores = rows * np.float32(self.scale) + self.b
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        return p / p.sum(axis=1, keepdims=True)


#: The base model's names stand unless the classifier is at least this sure they are none: it learnt
#: mostly from news, and where the text is not news (the public corpora's newswire, profiles, posts)
#: the base model knows better (chosen on the development splits: docs/accuracy.md).
BASE_VETO = 0.8


def choose(text: str, cands: Sequence[Candidate], probs: np.ndarray, threshold: float,
           base_veto: float = BASE_VETO) -> list[tuple[int, int, str, float]]:
    """The most probable names first, none overlapping one already chosen, none below ``threshold``
    (a base model's name counts as at ``threshold`` unless ``base_veto`` says it is none); then every
    chosen mention of one name takes the type its mentions' probabilities agree on."""
    probs = probs.copy()
    for i, c in enumerate(cands):
        for src in c.sources:
            if src.startswith("base:") and probs[i, 0] < base_veto:
                label = LABELS.index(src[len("base:"):])
                probs[i, label] = max(probs[i, label], threshold)
    best = probs[:, 1:].max(axis=1) if len(cands) else np.zeros(0)
    chosen: list[int] = []
    taken = np.zeros(len(text) + 1, bool)
    for i in np.argsort(-best, kind="stable"):
        if best[i] < threshold:
            break
        c = cands[i]
        if taken[c.start:c.end].any():
            continue
        taken[c.start:c.end] = True
        chosen.append(int(i))
    total: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(LABELS)))
    for i in chosen:
        total[name_key(text[cands[i].start:cands[i].end])] += probs[i]
    out = []
    for i in sorted(chosen, key=lambda j: cands[j].start):
        label = int(total[name_key(text[cands[i].start:cands[i].end])][1:].argmax()) + 1
        out.append((cands[i].start, cands[i].end, LABELS[label], float(probs[i, label])))
    return out
