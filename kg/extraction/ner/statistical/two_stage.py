"""The shipped tagger: a first stage that proposes names and a second that decides (see :mod:`.spans`).

One model file holds it all: the base model (people, places, companies, organisations, trained on
the public NER corpora), the news CRF (all eight types, trained on annotated news), the span
classifier and the names of the annotated training articles (a feature: a name known from another
article). :func:`is_two_stage` tells such a file from a single model of :class:`Tagger`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.extraction.ner.statistical.spans import (
    BIASES,
    Proposals,
    SpanClassifier,
    Words,
    candidates,
    choose,
    features,
)
from kg.extraction.ner.statistical.tagger import Span, Tagger
from kg.extraction.ner.textview import TextView
from kg.modelfile import load_npz, save_npz
from kg.models import Mention

KIND = "two-stage"
_PARTS = ("base", "news")


def is_two_stage(meta: Mapping) -> bool:
    return meta.get("kind") == KIND


_LEXICON = ("lex_keys", "lex_cats", "lex_lengths")


def _shared_lexicon(parts: Mapping[str, tuple[dict, dict[str, np.ndarray]]]) -> dict[str, np.ndarray]:
    """The lexicon arrays, when every part has the same ones (stored once then)."""
    lexicons = [arrays for _, arrays in parts.values()]
    first = lexicons[0]
    same = all(all(name in a and np.array_equal(a[name], first[name]) for name in _LEXICON) for a in lexicons)
    return {name: first[name] for name in _LEXICON} if same else {}


@dataclass(frozen=True, eq=False)
class TwoStageTagger:
    news: Tagger
    spans: SpanClassifier
    base: Tagger | None = None
    known_names: Mapping[str, tuple[str, ...]] | None = None
    biases: tuple[float, ...] = BIASES

    # ------------------------------------------------------------------ persistence
    @classmethod
    def from_arrays(cls, meta: dict, arrays: dict[str, np.ndarray]) -> TwoStageTagger:
        parts = {}
        shared = {k[len("lex."):]: v for k, v in arrays.items() if k.startswith("lex.")}
        for part in _PARTS:
            if part in meta:
                prefix = f"{part}."
                own = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
                parts[part] = Tagger(meta[part], {**shared, **own})
        spans = SpanClassifier(arrays["spans.W"], arrays["spans.b"], float(meta["spans"]["threshold"]),
                               float(meta["spans"].get("scale", 1.0)))
        known = {k: tuple(v) for k, v in meta.get("known_names", {}).items()}
        return cls(parts["news"], spans, parts.get("base"), known, tuple(meta["spans"]["biases"]))

    @classmethod
    def load(cls, path: str | Path) -> TwoStageTagger:
        meta, arrays = load_npz(path)
        if not is_two_stage(meta):
            raise ValueError(f"{path}: not a two-stage tagger")
        return cls.from_arrays(meta, arrays)

    @staticmethod
    def save(path: str | Path, parts: Mapping[str, tuple[dict, dict[str, np.ndarray]]], spans: SpanClassifier,
             known_names: Mapping[str, Sequence[str]], biases: Sequence[float], extra: Mapping | None = None) -> None:
        """``parts``: {"news": (meta, arrays), "base": (meta, arrays)} of single models."""
        meta: dict = {"kind": KIND, "version": 2}
        arrays: dict[str, np.ndarray] = {}
        shared = _shared_lexicon(parts)
        if shared:
            arrays.update({f"lex.{k}": v for k, v in shared.items()})
        for part, (part_meta, part_arrays) in parts.items():
            meta[part] = part_meta
            arrays.update({f"{part}.{k}": v for k, v in part_arrays.items() if k not in shared})
        arrays["spans.W"], arrays["spans.b"] = spans.W, spans.b
        meta["spans"] = {"threshold": spans.threshold, "scale": spans.scale, "biases": list(biases), **(extra or {})}
        meta["known_names"] = {k: sorted(v) for k, v in sorted(known_names.items())}
        save_npz(path, meta, arrays)

    @staticmethod
    def base_model_file(path: str | Path, out: Path) -> Path:
        """A single model file of the base model in ``path``: ``path`` itself when it is a single
        model, else the base part of the two-stage tagger written to ``out``. ``ValueError`` if none."""
        meta, arrays = load_npz(path)
        if not is_two_stage(meta):
            return Path(path)
        if "base" not in meta:
            raise ValueError(f"{path}: a two-stage tagger without a base model")
        shared = {k[len("lex."):]: v for k, v in arrays.items() if k.startswith("lex.")}
        own = {k[len("base."):]: v for k, v in arrays.items() if k.startswith("base.")}
        save_npz(out, meta["base"], {**shared, **own})
        return out

    # ------------------------------------------------------------------ tagging
    def tag(self, sentences: Sequence[str]) -> list[list[Span]]:
        """Each sentence as a document of its own, without the dictionary and the patterns (the model
        alone): its names (start, end, type)."""
        crf, base = self.propose(sentences)
        out = []
        for i, sentence in enumerate(sentences):
            proposals = document_proposals([(0, len(sentence))], [level[i:i + 1] for level in crf], base[i:i + 1])
            out.append([(s, e, t) for s, e, t, _ in self.decide(sentence, proposals)])
        return out

    def propose(self, sentences: Sequence[str]) -> tuple[list[list[list[Span]]], list[list[Span]]]:
        """The first stage on sentences: the news CRF's spans at each bias ``[bias][sentence]`` and
        the base model's ``[sentence]``."""
        crf = self.news.tag_at(sentences, self.biases)
        base = self.base.tag(sentences) if self.base is not None else [[] for _ in sentences]
        return crf, base

    def words(self, texts: Sequence[str]) -> list[Words]:
        """The lexicon's words in each text (:meth:`decide` reads them; many texts at once are faster)."""
        return Words.of_many(texts, self.news.lexicon)

    def decide(self, text: str, proposals: Proposals, known_names: Mapping[str, Sequence[str]] | None = None,
               words: Words | None = None) -> list[tuple[int, int, str, float]]:
        """The second stage on one document's normalised text: chosen names (start, end, type, probability)."""
        cands = candidates(text, proposals)
        if not cands:
            return []
        words = words or Words.of(text, self.news.lexicon)
        feats = features(text, cands, words, self.known_names if known_names is None else known_names)
        return choose(text, cands, self.spans.probabilities(feats), self.spans.threshold)


