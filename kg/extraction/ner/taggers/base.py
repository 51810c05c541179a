"""What a tagger is: a recogniser built from the extractor's configuration."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

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


class Batched(Protocol):
    """A recogniser that may also read many documents at once, before they are extracted one by
    one: ``prepare(views)`` remembers its mentions on each view, ``__call__`` then returns them."""

    def prepare(self, views: Sequence[TextView]) -> None: ...

    def __call__(self, view: TextView, known: Sequence[Mention]) -> list[Mention]: ...


#: A tagger is registered as a factory, so it can load its model once per configuration.
TaggerFactory = Callable[["ExtractorConfig"], Recogniser]
