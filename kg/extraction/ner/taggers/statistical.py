"""``statistical``: kg's trained tagger (kg.extraction.ner.statistical) on every sentence of a document.

The model loads once per process and model file; forked workers share it (loaded before the fork).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from kg.extraction.lexicons import words
from kg.extraction.ner.lexicon import COMPANY_SUFFIXES, ORG_SUFFIXES
from kg.extraction.ner.textview import TextView
from kg.extraction.ner.words import word_frequencies
from kg.modelfile import open_model
from kg.models import Mention
from kg.schema import EntityType, Origin

if TYPE_CHECKING:
    from kg.extraction.config import ExtractorConfig
    from kg.extraction.ner.statistical.tagger import Tagger
    from kg.extraction.ner.statistical.two_stage import TwoStageTagger
    from kg.extraction.ner.taggers.base import Recogniser

MODEL_FILE = "kg_ner.npz"


def shipped_model() -> Path:
    return Path(str(resources.files("kg") / "data" / MODEL_FILE))


@lru_cache(maxsize=4)
def load_model(path: Path) -> Tagger | TwoStageTagger:
    """The model in ``path`` (a single model, or the two-stage tagger kg ships), loaded once per
    process, or ``ModelError`` saying what is wrong."""
    return open_model(path, _load, "kg NER model (kg train-ner writes one)")


def _load(path: Path) -> Tagger | TwoStageTagger:
    from kg.extraction.ner.statistical.tagger import Tagger
    from kg.extraction.ner.statistical.two_stage import TwoStageTagger, is_two_stage
    from kg.modelfile import load_npz

    meta, arrays = load_npz(path)
    return TwoStageTagger.from_arrays(meta, arrays) if is_two_stage(meta) else Tagger(meta, arrays)


E = EntityType
# Characters of web addresses and markup, never of a name (a page's image links are tagged otherwise).
_NOT_IN_NAMES = frozenset("~=/\\:@#%_<>|{}[]^$*+?")
_IDENTIFIER = re.compile(r"[a-z0-9-]+")
_PAIRS = (("“", "”"), ("(", ")"), ("（", "）"), ("《", "》"), ("「", "」"))
#: Inc., Ltd. ...: not names on their own (kg/data/lexicons.toml)
LEGAL_FORMS = frozenset(words("tagger_filters.legal_forms"))
#: 中 -> 中国, 京 -> 北京 ... (kg/data/lexicons.toml)
ABBREVIATED_PLACES = dict(w.split("=", 1) for w in words("places.abbreviations"))


SUFFIXES = COMPANY_SUFFIXES + ORG_SUFFIXES


def plausible(name: str, kind: EntityType) -> bool:
    """A tagged span that can be a name: nothing of a link, no quote or bracket left open, and two
    characters or more unless it abbreviates a place (美 in 中美; not c494e79b4b~tplv-tt-origin-, not
    中国人工智能“国家队, not 程 alone).

    >>> plausible("浙商银行", E.COMPANY), plausible("美", E.PLACE), plausible("程", E.PERSON)
    (True, True, False)
    >>> plausible("c494e~tplv-tt", E.ORGANIZATION), plausible("人工智能“国家队", E.ORGANIZATION)
    (False, False)
    >>> plausible("长安汽车与福特", E.COMPANY), plausible("中国与全球化研究中心", E.ORGANIZATION)
    (False, True)
    >>> plausible("Inc.", E.COMPANY), plausible("Ltd", E.COMPANY)
    (False, False)
    >>> plausible("法院", E.ORGANIZATION), plausible("tplv-tt-origin-asy", E.ORGANIZATION)
    (False, False)
    """
    if len(name.strip()) < 2 and not (kind is E.PLACE and name in ABBREVIATED_PLACES):
        return False
    if any(ch in _NOT_IN_NAMES for ch in name) or name.endswith("-"):
        return False
    if name.strip(" .").lower() in LEGAL_FORMS or name in SUFFIXES:
        return False  # Inc., 公司 or 法院 alone: a legal form or a kind of organisation, no name
    if "-" in name and _IDENTIFIER.fullmatch(name):
        return False  # tplv-tt-origin-asy: lower-case Latin with hyphens is an identifier, not a name
    if "、" in name or (kind in (E.COMPANY, E.ORGANIZATION) and "与" in name[1:] and not name.endswith(SUFFIXES)):
        return False  # 长安汽车与福特: two names joined, not one
    return all(name.count(a) == name.count(b) for a, b in _PAIRS) and name.count('"') % 2 == 0


#: A word of jieba's dictionary at least this frequent, running across a boundary, cuts it (chosen on
#: the development corpora and the seed gold: docs/accuracy.md).
COMMON_WORD = 100


def cuts_a_word(text: str, start: int, end: int) -> bool:
    """True when a common word runs across the span's start or end (安徽抢抓通用人工|智能 ends inside
    人工智能): a guessed organisation ends where a word does.

    >>> cuts_a_word("安徽抢抓通用人工智能发展机遇", 0, 8), cuts_a_word("星海互娱发布新品", 0, 4)
    (True, False)
    """
    freq = word_frequencies()
    for edge in (start, end):
        for length in (2, 3, 4):
            for a in range(edge - length + 1, edge):
                if a >= 0 and a + length <= len(text) and freq.get(text[a:a + length], 0) >= COMMON_WORD:
                    return True
    return False


def corrected_type(name: str, kind: EntityType) -> EntityType:
    """The suffix decides between Company and Organization where there is one (中国电信研究院 is an
    institute, 某某集团 a company); otherwise the tagger's choice stands."""
    if kind in (E.COMPANY, E.ORGANIZATION):
        if name.endswith(ORG_SUFFIXES):
            return E.ORGANIZATION
        if name.endswith(COMPANY_SUFFIXES):
            return E.COMPANY
    return kind