def named_proposals(view: TextView, known: Sequence[Mention],
                    found: Sequence[tuple[str, Mention]] | None = None) -> list[tuple[int, int, str, str]]:
    """The names the dictionary found (``known``) and those the naming patterns build on them
    (``found``, default :func:`pattern_mentions`), each with its source's name."""
    found = pattern_mentions(view, known) if found is None else found
    return [(m.start, m.end, m.type.value, "dict") for m in known] + \
        [(m.start, m.end, m.type.value, source) for source, m in found]


def pattern_mentions(view: TextView, known: Sequence[Mention]) -> list[tuple[str, Mention]]:
    """The mentions the naming patterns of :data:`kg.extraction.ner.patterns.PROPOSING` build on the
    dictionary's names (``known``), each with its pattern's name."""
    from kg.extraction.ner.patterns import PROPOSING

    return [(pattern.__name__, m) for pattern in PROPOSING for m in pattern(view, known)]


def document_proposals(sentences: Sequence[tuple[int, int]], crf: Sequence[Sequence[Sequence[Span]]],
                       base: Sequence[Sequence[Span]],
                       named: Sequence[tuple[int, int, str, str]] = ()) -> Proposals:
    """One document's proposals in its offsets, from the per-sentence output of :meth:`propose`
    (``sentences``: the (start, end) of each sentence in the document)."""
    levels = [[(s + a, e + a, t) for (a, _), spans in zip(sentences, level, strict=True) for s, e, t in spans]
              for level in crf]
    base_spans = [(s + a, e + a, t) for (a, _), spans in zip(sentences, base, strict=True) for s, e, t in spans]
    return Proposals(levels, base_spans, named)
