"""Coreference in one place: a person named in full, then by surname and title (``names``), and
anaphors that stand for an entity named before (``anaphora``: 该公司, 其, 我们)."""
