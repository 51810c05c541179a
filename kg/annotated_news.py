"""Annotated news: articles with gold graphs (``texts/<id>.txt`` + ``gold/<id>.json``, the format of
the annotation guidelines), the training and development data of the whole schema.

The gold graphs name entities (name, type, aliases) and relations (head, relation, tail, evidence
quote) but give no offsets. :func:`project` finds every mention of every gold entity in the text,
leftmost-longest over all surface forms, compared as the scorer compares names (traditional =
simplified, case, spaces and hyphens ignored; a Latin name stands as a whole word), so the tagger
can learn from characters and the relation model from mention pairs.

The development split is fixed by article: within each topic letter (``SN_A01_…`` is topic ``A``)
every fifth article in id order, so each topic is in both parts and no article is in both.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kg.extraction.dictionary import Dictionary, Entry
from kg.extraction.ner.dictionary_matcher import dictionary_mentions
from kg.extraction.ner.textview import TextView
from kg.schema import EntityType

#: Where the annotated news lies beside a checkout (never copied into the repository).
DEFAULT_NEWS = Path("..") / "shared" / "data" / "schema_news"
#: One article in this many (per topic, in id order) is development data.
DEV_EVERY = 5


class AnnotatedError(ValueError):
    """A malformed annotated-news folder or file; the message names it."""


@dataclass(frozen=True)
class GoldMention:
    start: int
    end: int
    type: EntityType
    entity: int  # index into the document's gold entities


@dataclass(frozen=True, eq=False)
class AnnotatedDoc:
    doc_id: str
    text: str
    gold: dict

    @property
    def topic(self) -> str:
        return topic_of(self.doc_id)

    @cached_property
    def view(self) -> TextView:
        return TextView(self.text)

    @cached_property
    def mentions(self) -> list[GoldMention]:
        return project(self)

    @property
    def entities(self) -> list[dict]:
        return self.gold.get("entities") or []

    @property
    def relations(self) -> list[dict]:
        return self.gold.get("relations") or []


def topic_of(doc_id: str) -> str:
    """The topic letter of an id like ``SN_A01_name`` (empty for other ids).

    >>> topic_of("SN_A01_baichuan"), topic_of("000_26b5e33c")
    ('A', '')
    """
    parts = doc_id.split("_")
    return parts[1][:1] if len(parts) > 2 and parts[0] == "SN" and parts[1][:1].isalpha() else ""


def read_annotated(root: Path | str = DEFAULT_NEWS, texts: Path | str | None = None) -> list[AnnotatedDoc]:
    """Every gold graph of ``root/gold`` (or ``root`` itself) with its text from ``texts`` (default
    ``root/texts``), in id order."""
    root = Path(root)
    gold_dir = root / "gold" if (root / "gold").is_dir() else root
    text_dir = Path(texts) if texts is not None else root / "texts"
    if not gold_dir.is_dir():
        raise AnnotatedError(f"{root}: no such annotated-news folder")
    docs = []
    for path in sorted(gold_dir.glob("*.json")):
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))
            doc_id = gold["doc_id"]
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise AnnotatedError(f"{path}: not a gold graph ({exc.__class__.__name__})") from None
        text_path = text_dir / f"{doc_id}.txt"
        try:
            text = text_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AnnotatedError(f"{text_path}: cannot read the text of {doc_id} ({exc.__class__.__name__})") from None
        docs.append(AnnotatedDoc(doc_id, text, gold))
    return docs


def split(docs: Sequence[AnnotatedDoc], every: int = DEV_EVERY) -> tuple[list[AnnotatedDoc], list[AnnotatedDoc]]:
    """(train, development): per topic, in id order, the articles at positions ``every-1``,
    ``2*every-1`` … are development data."""
    by_topic: dict[str, list[AnnotatedDoc]] = {}
    for d in sorted(docs, key=lambda d: d.doc_id):
        by_topic.setdefault(d.topic, []).append(d)
    dev_ids = {d.doc_id for group in by_topic.values() for i, d in enumerate(group) if i % every == every - 1}
    return [d for d in docs if d.doc_id not in dev_ids], [d for d in docs if d.doc_id in dev_ids]


def project(doc: AnnotatedDoc) -> list[GoldMention]:
    """Every mention of the document's gold entities in its text (offsets into the text)."""
    entries, index = [], {}
    for i, e in enumerate(doc.entities):
        try:
            etype = EntityType(e["type"])
        except (KeyError, ValueError):
            continue
        entry = Entry(str(e["name"]), etype, None, tuple(str(a) for a in e.get("aliases") or ()))
        entries.append(entry)
        index.setdefault(entry.name, i)
    if not entries:
        return []
    found = dictionary_mentions(doc.view, Dictionary(entries))
    return [GoldMention(m.start, m.end, m.type, index[m.canonical]) for m in found if m.canonical in index]


def by_topic(docs: Iterable[AnnotatedDoc]) -> dict[str, list[AnnotatedDoc]]:
    out: dict[str, list[AnnotatedDoc]] = {}
    for d in docs:
        out.setdefault(d.topic, []).append(d)
    return dict(sorted(out.items()))
