"""Per-document extraction (work in progress: replaced by the full extractor)."""

from __future__ import annotations

from kg.models import Document, Extraction


def extract_document(doc: Document) -> Extraction:
    return Extraction(doc_id=doc.id, source=doc.source, chars=len(doc.text))
