"""Pydantic models for everything that crosses a stage boundary."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class Merge(BaseModel):
    """Why another entity of the document was merged into this one: its name, the rule that joined
    them (``declared``: 以下简称X or X（English）; ``short-form``: X股份有限公司 / X; ``maker``: 腾讯混元 /
    混元; ``series``, ``place``: X系列 / X, 合肥市 / 合肥; ``curation``: the user's file) and where the
    text shows it, offsets into the document's ORIGINAL text (the declaration, or the mention of
    the merged name)."""

    name: str
    rule: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Entity(BaseModel):
    """A resolved entity: one node however many surface forms the text uses for it.

    ``merged_from`` keeps the evidence of every merge of two entities of the document into this one
    (extractions written before it existed have none)."""

    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    english: str | None = None
    mentions: int = 0
    merged_from: list[Merge] = Field(default_factory=list)


class Resolution(BaseModel):
    """How an anaphor at one end of a relation (该公司, 其, 4.0版本) was resolved: the anaphor as the
    evidence has it, and where the entity it stands for was named: the antecedent mention and its
    sentence, offsets in the document's ORIGINAL text."""

    anaphor: str
    antecedent_start: int = Field(ge=0)
    antecedent_end: int = Field(ge=0)
    sentence_start: int = Field(ge=0)
    sentence_end: int = Field(ge=0)


class Relation(BaseModel):
    """A typed, directed fact with the sentence that states it.

    Every offset is into the document's ORIGINAL text, like a :class:`Mention`'s: ``evidence`` is
    ``text[start:end]``; ``head_start``/``head_end`` (and ``tail_*``) are where the head (tail) is in
    that sentence, so ``head_start - start`` is its place in ``evidence``. An end stood for by an
    anaphor has the anaphor's offsets, and its ``head_via`` (``tail_via``) says which antecedent
    it was resolved to. Relations read before ends were recorded have None there."""

    head: str
    relation: RelationType
    tail: str
    evidence: str
    doc_id: str
    start: int = Field(ge=0, description="offset of the evidence sentence in the original text")
    end: int = Field(ge=0)
    confidence: float = Field(ge=0.0, le=1.0, default=0.5)
    trigger: str = ""
    head_start: int | None = Field(default=None, ge=0, description="the head's mention or anaphor")
    head_end: int | None = Field(default=None, ge=0)
    tail_start: int | None = Field(default=None, ge=0, description="the tail's mention or anaphor")
    tail_end: int | None = Field(default=None, ge=0)
    head_via: Resolution | None = None
    tail_via: Resolution | None = None

    @model_validator(mode="after")
    def _ends_in_the_sentence(self) -> Relation:
        """An end's offsets come both or neither, and lie inside the evidence sentence: a reader
        must find the end in the evidence."""
        for role in ("head", "tail"):
            a, b = getattr(self, f"{role}_start"), getattr(self, f"{role}_end")
            if (a is None) != (b is None):
                raise ValueError(f"{role}_start and {role}_end come together")
            if a is not None and not self.start <= a < b <= self.end:
                raise ValueError(f"the {role} ({a}, {b}) is not inside the evidence ({self.start}, {self.end})")
        return self

    def shifted(self, by: int) -> Relation:
        """The same relation with every offset moved by ``by`` (its text read at another place)."""
        def move(value: int | None) -> int | None:
            return None if value is None else value + by

        vias = {k: v.model_copy(update={f: getattr(v, f) + by for f in _RESOLUTION_OFFSETS})
                for k, v in (("head_via", self.head_via), ("tail_via", self.tail_via)) if v is not None}
        return self.model_copy(update={"start": self.start + by, "end": self.end + by,
                                       **{f: move(getattr(self, f)) for f in _END_OFFSETS}, **vias})


_END_OFFSETS = ("head_start", "head_end", "tail_start", "tail_end")
_RESOLUTION_OFFSETS = ("antecedent_start", "antecedent_end", "sentence_start", "sentence_end")


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