@dataclass(frozen=True, eq=False)
class StatisticalTagger:
    """Tags all sentences of a document in one batch, or of many documents (``prepare``): the model
    is fastest batched."""

    model: Tagger

    def prepare(self, views: Sequence[TextView]) -> None:
        sentences = [view.norm[s:e] for view in views for s, e in view.sentences]
        spans = iter(self.model.tag(sentences))
        for view in views:
            tagged = [next(spans) for _ in view.sentences]
            view.__dict__.setdefault("_prepared", {})[self] = self._mentions(view, tagged)

    def __call__(self, view: TextView, known: Sequence[Mention]) -> list[Mention]:
        prepared = view.__dict__.get("_prepared", {}).pop(self, None)
        if prepared is not None:
            return prepared
        return self._mentions(view, self.model.tag([view.norm[s:e] for s, e in view.sentences]))

    def _mentions(self, view: TextView, tagged: list[list[tuple[int, int, str]]]) -> list[Mention]:
        text = view.norm
        out = []
        for (offset, _), spans in zip(view.sentences, tagged, strict=True):
            for a, b, kind in spans:
                start, end = offset + a, offset + b
                name, etype = text[start:end], EntityType(kind)
                guessed_org = etype in (E.COMPANY, E.ORGANIZATION) and not name.endswith(SUFFIXES)
                if plausible(name, etype) and not (guessed_org and cuts_a_word(text, start, end)):
                    out.append(view.mention(start, end, corrected_type(name, etype), ABBREVIATED_PLACES.get(name),
                                            origin=Origin.TAGGER))
        return out


@dataclass(frozen=True, eq=False)
class TwoStageRecogniser:
    """The two-stage tagger in the pipeline: the first stage reads all sentences of a batch of
    documents at once (``prepare``); the second decides per document, weighing the dictionary's
    names and the naming patterns with the rest, so the pipeline runs neither as a stage of its own
    (``weighs_rules``)."""

    model: TwoStageTagger
    weighs_rules: bool = True

    def prepare(self, views: Sequence[TextView]) -> None:
        sentences = [view.norm[s:e] for view in views for s, e in view.sentences]
        crf, base = self.model.propose(sentences)
        words = self.model.words([view.norm for view in views])
        i = 0
        for view, known_words in zip(views, words, strict=True):
            n = len(view.sentences)
            view.__dict__.setdefault("_prepared", {})[self] = ([level[i:i + n] for level in crf], base[i:i + n],
                                                                known_words)
            i += n

    def __call__(self, view: TextView, known: Sequence[Mention]) -> list[Mention]:
        from kg.extraction.ner.statistical.two_stage import document_proposals, named_proposals, pattern_mentions

        prepared = view.__dict__.get("_prepared", {}).pop(self, None)
        if prepared is None:
            self.prepare([view])
            prepared = view.__dict__["_prepared"].pop(self)
        crf, base, words = prepared
        found = pattern_mentions(view, known)
        proposals = document_proposals(view.sentences, crf, base, named_proposals(view, known, found))
        # a span the model keeps is called what a naming pattern called it (星火 X1 -> 讯飞星火X1)
        names = {(m.start, m.end, m.type.value): m.canonical for _, m in found}
        out = []
        for start, end, kind, _ in self.model.decide(view.norm, proposals, words=words):
            name, etype = view.norm[start:end], EntityType(kind)
            if plausible(name, etype):
                canonical = ABBREVIATED_PLACES.get(name) or names.get((start, end, kind))
                out.append(view.mention(start, end, etype, canonical, origin=Origin.TAGGER))
        return out


class StatisticalSettings(BaseModel):
    """``[components.statistical]``: the tagger's settings (``--ner-model``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: a model trained with kg train-ner (None: the shipped kg/data/kg_ner.npz)
    model: Path | None = None


def statistical_tagger(config: ExtractorConfig) -> Recogniser:
    from kg.extraction.ner.statistical.two_stage import TwoStageTagger

    model = load_model(config.settings_of("statistical").model or shipped_model())
    return TwoStageRecogniser(model) if isinstance(model, TwoStageTagger) else StatisticalTagger(model)


statistical_tagger.Settings = StatisticalSettings  # type: ignore[attr-defined]
