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

def test_develops_by_launch_verb_joint_launch_and_possessive() -> None:
    sent = sentence("星海互娱发布了天穹大模型。", ("星海互娱", E.COMPANY), ("天穹大模型", E.AIMODEL))
    assert run(products.develop_relations, sent) == {("星海互娱", "DEVELOPS", "天穹大模型")}
    joint = sentence("星海互娱与云帆科技联合发布天穹一号。", ("星海互娱", E.COMPANY), ("云帆科技", E.COMPANY),
                     ("天穹一号", E.PRODUCT))
    assert run(products.develop_relations, joint) == {("星海互娱", "DEVELOPS", "天穹一号"),
                                                      ("云帆科技", "DEVELOPS", "天穹一号")}
    owned = sentence("星海互娱的天穹一号销量很好。", ("星海互娱", E.COMPANY), ("天穹一号", E.PRODUCT))
    assert run(products.develop_relations, owned) == {("星海互娱", "DEVELOPS", "天穹一号")}


def test_a_makers_name_in_front_of_a_name_is_an_attribution() -> None:
    brand = sentence("华为昇腾910B已经量产。", ("华为昇腾910B", E.CHIP, "昇腾910B"))
    assert run(products.brand_relations, brand) == {("华为", "DEVELOPS", "昇腾910B")}
    # a company the document named, not only the dictionary's
    ctx = Context(Dictionary.default(), known_companies={"星海互娱": "星海互娱"})
    own = sentence("星海互娱天穹X今天上线。", ("星海互娱天穹X", E.AIMODEL))
    assert run(products.brand_relations, own, ctx) == {("星海互娱", "DEVELOPS", "星海互娱天穹X")}
    # a name of its own that opens with the brand (讯飞星火, DeepSeek-R1) says nothing more than itself
    assert run(products.brand_relations, sentence("DeepSeek-R1已经开源。", ("DeepSeek-R1", E.AIMODEL))) == set()


def test_uses_what_a_model_is_based_on() -> None:
    sent = sentence("天穹大模型基于昇腾910B训练。", ("天穹大模型", E.AIMODEL), ("昇腾910B", E.CHIP))
    assert run(products.use_relations, sent) == {("天穹大模型", "USES", "昇腾910B")}
    built = sentence("星海互娱发布了基于昇腾910B的天穹一号。", ("星海互娱", E.COMPANY), ("昇腾910B", E.CHIP),
                     ("天穹一号", E.PRODUCT))
    assert run(products.use_relations, built) == {("天穹一号", "USES", "昇腾910B")}


# --- running the rules together ---------------------------------------------------------------------------

def test_rules_run_in_registered_order_and_signatures_filter() -> None:
    assert RELATION_RULES.names() == ["partner", "develop", "brand", "use", "classifier"]
    sent = sentence("星海互娱与云帆科技合作，发布了天穹大模型。", ("星海互娱", E.COMPANY), ("云帆科技", E.COMPANY),
                    ("天穹大模型", E.AIMODEL))
    types = {"星海互娱": E.COMPANY, "云帆科技": E.COMPANY, "天穹大模型": E.AIMODEL}
    rules = [r.load() for r in RELATION_RULES.entries() if r.name != "classifier"]
    got = [(p.head, p.relation.value, p.tail) for p in sentence_relations(sent, Context(Dictionary.default()),
                                                                          types, rules)]
    assert got == [("星海互娱", "PARTNERS_WITH", "云帆科技"), ("星海互娱", "DEVELOPS", "天穹大模型")]
    # with 天穹大模型 typed as a place, DEVELOPS breaks its signature and is dropped
    wrong = dict(types, 天穹大模型=E.PLACE)
    assert all(p.relation.value != "DEVELOPS"
               for p in sentence_relations(sent, Context(Dictionary.default()), wrong, rules))


# --- rules by structure -------------------------------------------------------------------------------------

def develops(sent: Sentence, ctx: Context | None = None) -> set[tuple[str, str, str]]:
    return run(products.develop_relations, sent, ctx)


def test_the_subject_carries_across_the_clauses_of_a_sentence() -> None:
    sent = sentence("星海互娱发布了天穹大模型，并宣布开源天穹一号。", ("星海互娱", E.COMPANY),
                    ("天穹大模型", E.AIMODEL), ("天穹一号", E.PRODUCT))
    assert develops(sent) == {("星海互娱", "DEVELOPS", "天穹大模型"), ("星海互娱", "DEVELOPS", "天穹一号")}


def test_a_subject_is_not_carried_across_a_clause_with_a_subject_of_its_own() -> None:
    sent = sentence("星海互娱发布了财报，王大可表示，将推出天穹一号。", ("星海互娱", E.COMPANY), ("王大可", E.PERSON),
                    ("天穹一号", E.PRODUCT))
    assert develops(sent) == set()


@pytest.mark.parametrize("text", [
    "星海互娱发布了三款模型，包括天穹A、天穹B和天穹C。",
    "星海互娱推出两款新品，分别是天穹A、天穹B，以及天穹C。",
    "星海互娱公布了一系列进展，包括天穹A、天穹B及天穹C。",
])
def test_a_list_in_the_next_clause_is_what_was_launched(text: str) -> None:
    sent = sentence(text, ("星海互娱", E.COMPANY), ("天穹A", E.AIMODEL), ("天穹B", E.AIMODEL), ("天穹C", E.AIMODEL))
    assert develops(sent) == {("星海互娱", "DEVELOPS", m) for m in ("天穹A", "天穹B", "天穹C")}


def test_a_list_launch_verb_does_not_launch_its_own_object() -> None:
    sent = sentence("星海互娱公布了天穹A的参数。", ("星海互娱", E.COMPANY), ("天穹A", E.AIMODEL))
    assert develops(sent) == set()


@pytest.mark.parametrize("text", ["星海互娱推出了对标GPT-4的天穹X。", "星海互娱推出了对标GPT-4的全新大模型天穹X。"])
def test_a_relative_clause_with_de_names_what_is_compared_not_what_is_made(text: str) -> None:
    sent = sentence(text, ("星海互娱", E.COMPANY), ("GPT-4", E.AIMODEL), ("天穹X", E.AIMODEL))
    assert develops(sent) == {("星海互娱", "DEVELOPS", "天穹X")}


@pytest.mark.parametrize("text", [
    "星海互娱与云帆科技联合发布天穹一号。",
    "星海互娱联合云帆科技发布天穹一号。",
    "星海互娱与云帆科技达成合作，并联合发布天穹一号。",
    "星海互娱完成了新一轮融资，并联合云帆科技发布天穹一号。",
])
def test_every_party_of_a_joint_action_develops(text: str) -> None:
    sent = sentence(text, ("星海互娱", E.COMPANY), ("云帆科技", E.COMPANY), ("天穹一号", E.PRODUCT))
    assert develops(sent) == {("星海互娱", "DEVELOPS", "天穹一号"), ("云帆科技", "DEVELOPS", "天穹一号")}


def test_every_party_of_a_listed_joint_action_develops() -> None:
    sent = sentence("星海互娱与云帆科技、北辰数据共同发布天穹一号。", ("星海互娱", E.COMPANY), ("云帆科技", E.COMPANY),
                    ("北辰数据", E.COMPANY), ("天穹一号", E.PRODUCT))
    assert develops(sent) == {(c, "DEVELOPS", "天穹一号") for c in ("星海互娱", "云帆科技", "北辰数据")}


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
