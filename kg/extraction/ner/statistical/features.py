"""Vectorised feature extraction: hashed character n-grams, character classes and lexicon matches.

Everything works on one array of code points for a whole batch of sentences (no per-character Python
loop): sentences are joined with two boundary code points (0) between them, so a window of +-2 never
crosses into the neighbour sentence.  The output is an ``int64`` matrix ``[n_chars, n_templates]`` of
feature ids in ``[0, 2**bits)``, the rows of the model's weight table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.extraction.lexicons import characters, words

PAD = 2  # boundary code points between sentences
MAX_WORD = 10  # longest lexicon word matched

# ------------------------------------------------------------------------------------------ lexicon

# Lexicon categories (bit positions in a word's category mask).
LEX_CATEGORIES = (
    "word",  # any other jieba dictionary word (2+ chars): word boundaries
    "nr", "ns", "nt", "nz",  # jieba dictionary POS tags: person, place, organisation, other proper noun
    "dom_company", "dom_person", "dom_place", "dom_org",  # known names: entities.tsv, annotated articles
    "suf_company", "suf_org", "suf_place",  # name suffixes
    "dom_chip", "dom_model", "dom_product", "dom_event",  # known names of the other four types
    "common",  # a jieba dictionary word of frequency >= COMMON_WORD: a name's edge does not cut one
)
#: How frequent a jieba word must be to count as a common word.
COMMON_WORD = 100
#: The dictionary category of each entity type.
DOMAIN_CATEGORY = {"Company": "dom_company", "Person": "dom_person", "Place": "dom_place",
                   "Organization": "dom_org", "Chip": "dom_chip", "AIModel": "dom_model", "Product": "dom_product",
                   "Event": "dom_event"}
CAT = {c: i for i, c in enumerate(LEX_CATEGORIES)}

# The tagger's word lists (kg/data/lexicons.toml): read when a model is trained (its lexicon goes into
# the model file) and, for the surnames, by the character classes of every run, so a change to them
# means training again.
SURNAMES_1 = "".join(sorted(characters("names.surnames_single")))
COMPANY_SUFFIXES = words("tagger.company_suffixes")
ORG_SUFFIXES = words("tagger.org_suffixes")
PLACE_SUFFIXES = words("tagger.place_suffixes")

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_P = np.uint64(0x100000001B3)


def _mix(x: np.ndarray) -> np.ndarray:
    """A cheap 64-bit mixer (multiply, xor-shift, multiply): the top bits are well mixed."""
    x = x * np.uint64(0x9E3779B97F4A7C15)
    x ^= x >> np.uint64(29)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    return x


def _length_salt(n: int) -> np.uint64:
    return np.uint64(n * 0xD6E8FEB86659FD93 & 0xFFFFFFFFFFFFFFFF)


def _word_hash(codes: np.ndarray) -> int:
    h = np.zeros(1, np.uint64)
    for c in codes:
        h = h * _P + np.uint64(int(c) + 1)
    key = int(_mix(h ^ _length_salt(len(codes)))[0])
    return key or 1


def codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def normalise(cp: np.ndarray) -> np.ndarray:
    """Full-width ASCII -> ASCII, ideographic space -> space, A-Z -> a-z, digits -> '0' (uint32 in, out)."""
    cp = cp.astype(np.uint32, copy=True)
    fw = (cp >= 0xFF01) & (cp <= 0xFF5E)
    cp[fw] -= 0xFEE0
    cp[cp == 0x3000] = 0x20
    up = (cp >= 0x41) & (cp <= 0x5A)
    cp[up] += 0x20
    cp[(cp >= 0x30) & (cp <= 0x39)] = 0x30
    return cp


@dataclass
class Lexicon:
    """Words as sorted 64-bit hashes with a category bit mask each; matched through an open-addressing table."""

    keys: np.ndarray  # uint64, sorted
    cats: np.ndarray  # uint32 (uint16 in models of four types), same length
    lengths: np.ndarray  # int8: the word lengths present (for the matcher's loop)

    def __post_init__(self) -> None:
        self._build_table()

    @classmethod
    def build(cls, words: Iterable[tuple[str, str]]) -> Lexicon:
        table: dict[int, int] = {}
        lens: set[int] = set()
        for word, cat in words:
            if not 2 <= len(word) <= MAX_WORD:
                continue
            cp = normalise(codepoints(word))
            h = _word_hash(cp)
            table[h] = table.get(h, 0) | (1 << CAT[cat])
            lens.add(len(word))
        keys = np.array(sorted(table), dtype=np.uint64)
        cats = np.array([table[int(k)] for k in keys], dtype=np.uint32)
        return cls(keys, cats, np.array(sorted(lens), dtype=np.int8))

    def _build_table(self) -> None:
        """Linear probing, filled in vectorised rounds (a key sits at most ``max_probe`` slots after its home)."""
        n = len(self.keys)
        bits = max(4, int(np.ceil(np.log2(max(n, 1) * 3))))
        size = 1 << bits
        self._shift = np.uint64(64 - bits)
        self._mask = np.uint64(size - 1)
        table = np.zeros(size, np.uint64)
        vals = np.zeros(size, self.cats.dtype)
        pending = np.arange(n)
        home = (self.keys >> self._shift).astype(np.int64)
        probe = 0
        while len(pending):
            slot = (home[pending] + probe) & (size - 1)
            free = table[slot] == 0
            cand, cslot = pending[free], slot[free]
            _, first = np.unique(cslot, return_index=True)
            won = cand[first]
            table[cslot[first]] = self.keys[won]
            vals[cslot[first]] = self.cats[won]
            placed = np.zeros(n, bool)
            placed[won] = True
            pending = pending[~placed[pending]]
            probe += 1
        self._table, self._vals, self._max_probe = table, vals, probe

    def lookup(self, q: np.ndarray) -> np.ndarray:
        """Category masks (0 = not a word) of hashed keys ``q``."""
        slot = (q >> self._shift).astype(np.intp)
        out = np.zeros(len(q), self.cats.dtype)
        todo = np.arange(len(q))
        size_mask = len(self._table) - 1
        for _ in range(self._max_probe):
            t = self._table[slot]
            hit = t == q
            out[todo[hit]] = self._vals[slot[hit]]
            go = (~hit) & (t != 0)
            if not go.any():
                break
            todo, slot, q = todo[go], (slot[go] + 1) & size_mask, q[go]
        return out

    @staticmethod
    def hash_rows(windows: np.ndarray) -> np.ndarray:
        """The lookup keys of words given as rows of normalised code points ([n, length])."""
        h = np.zeros(len(windows), np.uint64)
        for j in range(windows.shape[1]):
            h = h * _P + (windows[:, j].astype(np.uint64) + np.uint64(1))
        return _mix(h ^ _length_salt(windows.shape[1]))

    def match(self, cp: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per character, category masks of the words that start here, cover it inside, end here."""
        n = len(cp)
        b = np.zeros(n, self.cats.dtype)
        m = np.zeros(n, self.cats.dtype)
        e = np.zeros(n, self.cats.dtype)
        if n == 0 or len(self.keys) == 0:
            return b, m, e
        h = np.zeros(n, np.uint64)
        c1 = cp.astype(np.uint64) + np.uint64(1)
        lens = set(self.lengths.tolist())
        for L in range(1, min(MAX_WORD, n) + 1):
            h = h[: n - L + 1] * _P + c1[L - 1 :]
            if L < 2 or L not in lens:
                continue
            cats = self.lookup(_mix(h ^ _length_salt(L)))
            hit = np.nonzero(cats)[0]
            if len(hit) == 0:
                continue
            cm = cats[hit]
            b[hit] |= cm
            e[hit + (L - 1)] |= cm
            for j in range(1, L - 1):
                m[hit + j] |= cm
        return b, m, e


