"""Mention recognition: the dictionary, naming patterns, rules for open-vocabulary names, and a
registered entity tagger (``kg.registry.TAGGERS``), combined by :class:`MentionFinder`.

Every recogniser has the shape ``(TextView, known mentions) -> list[Mention]``
(:class:`kg.ner.taggers.base.Recogniser`).
"""

from kg.ner.combine import MentionFinder, select

__all__ = ["MentionFinder", "select"]
