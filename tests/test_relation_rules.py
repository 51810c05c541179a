"""Each family of relation rules on its own sentences, with the mentions given (no tagger involved).

Sentences are hand-made (none from the seeds or the development data)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kg.extraction.dictionary import Dictionary
from kg.extraction.relations import (
    Context,
    Proposal,
    Sentence,
    Span,
    organisations,
    products,
    read_anaphors,
    sentence_relations,
)
from kg.registry import RELATION_RULES
from kg.schema import EntityType

E = EntityType
Rule = Callable[[Sentence, Context], Iterator[Proposal]]


def sentence(text: str, *mentions: tuple[str, EntityType] | tuple[str, EntityType, str]) -> Sentence:
    """``text`` with each mention at its first occurrence after the previous one: (surface, type[, name])."""
    spans, pos = [], 0
    for surface, etype, *name in mentions:
        start = text.index(surface, pos)
        spans.append(Span(name[0] if name else surface, etype, start, start + len(surface), surface))
        pos = start + len(surface)
    return Sentence(text, sorted(spans, key=lambda s: s.start))


def run(rule: Rule, sent: Sentence, ctx: Context | None = None) -> set[tuple[str, str, str]]:
    """What ``rule`` proposes for ``sent`` read as the extractor reads it (its anaphors resolved)."""
    ctx = ctx or Context(Dictionary.default())
    return {(p.head, p.relation.value, p.tail) for p in rule(read_anaphors(sent, ctx), ctx)}


# --- people and roles ----------------------------------------------------------------------------------------

# --- places ---------------------------------------------------------------------------------------------------

# --- organisations ------------------------------------------------------------------------------------------

def test_partners_by_preposition_and_verb() -> None:
    sent = sentence("星海互娱与云帆科技、北辰数据达成合作。", ("星海互娱", E.COMPANY), ("云帆科技", E.COMPANY),
                    ("北辰数据", E.COMPANY))
    assert run(organisations.partner_relations, sent) == {("星海互娱", "PARTNERS_WITH", "云帆科技"),
                                                          ("星海互娱", "PARTNERS_WITH", "北辰数据")}
    verb = sentence("星海互娱携手云帆科技建设算力中心。", ("星海互娱", E.COMPANY), ("云帆科技", E.COMPANY))
    assert run(organisations.partner_relations, verb) == {("星海互娱", "PARTNERS_WITH", "云帆科技")}


def test_a_pronoun_subject_is_the_documents_topic() -> None:
    ctx = Context(Dictionary.default())
    ctx.update(Sentence("星海互娱", [Span("星海互娱", E.COMPANY, 0, 4)]))
    sent = sentence("我们与云帆科技合作多年。", ("云帆科技", E.COMPANY))
    assert run(organisations.partner_relations, sent, ctx) == {("星海互娱", "PARTNERS_WITH", "云帆科技")}


# --- products, models and chips ----------------------------------------------------------------------------

def test_uses_what_a_model_is_based_on() -> None:
    sent = sentence("天穹大模型基于昇腾910B训练。", ("天穹大模型", E.AIMODEL), ("昇腾910B", E.CHIP))
    assert run(products.use_relations, sent) == {("天穹大模型", "USES", "昇腾910B")}
    built = sentence("星海互娱发布了基于昇腾910B的天穹一号。", ("星海互娱", E.COMPANY), ("昇腾910B", E.CHIP),
                     ("天穹一号", E.PRODUCT))
    assert run(products.use_relations, built) == {("天穹一号", "USES", "昇腾910B")}


# --- running the rules together ---------------------------------------------------------------------------

def test_rules_run_in_registered_order_and_signatures_filter() -> None:
    # partner and use are the families that measurably add to the relation model (docs/relations.md)
    assert RELATION_RULES.names() == ["partner", "use", "classifier"]
    sent = sentence("星海互娱与云帆科技合作，天穹大模型基于昇腾910B训练。", ("星海互娱", E.COMPANY),
                    ("云帆科技", E.COMPANY), ("天穹大模型", E.AIMODEL), ("昇腾910B", E.CHIP))
    types = {"星海互娱": E.COMPANY, "云帆科技": E.COMPANY, "天穹大模型": E.AIMODEL, "昇腾910B": E.CHIP}
    rules = [r.load() for r in RELATION_RULES.entries() if r.name != "classifier"]
    got = [(p.head, p.relation.value, p.tail) for p in sentence_relations(sent, Context(Dictionary.default()),
                                                                          types, rules)]
    assert got == [("星海互娱", "PARTNERS_WITH", "云帆科技"), ("天穹大模型", "USES", "昇腾910B")]
    # with 昇腾910B typed as a place, USES breaks its signature and is dropped
    wrong = dict(types, 昇腾910B=E.PLACE)
    assert all(p.relation.value != "USES"
               for p in sentence_relations(sent, Context(Dictionary.default()), wrong, rules))


# --- rules by structure -------------------------------------------------------------------------------------

def uses(sent: Sentence, ctx: Context | None = None) -> set[tuple[str, str, str]]:
    return run(products.use_relations, sent, ctx)


def test_the_subject_carries_across_the_clauses_of_a_sentence() -> None:
    sent = sentence("天穹大模型完成了新一轮训练，但背后是昇腾910B的算力。", ("天穹大模型", E.AIMODEL),
                    ("昇腾910B", E.CHIP))
    assert uses(sent) == {("天穹大模型", "USES", "昇腾910B")}


def test_a_subject_is_not_carried_across_a_clause_with_a_subject_of_its_own() -> None:
    sent = sentence("天穹大模型完成了训练，王大可表示，将基于昇腾910B推理。", ("天穹大模型", E.AIMODEL),
                    ("王大可", E.PERSON), ("昇腾910B", E.CHIP))
    assert uses(sent) == set()


def test_a_launch_names_its_maker_but_only_the_product_uses() -> None:
    sent = sentence("星海互娱发布了基于昇腾910B的天穹一号。", ("星海互娱", E.COMPANY), ("昇腾910B", E.CHIP),
                    ("天穹一号", E.PRODUCT))
    assert uses(sent) == {("天穹一号", "USES", "昇腾910B")}


def test_no_subject_in_the_sentence_gives_no_relation_to_the_documents_topic() -> None:
    ctx = Context(Dictionary.default())
    ctx.update(Sentence("星海互娱发布了财报。", [Span("星海互娱", E.COMPANY, 0, 4, "星海互娱")]))
    sent = sentence("大模型的4.0版本也将完全基于华为的算力。", ("华为", E.COMPANY))
    assert run(products.use_relations, sent, ctx) == set()


# --- coreference beyond the sentence ------------------------------------------------------------------------

def read(ctx: Context, text: str, *mentions: tuple[str, EntityType] | tuple[str, EntityType, str],
         start: int = 0) -> Sentence:
    """``text`` as the extractor reads it at ``start`` of its document (anaphors resolved), then remembered."""
    sent = read_anaphors(Sentence(text, sentence(text, *mentions).spans, start), ctx)
    ctx.update(sent)
    return sent


@pytest.mark.parametrize(("anaphor", "expected"), [
    ("该模型", "天穹4.0"), ("该公司", "星海互娱"), ("其", "天穹4.0"), ("它", "天穹4.0"),
])
def test_an_anaphor_stands_for_the_last_entity_of_its_type_named_before(anaphor: str, expected: str) -> None:
    ctx = Context(Dictionary.default())
    first = "星海互娱去年发布了天穹4.0。"
    read(ctx, first, ("星海互娱", E.COMPANY), ("天穹4.0", E.AIMODEL))
    second = read(ctx, f"{anaphor}基于昇腾910B。", ("昇腾910B", E.CHIP), start=len(first))
    [span] = [s for s in second.spans if s.antecedent is not None]
    assert (span.name, span.surface, span.start) == (expected, anaphor, 0)
    # the antecedent is where the entity was named, in the document's text
    assert first[span.antecedent.start:span.antecedent.end] == expected
    assert (span.antecedent.sentence_start, span.antecedent.sentence_end) == (0, len(first))


def test_an_anaphor_with_no_antecedent_of_its_type_stands_for_nothing() -> None:
    ctx = Context(Dictionary.default())
    read(ctx, "星海互娱去年发布了财报。", ("星海互娱", E.COMPANY))
    sent = read(ctx, "该模型基于昇腾910B。", ("昇腾910B", E.CHIP), start=12)
    assert all(s.antecedent is None for s in sent.spans)
    assert run(products.use_relations, sent, ctx) == set()


def test_a_relation_through_an_anaphor_is_grounded_on_the_anaphor() -> None:
    ctx = Context(Dictionary.default())
    read(ctx, "星海互娱去年发布了天穹大模型。", ("星海互娱", E.COMPANY), ("天穹大模型", E.AIMODEL))
    sent = read_anaphors(Sentence("该平台与该模型都基于昇腾910B训练。", sentence(
        "该平台与该模型都基于昇腾910B训练。", ("昇腾910B", E.CHIP)).spans, 15), ctx)
    types = {"天穹大模型": E.AIMODEL, "昇腾910B": E.CHIP, "星海互娱": E.COMPANY}
    rules = [r.load() for r in RELATION_RULES.entries()]
    [p] = [p for p in sentence_relations(sent, ctx, types, rules) if p.relation.value == "USES"]
    assert (p.head, p.tail) == ("天穹大模型", "昇腾910B")
    assert sent.text[p.head_span.start:p.head_span.end] == "该模型" and p.head_span.antecedent is not None
    assert sent.text[p.tail_span.start:p.tail_span.end] == "昇腾910B"


def test_a_platform_anaphor_resolves_by_type() -> None:
    ctx = Context(Dictionary.default())
    first = "星海互娱推出了云梯平台和天穹-V3。"
    read(ctx, first, ("星海互娱", E.COMPANY), ("云梯平台", E.PRODUCT), ("天穹-V3", E.AIMODEL))
    sent = read(ctx, "该平台支持V3的推理。", start=len(first))
    # a bare version is no anaphor (it stood for a model in one seed sentence only)
    assert {(s.surface, s.name) for s in sent.spans if s.antecedent} == {("该平台", "云梯平台")}
