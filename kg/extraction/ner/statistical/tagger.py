"""Inference: ``Tagger.load(path).tag(sentences)`` -> spans (start, end exclusive, type). numpy (+ onnxruntime)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kg.extraction.ner.statistical.crf import NEG, TagSet, spans_from_tags, viterbi
from kg.extraction.ner.statistical.features import FeatureExtractor, Lexicon, domain_features
from kg.modelfile import load_npz, save_npz

MAX_LEN = 250  # longer sentences are cut (preferably after punctuation) and tagged piece by piece
# Padded characters per batch: the network is fastest on small batches (little padding), the Viterbi
# search on large ones (one numpy call per position serves more sentences); measured on news.
NN_BATCH_CELLS = 1 << 12
DECODE_BATCH_CELLS = 1 << 14
CHUNK_CHARS = 1 << 16  # characters per feature-extraction chunk (bounds memory)
_CUT = re.compile(r"[。！？；!?;，,、：:\s]")

Span = tuple[int, int, str]


def _pieces(text: str, max_len: int = MAX_LEN) -> list[tuple[int, int]]:
    """Cut ``text`` into pieces of at most ``max_len`` chars, after punctuation where possible."""
    n = len(text)
    if n <= max_len:
        return [(0, n)]
    out = []
    start = 0
    while n - start > max_len:
        window = text[start + max_len // 2 : start + max_len]
        cuts = [m.end() for m in _CUT.finditer(window)]
        end = start + max_len // 2 + cuts[-1] if cuts else start + max_len
        out.append((start, end))
        start = end
    out.append((start, n))
    return out


class Tagger:
    """A trained statistical NER model (linear CRF over hashed features, optionally plus a small neural net)."""

    def __init__(self, meta: dict, arrays: dict[str, np.ndarray], style: str | None = "default") -> None:
        """``style``: the name of a training corpus whose annotation conventions to follow (models trained with
        per-corpus features, e.g. ``"msra"`` or ``"cluener"``); ``"default"``: the model's ``default_style``;
        ``None``: the shared weights only; ``"match"``: evaluation only, each sentence in its own corpus' style
        (set ``self.sentence_domains``)."""
        self.meta = meta
        self.domains: list[str] = list(meta.get("domains", []))
        self.domain_cols: list[int] = list(meta.get("domain_cols", []))
        if style == "default":
            style = meta.get("default_style")
        if style not in (None, "match") and style not in self.domains:
            raise ValueError(f"unknown style {style!r}; this model knows {self.domains or 'none'}")
        self.style = style
        self.sentence_domains: list[str] | None = None
        self._piece_domains: list[str] | None = None
        self.lexicon = Lexicon(arrays["lex_keys"], arrays["lex_cats"], arrays["lex_lengths"])
        self.fx = FeatureExtractor(int(meta["bits"]), self.lexicon, int(meta.get("lex_shift", 12)))
        self.types: list[str] = list(meta["types"])
        self.tags = TagSet(tuple(self.types))
        allowed_trans, allowed_start, allowed_end = self.tags.allowed
        w = arrays.get("W")
        if w is not None and w.dtype == np.int8:
            self.W = w
            self.w_scale = float(arrays["W_scale"])
        else:
            self.W = None if w is None else w.astype(np.float32)
            self.w_scale = 1.0
        self.trans = np.where(allowed_trans, arrays["trans"], NEG).astype(np.float32)
        self.start = np.where(allowed_start, arrays["start"], NEG).astype(np.float32)
        self.end = np.where(allowed_end, arrays["end"], NEG).astype(np.float32)
        self.o_bias = float(meta.get("o_bias", 0.0))  # decoding bias against the O tag, chosen on dev
        self.session = None
        if "onnx" in arrays:
            import onnxruntime as ort

            so = ort.SessionOptions()
            so.intra_op_num_threads = int(meta.get("threads", 1))
            so.inter_op_num_threads = 1
            so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            self.session = ort.InferenceSession(arrays["onnx"].tobytes(), so, providers=["CPUExecutionProvider"])
            self.nn_templates = np.array(meta["nn_templates"], np.int64)
            self.nn_bits = int(meta["nn_bits"])
            # int8 with a scale per row (or float16) on disk, float32 in memory (numpy float16 gathers are slow);
            # one zero row appended for padding
            e = arrays["E"].astype(np.float32)
            if arrays["E"].dtype == np.int8:
                e *= arrays["E_scale"].astype(np.float32)[:, None]
            self.E = np.concatenate([e, np.zeros((1, e.shape[1]), np.float32)])

    # ------------------------------------------------------------------------------ persistence
    @classmethod
    def load(cls, path: str | Path, style: str | None = "default") -> Tagger:
        meta, arrays = load_npz(path)
        return cls(meta, arrays, style=style)

    @staticmethod
    def save(path: str | Path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
        """An ``.npz`` that depends only on ``meta`` and ``arrays`` (see :mod:`kg.modelfile`), so a
        model retrained from the same data and seed is the same file, byte for byte."""
        save_npz(path, meta, arrays)

    # ------------------------------------------------------------------------------ inference
    def emissions(self, ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Emission scores [n_chars, K] (float32) from feature ids [n_templates, n_chars]."""
        n = ids.shape[1]
        if self.W is not None:
            if self.W.dtype == np.int8:
                acc = self.W[ids[0]].astype(np.int16)
                for f in range(1, ids.shape[0]):
                    acc += self.W[ids[f]]
                em = acc.astype(np.float32) * np.float32(self.w_scale)
            else:
                em = self.W[ids[0]]
                for f in range(1, ids.shape[0]):
                    em += self.W[ids[f]]
        else:
            em = np.zeros((n, len(self.trans)), np.float32)
        if self.session is not None:
            em += self._nn_emissions(ids, offsets)
        if self.o_bias:
            em[:, 0] -= np.float32(self.o_bias)  # < 0 favours O; > 0 favours entities (recall)
        return em

    def _nn_emissions(self, ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        nn_ids = ids[self.nn_templates].T & ((1 << self.nn_bits) - 1)  # [n, F']
        zero_row = len(self.E) - 1
        out = np.empty((ids.shape[1], len(self.trans)), np.float32)
        lens = np.diff(offsets)
        for _, idx, t_max in self._batches(lens, NN_BATCH_CELLS):
            mask = np.arange(t_max)[None, :] < lens[idx][:, None]
            src = (offsets[idx][:, None] + np.arange(t_max)[None, :])[mask]
            pad = np.full((len(idx), t_max, nn_ids.shape[1]), zero_row, np.int64)
            pad[mask] = nn_ids[src]
            x = self.E[pad].reshape(len(idx), t_max, -1)  # one gather straight into the padded batch
            (y,) = self.session.run(None, {"x": x, "lengths": np.maximum(lens[idx], 1).astype(np.int64)})
            out[src] = y[mask]
        return out

    @staticmethod
    def _batches(lens: np.ndarray, cells: int) -> list[tuple[np.ndarray, np.ndarray, int]]:
        """Sentences grouped by length: (unused, sentence indices, padded length) per batch."""
        order = np.argsort(lens, kind="stable")
        batches = []
        i = 0
        n = len(order)
        while i < n:
            t_max = max(int(lens[order[min(n - 1, i)]]), 1)
            j = i
            # grow while the padded size stays within budget (lengths ascend, so the last one is the max)
            while j < n and (j - i + 1) * max(int(lens[order[j]]), 1) <= cells:
                j += 1
            j = max(j, i + 1)
            t_max = max(int(lens[order[j - 1]]), 1)
            batches.append((np.empty(0), order[i:j], t_max))
            i = j
        return batches

    def _decode(self, em: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        lens = np.diff(offsets)
        tags = np.zeros(em.shape[0], np.int8)
        for _, idx, t_max in self._batches(lens, DECODE_BATCH_CELLS):
            blens = lens[idx]
            mask = np.arange(t_max)[None, :] < blens[:, None]
            src = (offsets[idx][:, None] + np.arange(t_max)[None, :])[mask]
            e = np.zeros((len(idx), t_max, em.shape[1]), np.float32)
            e[mask] = em[src]
            path = viterbi(e, np.maximum(blens, 1), self.trans, self.start, self.end, self.tags)
            tags[src] = path[mask]
        return tags

    def tag_pieces(self, pieces: Sequence[str], biases: Sequence[float] | None = None) -> list[list[list[Span]]]:
        """Spans of each piece, decoded once per bias against O (default: the model's own), from one
        computation of the features and emissions: ``[bias][piece] -> spans``."""
        if biases is None:
            biases = (0.0,)
        if not pieces:
            return [[] for _ in biases]
        ids, offsets = self.fx.extract(pieces)
        if self.style is not None and self.domain_cols:
            if self.style == "match":
                assert self._piece_domains is not None
                dom = np.repeat(np.array([self.domains.index(d) for d in self._piece_domains]), np.diff(offsets))
            else:
                dom = self.domains.index(self.style)
            ids = np.concatenate([ids, domain_features(ids, self.domain_cols, dom, self.fx.bits)])
        em = self.emissions(ids, offsets)
        if len(biases) == 1 and not biases[0]:
            return [spans_from_tags(self._decode(em, offsets), offsets, self.tags.types)]
        # every bias decoded in one batch (one Viterbi over copies): far fewer numpy calls than one per bias
        stacked = np.concatenate([em] * len(biases))
        n = len(em)
        for i, bias in enumerate(biases):
            stacked[i * n:(i + 1) * n, 0] -= np.float32(bias)  # favours names: recall rises, precision falls
        all_offsets = np.concatenate([offsets[:-1] + i * n for i in range(len(biases))] + [[len(biases) * n]])
        spans = spans_from_tags(self._decode(stacked, all_offsets), all_offsets, self.tags.types)
        k = len(offsets) - 1
        return [spans[i * k:(i + 1) * k] for i in range(len(biases))]

    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        """Entity spans of each sentence: (start, end exclusive, type), a type of the model's."""
        return self.tag_at(sentences, None)[0]

    def tag_at(self, sentences: Sequence[str], biases: Sequence[float] | None) -> list[list[list[Span]]]:
        """The spans of each sentence decoded at each bias against O: ``[bias][sentence] -> spans``."""
        pieces: list[str] = []
        owner: list[tuple[int, int]] = []  # (sentence index, offset of the piece in it)
        for i, s in enumerate(sentences):
            for a, b in _pieces(s):
                if b > a:
                    pieces.append(s[a:b])
                    owner.append((i, a))
        n_biases = len(biases) if biases is not None else 1
        out: list[list[list[Span]]] = [[[] for _ in sentences] for _ in range(n_biases)]
        start = 0
        while start < len(pieces):
            end, size = start, 0
            while end < len(pieces) and (size < CHUNK_CHARS or end == start):
                size += len(pieces[end])
                end += 1
            if self.sentence_domains is not None:
                self._piece_domains = [self.sentence_domains[i] for i, _ in owner[start:end]]
            for level, tagged in zip(out, self.tag_pieces(pieces[start:end], biases), strict=True):
                for (i, a), spans in zip(owner[start:end], tagged, strict=True):
                    level[i].extend((s + a, e + a, t) for s, e, t in spans)
            start = end
        return out
