"""The registered entity taggers (``--ner NAME``): one module each, registered in ``kg.registry.TAGGERS``.

Importing this package registers the built-in ones; a new tagger is a new module here plus its
line below.
"""

from kg.ner.taggers import jieba_tags, lac, none  # noqa: F401  (each registers itself)