def lexicon_words(jieba_dict: str | Path | None, entities_tsv: str | Path | None,
                  names: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(word, category) pairs from jieba's dict.txt (POS tags), the project's entities.tsv, ``names``
    ((name, entity type) pairs, e.g. of annotated articles) and the suffix lists."""
    words: list[tuple[str, str]] = []
    if jieba_dict is not None:
        with open(jieba_dict, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 3:
                    continue
                w, tag = parts[0], parts[2]
                if parts[1].isdigit() and int(parts[1]) >= COMMON_WORD:
                    words.append((w, "common"))
                if tag in ("nr", "nrt", "nrfg"):
                    words.append((w, "nr"))
                elif tag in ("ns", "nt", "nz"):
                    words.append((w, tag))
                else:
                    words.append((w, "word"))
    if entities_tsv is not None:
        with open(entities_tsv, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                cat = DOMAIN_CATEGORY.get(cols[0])
                if cat is None:
                    continue
                forms = [cols[1]] + (cols[3].split("|") if len(cols) > 3 and cols[3] else [])
                words.extend((n, cat) for n in forms if n)
    words.extend((n, DOMAIN_CATEGORY[t]) for n, t in names if t in DOMAIN_CATEGORY)
    words.extend((s, "suf_company") for s in COMPANY_SUFFIXES)
    words.extend((s, "suf_org") for s in ORG_SUFFIXES)
    words.extend((s, "suf_place") for s in PLACE_SUFFIXES)
    return words


# ------------------------------------------------------------------------------------------ classes

def _class_table() -> np.ndarray:
    """Code point (BMP) -> class: 0 boundary, 1 digit, 2 latin, 3 CJK, 4 punctuation, 5 space, 6 chinese numeral,
    7 other, 8 surname, 9 single-char place/org suffix."""
    t = np.full(0x10000, 7, np.uint8)
    t[0] = 0
    t[ord("0") : ord("9") + 1] = 1
    t[ord("a") : ord("z") + 1] = 2
    t[ord("A") : ord("Z") + 1] = 2
    t[0x4E00:0xA000] = 3
    t[0x3400:0x4DC0] = 3
    for ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" + "。，、；：？！…—·“”‘’（）《》〈〉【】「」『』〔〕．～":
        t[ord(ch)] = 4
    t[0x3000:0x3040] = np.where(t[0x3000:0x3040] == 7, 4, t[0x3000:0x3040])
    for ch in " \t\n\r\u3000\xa0":
        t[ord(ch)] = 5
    for ch in "零〇一二三四五六七八九十百千万亿两":
        t[ord(ch)] = 6
    for ch in SURNAMES_1:
        if t[ord(ch)] == 3:
            t[ord(ch)] = 8
    for ch in "省市县区镇乡村州国局厅部委署":
        if t[ord(ch)] == 3:
            t[ord(ch)] = 9
    return t


CLASS_TABLE = _class_table()


def char_classes(cp: np.ndarray) -> np.ndarray:
    cls = CLASS_TABLE[np.minimum(cp, 0xFFFF)]
    cls[cp > 0xFFFF] = 3  # CJK extension planes
    return cls


# ------------------------------------------------------------------------------------------ templates

TEMPLATES = (
    "u-2", "u-1", "u0", "u+1", "u+2",
    "b-2-1", "b-10", "b0+1", "b+1+2", "s-1+1",
    "t-2-10", "t-10+1", "t0+1+2",
    "cls5", "cls0u-1", "cls0u+1",
    "lex", "lex_word3", "lex_nr_cls", "bias",
)


def join(sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate with PAD boundary code points; returns (codepoints, start offset of each sentence)."""
    sep = "\0" * PAD
    text = sep + sep.join(sentences) + sep
    if text.count("\0") != PAD * (len(sentences) + 1):
        text = sep + sep.join(s.replace("\0", " ") for s in sentences) + sep
    cp = codepoints(text)
    lens = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
    starts = PAD + np.concatenate([[0], np.cumsum(lens + PAD)[:-1]]) if len(sentences) else np.zeros(0, np.int64)
    return cp, starts.astype(np.int64)


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """b[i] = a[i + k] with zero fill (a is padded, so fill only touches boundaries)."""
    if k == 0:
        return a
    out = np.zeros_like(a)
    if k > 0:
        out[:-k] = a[k:]
    else:
        out[-k:] = a[:k]
    return out


@dataclass
class FeatureExtractor:
    bits: int
    lexicon: Lexicon
    #: bits per begin/inside/end category mask in the lexicon feature (12 in models of four types)
    lex_shift: int = 21

    def extract(self, sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids ``[n_templates, n_chars]`` (int64, template-major) for the real characters, and the
        sentence offsets into the char axis (``offsets[i]:offsets[i+1]`` are sentence i's chars)."""
        raw, starts = join(sentences)
        lens = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
        keep_pos = np.repeat(starts - offsets[:-1], lens) + np.arange(offsets[-1], dtype=np.int64)
        return self.extract_padded(raw, keep_pos), offsets

    def extract_padded(self, raw: np.ndarray, keep_pos: np.ndarray) -> np.ndarray:
        cp = normalise(raw)
        cls = char_classes(cp).astype(np.uint64)
        u = cp.astype(np.uint64)
        lb, lm, le = self.lexicon.match(cp)
        n = len(cp)
        out = np.empty((len(TEMPLATES), len(keep_pos)), np.int64)
        shift = np.uint64(64 - self.bits)
        col = 0

        def feat(key: np.ndarray) -> None:
            nonlocal col
            salt = np.uint64((col + 1) * 0x632BE59BD9B4E019 & 0xFFFFFFFFFFFFFFFF)
            k = key[keep_pos] if len(key) == n else key
            out[col] = (_mix(k ^ salt) >> shift).astype(np.int64)
            col += 1

        s = {k: _shift(u, k) for k in (-2, -1, 1, 2)}
        s[0] = u
        b21, b42 = np.uint64(21), np.uint64(42)
        for k in (-2, -1, 0, 1, 2):
            feat(s[k])
        feat((s[-2] << b21) | s[-1])
        feat((s[-1] << b21) | s[0])
        feat((s[0] << b21) | s[1])
        feat((s[1] << b21) | s[2])
        feat((s[-1] << b21) | s[1])
        feat((s[-2] << b42) | (s[-1] << b21) | s[0])
        feat((s[-1] << b42) | (s[0] << b21) | s[1])
        feat((s[0] << b42) | (s[1] << b21) | s[2])
        c = cls
        feat((_shift(c, -2) << np.uint64(16)) | (_shift(c, -1) << np.uint64(12)) | (c << np.uint64(8))
             | (_shift(c, 1) << np.uint64(4)) | _shift(c, 2))
        feat((c << b42) | s[-1])
        feat((c << b42) | s[1])
        # lexicon: the whole begin/inside/end pattern over all categories in one key (3 x 12 bits)
        lb64, lm64, le64 = lb.astype(np.uint64), lm.astype(np.uint64), le.astype(np.uint64)
        lex_shift = np.uint64(self.lex_shift)
        feat(lb64 | (lm64 << lex_shift) | (le64 << (lex_shift + lex_shift)))
        # any-word begin/inside/end bits of the char and its neighbours (word boundaries)
        wb = ((lb != 0).astype(np.uint64) | ((lm != 0).astype(np.uint64) << np.uint64(1))
              | ((le != 0).astype(np.uint64) << np.uint64(2)))
        feat((_shift(wb, -1) << np.uint64(8)) | (wb << np.uint64(4)) | _shift(wb, 1))
        # person-name words (jieba nr) with the char classes (surnames) of this char and the next
        nr = np.uint64(1 << CAT["nr"])
        nrb = (((lb64 & nr) != 0).astype(np.uint64) | (((lm64 & nr) != 0).astype(np.uint64) << np.uint64(1))
               | (((le64 & nr) != 0).astype(np.uint64) << np.uint64(2)))
        feat((nrb << np.uint64(8)) | (c << np.uint64(4)) | _shift(c, 1))
        feat(np.zeros(len(keep_pos), np.uint64))
        assert col == len(TEMPLATES)
        return out


def domain_features(ids: np.ndarray, cols: Sequence[int], domain: np.ndarray | int, bits: int) -> np.ndarray:
    """Corpus-specific copies of some templates ("frustratingly easy" domain adaptation): the ids of
    templates ``cols`` re-hashed with the domain number (per char, or one for all).  [len(cols), n_chars]."""
    d = np.atleast_1d(np.asarray(domain, dtype=np.uint64))
    salt = (d + np.uint64(1)) * np.uint64(0xA0761D6478BD642F)
    shift = np.uint64(64 - bits)
    out = np.empty((len(cols), ids.shape[1]), np.int64)
    for j, c in enumerate(cols):
        key = (ids[c].astype(np.uint64) << np.uint64(8)) ^ np.uint64(c) ^ salt
        out[j] = (_mix(key) >> shift).astype(np.int64)
    return out
