"""Mention recognition: dictionary, naming patterns, and open-vocabulary NER.

Each recogniser is a function ``(TextView) -> list[Mention]``; :func:`find_mentions` runs them
all and keeps the best non-overlapping set (dictionary and longer spans win).
"""

from kg.ner.combine import find_mentions

__all__ = ["find_mentions"]
