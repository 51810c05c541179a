"""What an extractor is made of, said explicitly: one frozen, picklable, hashable object.

>>> ExtractorConfig().tagger
'statistical'
>>> make_config(tagger="nonsense")
Traceback (most recent call last):
...
kg.extraction.config.ConfigError: unknown tagger 'nonsense'; choose from: jieba, jieba-posseg, lac, none, statistical
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kg.extraction.ner.taggers import DEFAULT_TAGGER
from kg.registry import RELATION_RULES, TAGGERS, UnknownComponentError, check_names

#: Longest document read in one piece (longer ones are read in chunks of at most this size).
DEFAULT_CHUNK_CHARS = 100_000


class ExtractorConfig(BaseModel):
    """Everything the stages of extraction read. Equal configs build equal extractors, so a
    process builds each one once (see :class:`kg.extraction.extractor.Extractor`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The registered entity tagger that finds the names no dictionary or rule finds.
    tagger: str = DEFAULT_TAGGER
    #: The model of the ``statistical`` tagger (None: the shipped kg/data/kg_ner.npz).
    ner_model: Path | None = None
    #: Dictionary files (kg/data/entities.tsv format) read after the shipped one; their entries
    #: win over shipped entries with the same name.
    dictionaries: tuple[Path, ...] = ()
    #: Whether the shipped dictionary (kg/data/entities.tsv) is read at all.
    shipped_dictionary: bool = True
    #: Relation components to run (the rules and ``classifier``), by registered name, in their
    #: registered order; None: every one.
    relation_rules: tuple[str, ...] | None = None
    #: The model of the ``classifier`` component, which also holds the measured precision that
    #: calibrates the rules' confidences (None: the shipped kg/data/kg_relations.npz).
    relation_model: Path | None = None
    #: Relations less confident than this are left out (confidences are calibrated: ~ precision).
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    #: Documents longer than this many characters are read in chunks of at most this size, cut at
    #: sentence boundaries (see kg.io.chunks): memory is bounded by a chunk, time linear in the length.
    chunk_chars: int = Field(default=DEFAULT_CHUNK_CHARS, ge=10_000)

    @field_validator("tagger")
    @classmethod
    def _known_tagger(cls, name: str) -> str:
        TAGGERS.get(name)
        return name

    @model_validator(mode="after")
    def _model_needs_its_tagger(self) -> ExtractorConfig:
        if self.ner_model is not None and self.tagger != "statistical":
            raise ValueError(f"a NER model is read by the statistical tagger, not by {self.tagger!r}")
        return self

    @field_validator("relation_rules")
    @classmethod
    def _known_rules(cls, names: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if names is None else check_names(RELATION_RULES, names)


class ConfigError(ValueError):
    """A configuration that cannot be built, in one line."""


def make_config(**values: object) -> ExtractorConfig:
    """An ``ExtractorConfig``, or ``ConfigError`` with the first problem in one line."""
    try:
        return ExtractorConfig(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, UnknownComponentError):
            raise ConfigError(str(cause)) from None
        where = ".".join(str(p) for p in first["loc"])
        message = str(cause) if cause is not None else first["msg"]
        raise ConfigError(f"{where}: {message}" if where else message) from None
