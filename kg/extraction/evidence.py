"""Where the two ends of a relation stand in its evidence sentence.

An evidence item of ``graph.json`` (one per document sentence stating an edge) carries, besides
``doc_id``, ``text``, ``start``, ``end`` and ``confidence``, the offsets of the head's and the tail's
mention (or of the anaphor standing for one) as ``head_start``/``head_end``/``tail_start``/``tail_end``,
in the same frame as ``start``/``end``: the document's original text, so ``text[head_start - start:
head_end - start]`` is the head's mention. An end stood for by an anaphor (该公司, 其, 4.0版本) also has
``head_via``/``tail_via``: the anaphor and where its antecedent was named (:class:`kg.models.Resolution`).

:func:`segments` cuts the text into plain and marked pieces, for the terminal (brackets or styles)
and the HTML page (``<mark>`` elements built from text nodes) alike: the text stays data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # a lookup reads evidence without importing pydantic
    from kg.models import Relation

Role = Literal["head", "tail", "both"]
END_FIELDS = ("head_start", "head_end", "tail_start", "tail_end")


def evidence_item(rel: Relation) -> dict[str, Any]:
    """The evidence item of ``graph.json`` for one relation, with the offsets of both its ends."""
    item: dict[str, Any] = {"doc_id": rel.doc_id, "text": rel.evidence, "start": rel.start, "end": rel.end,
                            "confidence": rel.confidence}
    for name in END_FIELDS:
        value = getattr(rel, name)
        if value is not None:
            item[name] = value
    for name in ("head_via", "tail_via"):
        via = getattr(rel, name)
        if via is not None:
            item[name] = via.model_dump()
    return item


def swapped_ends(item: dict[str, Any]) -> dict[str, Any]:
    """``item`` with head and tail exchanged (a symmetric relation stored the other way round)."""
    out = {k: v for k, v in item.items() if not k.startswith(("head_", "tail_"))}
    for key, value in item.items():
        if key.startswith("head_"):
            out["tail_" + key[5:]] = value
        elif key.startswith("tail_"):
            out["head_" + key[5:]] = value
    return out


def ends_record(item: Mapping[str, Any]) -> dict[str, Any] | None:
    """Where one evidence sentence names the relation's two ends, standing alone (for stores that
    keep evidence as text lines: the Bolt loader, neo4j-admin CSV): ``doc_id``, the sentence's
    ``start``/``end`` in the document, ``head``/``tail`` as ``[start, end]`` in the sentence, and
    ``head_via``/``tail_via`` for an anaphor. None for an item recorded without its ends.

    >>> ends_record({"doc_id": "d", "text": "华为发布了昇腾910B", "start": 10, "end": 21, "head_start": 10,
    ...              "head_end": 12, "tail_start": 15, "tail_end": 21})
    {'doc_id': 'd', 'start': 10, 'end': 21, 'head': [0, 2], 'tail': [5, 11]}
    """
    base = item.get("start")
    if not isinstance(base, int) or not all(isinstance(item.get(f), int) for f in END_FIELDS):
        return None
    out: dict[str, Any] = {"doc_id": str(item.get("doc_id", "")), "start": base, "end": item.get("end"),
                           "head": [item["head_start"] - base, item["head_end"] - base],
                           "tail": [item["tail_start"] - base, item["tail_end"] - base]}
    for name in ("head_via", "tail_via"):
        if item.get(name):
            out[name] = item[name]
    return out


@dataclass(frozen=True)
class EndMark:
    """One end's place in the evidence text (offsets into ``text``, not the document)."""

    role: Role
    start: int
    end: int


def end_marks(item: Mapping[str, Any]) -> list[EndMark]:
    """Where the head and the tail are in ``item["text"]``, in text order; an end whose offsets are
    missing or fall outside the text is left out. Overlapping ends (华为 inside 华为昇腾910B) are
    one mark of role ``both``."""
    text, base = str(item.get("text", "")), item.get("start")
    marks: list[EndMark] = []
    for role in ("head", "tail"):
        a, b = item.get(f"{role}_start"), item.get(f"{role}_end")
        if not all(isinstance(v, int) for v in (a, b, base)):
            continue
        a, b = a - base, b - base  # type: ignore[operator]
        if 0 <= a < b <= len(text):
            marks.append(EndMark(role, a, b))  # type: ignore[arg-type]
    marks.sort(key=lambda m: (m.start, m.end))
    if len(marks) == 2 and marks[1].start < marks[0].end:
        return [EndMark("both", marks[0].start, max(marks[0].end, marks[1].end))]
    return marks


def segments(text: str, marks: list[EndMark]) -> list[tuple[str, Role | None]]:
    """``text`` cut into pieces, each with the role of the end it is (None: between the ends).

    >>> segments("华为发布了昇腾910B", [EndMark("head", 0, 2), EndMark("tail", 5, 11)])
    [('华为', 'head'), ('发布了', None), ('昇腾910B', 'tail')]
    """
    out: list[tuple[str, Role | None]] = []
    cursor = 0
    for m in marks:
        if text[cursor:m.start]:
            out.append((text[cursor:m.start], None))
        out.append((text[m.start:m.end], m.role))
        cursor = m.end
    if text[cursor:]:
        out.append((text[cursor:], None))
    return out


def window(text: str, marks: list[EndMark], width: int) -> tuple[str, list[EndMark]]:
    """At most about ``width`` characters of ``text`` that keep both ends in view (with … where cut),
    and the marks moved to match."""
    if len(text) <= width:
        return text, marks
    lo = min((m.start for m in marks), default=0)
    hi = max((m.end for m in marks), default=min(len(text), width))
    spare = max(0, width - (hi - lo))
    a = max(0, lo - spare // 2)
    b = min(len(text), max(hi, a + width))
    a = max(0, min(a, b - width)) if hi - lo < width else lo
    head, tail = ("…" if a > 0 else ""), ("…" if b < len(text) else "")
    shift = len(head) - a
    moved = [EndMark(m.role, m.start + shift, m.end + shift) for m in marks]
    return head + text[a:b] + tail, moved
