"""A relation component: 华为旗下的海思 says 海思 SUBSIDIARY_OF 华为.

One module and one entry point (``[project.entry-points."kg.relations"]``): once the package is
installed, every extraction runs it beside kg's own components (``relation_rules`` in a
configuration file chooses among them).
"""

from collections.abc import Iterator

from kg.extraction.relations.base import Context, Proposal, R, Sentence, propose
from kg.schema import ORG_LIKE

TRIGGER = "旗下"


def subsidiaries(sent: Sentence, ctx: Context) -> Iterator[Proposal]:
    """Two organisations written 'A旗下(的)B': B is a subsidiary of A."""
    spans = sorted((s for s in sent.spans if s.type in ORG_LIKE), key=lambda s: s.start)
    for parent, child in zip(spans, spans[1:], strict=False):
        between = sent.text[parent.end:child.start]
        if between in (TRIGGER, TRIGGER + "的"):
            # the case names this reading: kg train-relations calibrates it by that name, whatever the number
            yield propose(child, R.SUBSIDIARY_OF, parent, 0.7, TRIGGER, case="subsidiaries")


subsidiaries.help = "A旗下的B: B is a subsidiary of A"
