"""What a tagger is: a recogniser built from the extractor's configuration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from kg.extraction.ner.textview import TextView
from kg.modelfile import ModelError  # noqa: F401  (re-exported: the taggers' model files fail with it)
from kg.models import Mention

if TYPE_CHECKING:
    from kg.extraction.config import ExtractorConfig


class MissingPackageError(RuntimeError):
    """A tagger needs a package that is not installed; the message says how to install it."""


class Recogniser(Protocol):
    """Finds mentions in a document. ``known`` holds what earlier stages found (the dictionary's
    names, the patterns' models and products), which a recogniser may build on or avoid."""

    def __call__(self, view: TextView, known: Sequence[Mention]) -> list[Mention]: ...


@runtime_checkable
class Batched(Protocol):
    """A recogniser that may also read many documents at once, before they are extracted one by
    one: ``prepare(views)`` remembers its mentions on each view, ``__call__`` then returns them."""

    def prepare(self, views: Sequence[TextView]) -> None: ...

    def __call__(self, view: TextView, known: Sequence[Mention]) -> list[Mention]: ...


@runtime_checkable
class WeighsRules(Protocol):
    """A tagger that weighs the patterns' and name rules' guesses itself (``weighs_rules``): they are
    not run beside it (the statistical tagger's second stage)."""

    weighs_rules: bool

    def __call__(self, view: TextView, known: Sequence[Mention]) -> list[Mention]: ...


def weighs_rules(recogniser: object) -> bool:
    """True for a :class:`WeighsRules` tagger that says so."""
    return isinstance(recogniser, WeighsRules) and bool(recogniser.weighs_rules)


class TaggerFactory(Protocol):
    """What :data:`kg.registry.TAGGERS` holds: a factory, so a tagger loads its model once per
    configuration. It may carry ``Settings`` (its own settings model, read with
    ``config.settings_of(name)``) and ``help``."""

    def __call__(self, config: ExtractorConfig) -> Recogniser: ...
