"""The pair classifier as a relation component (registered as ``classifier``).

The model loads once per process and model file (before a pool forks, so workers share it); the
component scores all sentences of a document in one batch (:meth:`ClassifierRule.prepare`), then
answers each sentence from what it scored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from kg.extraction.relations.base import Context, Proposal, Sentence
from kg.extraction.relations.classifier.combine import TRIGGER
from kg.extraction.relations.classifier.model import PairClassifier, Scored
from kg.extraction.relations.confidence import RulePrecision
from kg.modelfile import open_model
from kg.schema import RelationType

if TYPE_CHECKING:
    from kg.extraction.config import ExtractorConfig

MODEL_FILE = "kg_relations.npz"
_RELATIONS = {r.value: r for r in RelationType}


@lru_cache(maxsize=1)
def shipped_model() -> Path:
    return Path(str(resources.files("kg") / "data" / MODEL_FILE))


@lru_cache(maxsize=4)
def load_model(path: Path) -> PairClassifier:
    """The model in ``path``, loaded once per process, or ``ModelError`` saying what is wrong."""
    return open_model(path, PairClassifier.load, "kg relation model (kg train-relations writes one)")


def model_of(config: ExtractorConfig) -> PairClassifier:
    return load_model(config.settings_of("classifier").model or shipped_model())


class ClassifierSettings(BaseModel):
    """``[components.classifier]``: the component's settings (``--relation-model``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: a model trained with kg train-relations, which also holds the measured precision of the
    #: rules (None: the shipped kg/data/kg_relations.npz)
    model: Path | None = None


def rule_precision(config: ExtractorConfig) -> RulePrecision:
    """The measured precision of the rules' confidences, kept in the relation model of ``config``."""
    return RulePrecision.from_json(model_of(config).meta.get("rule_precision"))


class ClassifierRule:
    """Proposes the relations the classifier scores at or above each label's threshold, with the
    calibrated probability as confidence. Labels that are no relation type (ALIAS) are not proposed.

    ``model``: the file of the model (None: the shipped one), loaded when first needed."""

    #: The extractor lets a rule's proposal overrule this one (kg.extraction.relations.classifier.combine).
    overruled_by_rules = True
    Settings = ClassifierSettings

    def __init__(self, model: Path | None = None) -> None:
        self.path = model

    @property
    def model(self) -> PairClassifier:
        return load_model(self.path or shipped_model())

    @classmethod
    def for_config(cls, config: ExtractorConfig) -> ClassifierRule:
        """The component of ``config`` (its settings' ``model``), its model loaded now."""
        rule = cls(config.settings_of("classifier").model)
        rule.model  # noqa: B018  (a missing or broken model is an error now, not in the first document)
        return rule

    def prepare(self, sentences: Sequence[Sentence]) -> None:
        """Score every sentence of a document now, in one batch; each is then read from what was scored."""
        inside = [_inside(s) for s in sentences]
        batch = self.model.score_batch([(s.text, [s.spans[i] for i in keep]) for s, keep in zip(sentences, inside,
                                                                                               strict=True)])
        for sent, keep, scored in zip(sentences, inside, batch, strict=True):
            sent.__dict__.setdefault("_prepared", {})[self] = (keep, scored)

    def __call__(self, sent: Sentence, ctx: Context) -> Iterator[Proposal]:
        prepared: tuple[list[int], list[Scored]] | None = sent.__dict__.get("_prepared", {}).pop(self, None)
        if prepared is None:
            keep = _inside(sent)
            prepared = keep, self.model.score(sent.text, [sent.spans[i] for i in keep])
        keep, scored = prepared
        for h, t, label, p in scored:
            relation = _RELATIONS.get(label)
            if relation is not None:
                head, tail = sent.spans[keep[h]], sent.spans[keep[t]]
                yield Proposal(head.name, relation, tail.name, p, TRIGGER, head_span=head, tail_span=tail)


def _inside(sent: Sentence) -> list[int]:
    """The indices of the sentence's mentions that lie within it: a sentence cut for length (no
    punctuation for too long) may end inside a mention, which then belongs to no pair."""
    return [i for i, s in enumerate(sent.spans) if 0 <= s.start < s.end <= len(sent.text)]


#: What the registry holds (``classifier``): the component with the shipped model.
CLASSIFIER = ClassifierRule()
