"""Mention recognition: the dictionary, naming patterns, rules for open-vocabulary names, and a
registered entity tagger (``kg.registry.TAGGERS``), combined by :class:`kg.extraction.ner.combine.MentionFinder`.

Every recogniser has the shape ``(TextView, known mentions) -> list[Mention]``
(:class:`kg.extraction.ner.taggers.base.Recogniser`). Importing this package imports nothing else, so listing
the taggers stays cheap.
"""
