"""Pydantic models for everything that crosses a stage boundary."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kg.schema import EntityType, Origin, RelationType


class Document(BaseModel):
    """One input article. ``source`` says where it came from (file and line) for error messages."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    source: str = ""


class Mention(BaseModel):
    """A surface form found in a document, with offsets into the ORIGINAL text."""

    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    type: EntityType
    canonical: str
    origin: Origin = Origin.DICTIONARY


class Entity(BaseModel):
    """A resolved entity: one node however many surface forms the text uses for it."""

    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    english: str | None = None
    mentions: int = 0


class Relation(BaseModel):
    """A typed, directed fact with the sentence that states it."""

    head: str
    relation: RelationType
    tail: str
    evidence: str
    doc_id: str
    start: int = Field(ge=0, description="offset of the evidence sentence in the original text")
    end: int = Field(ge=0)
    confidence: float = Field(ge=0.0, le=1.0, default=0.5)
    trigger: str = ""


class Extraction(BaseModel):
    """Everything extracted from one document; one line of ``extractions.jsonl``.

    The shape is the one ``shared/gold/score.py`` reads: ``doc_id``, ``entities``, ``relations``.
    """

    doc_id: str
    source: str = ""
    chars: int = 0
    entities: list[Entity] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
