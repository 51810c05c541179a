"""Each family of relation rules on its own sentences, with the mentions given (no tagger involved).

Sentences are hand-made (none from the seeds or the development data)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kg.dictionary import Dictionary
from kg.registry import RELATION_RULES
from kg.relations import (
    Context,
    Proposal,
    Sentence,
    Span,
    organisations,
    people,
    places,
    products,
    read_anaphors,
    sentence_relations,
)
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

@pytest.mark.parametrize(("text", "mentions", "expected"), [
    ("星海互娱董事长王大可出席。", [("星海互娱", E.COMPANY), ("王大可", E.PERSON)],
     ("王大可", "CHAIRMAN_OF", "星海互娱")),
    ("王大可（星海互娱董事长）发言。", [("王大可", E.PERSON), ("星海互娱", E.COMPANY)],
     ("王大可", "CHAIRMAN_OF", "星海互娱")),
    ("王大可担任星海互娱董事局主席。", [("王大可", E.PERSON), ("星海互娱", E.COMPANY)],
     ("王大可", "CHAIRMAN_OF", "星海互娱")),
    ("星海互娱掌舵人王大可表示。", [("星海互娱", E.COMPANY), ("王大可", E.PERSON)],
     ("王大可", "CHAIRMAN_OF", "星海互娱")),
    ("星海互娱创始人兼CEO王大可说。", [("星海互娱", E.COMPANY), ("王大可", E.PERSON)],
     ("王大可", "FOUNDER_OF", "星海互娱")),
    ("星海互娱的首席执行官赵一鸣说。", [("星海互娱", E.COMPANY), ("赵一鸣", E.PERSON)],
     ("赵一鸣", "CEO_OF", "星海互娱")),
])
def test_titles(text: str, mentions: list, expected: tuple) -> None:
    assert expected in run(people.title_relations, sentence(text, *mentions))


def test_a_deputys_title_gives_nothing() -> None:
    sent = sentence("星海互娱副董事长王大可出席。", ("星海互娱", E.COMPANY), ("王大可", E.PERSON))
    assert run(people.title_relations, sent) == set()


def test_founders_by_verb_with_partners_and_passive() -> None:
    sent = sentence("王大可与赵一鸣一起创立了星海互娱。", ("王大可", E.PERSON), ("赵一鸣", E.PERSON),
                    ("星海互娱", E.COMPANY))
    assert run(people.founding_relations, sent) == {("王大可", "FOUNDER_OF", "星海互娱"),
                                                    ("赵一鸣", "FOUNDER_OF", "星海互娱")}
    passive = sentence("星海互娱由王大可创办。", ("星海互娱", E.COMPANY), ("王大可", E.PERSON))
    assert run(people.founding_relations, passive) == {("王大可", "FOUNDER_OF", "星海互娱")}


def test_support() -> None:
    sent = sentence("王大可大力支持星海互娱的研发。", ("王大可", E.PERSON), ("星海互娱", E.COMPANY))
    assert run(people.support_relations, sent) == {("王大可", "SUPPORTS", "星海互娱")}


# --- places ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "mentions", "expected"), [
    ("星海互娱总部位于杭州。", [("星海互娱", E.COMPANY), ("杭州", E.PLACE)], ("星海互娱", "LOCATED_IN", "杭州")),
    ("德国汽车公司宝马发布财报。", [("德国", E.PLACE), ("宝马", E.COMPANY)], ("宝马", "LOCATED_IN", "德国")),
    ("星海互娱2010年在成都成立。", [("星海互娱", E.COMPANY), ("成都", E.PLACE)], ("星海互娱", "LOCATED_IN", "成都")),
    ("智能大会在天津举行。", [("智能大会", E.EVENT), ("天津", E.PLACE)], ("智能大会", "LOCATED_IN", "天津")),
])
def test_locations(text: str, mentions: list, expected: tuple) -> None:
    assert expected in run(places.location_relations, sentence(text, *mentions))


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


def test_subsidiaries_and_listings() -> None:
    sent = sentence("星海互娱旗下的云帆科技发布了新品。", ("星海互娱", E.COMPANY), ("云帆科技", E.COMPANY))
    assert run(organisations.subsidiary_relations, sent) == {("云帆科技", "SUBSIDIARY_OF", "星海互娱")}
    listed = sentence("云帆科技在上交所科创板上市。", ("云帆科技", E.COMPANY), ("上交所", E.ORGANIZATION))
    assert run(organisations.listing_relations, listed) == {("云帆科技", "LISTED_ON", "上交所")}


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


def test_upgrade_and_brand() -> None:
    sent = sentence("星海互娱对天穹一号进行了全面升级。", ("星海互娱", E.COMPANY), ("天穹一号", E.PRODUCT))
    assert run(products.upgrade_relations, sent) == {("星海互娱", "DEVELOPS", "天穹一号")}
    brand = sentence("华为昇腾910B已经量产。", ("华为昇腾910B", E.CHIP, "昇腾910B"))
    assert run(products.brand_relations, brand) == {("华为", "DEVELOPS", "昇腾910B")}


def test_uses_and_what_is_built_on_what() -> None:
    sent = sentence("天穹大模型基于昇腾910B训练。", ("天穹大模型", E.AIMODEL), ("昇腾910B", E.CHIP))
    assert run(products.use_relations, sent) == {("天穹大模型", "USES", "昇腾910B")}
    built = sentence("星海互娱发布了基于昇腾910B的天穹一号。", ("星海互娱", E.COMPANY), ("昇腾910B", E.CHIP),
                     ("天穹一号", E.PRODUCT))
    assert run(products.use_relations, built) == {("天穹一号", "USES", "昇腾910B")}


def test_benchmarks() -> None:
    sent = sentence("天穹大模型在多项测试中超越GPT-4和Claude 3。", ("天穹大模型", E.AIMODEL), ("GPT-4", E.AIMODEL),
                    ("Claude 3", E.AIMODEL))
    assert run(products.benchmark_relations, sent) == {("天穹大模型", "BENCHMARKED_AGAINST", "GPT-4"),
                                                       ("天穹大模型", "BENCHMARKED_AGAINST", "Claude 3")}


# --- running the rules together ---------------------------------------------------------------------------

def test_rules_run_in_registered_order_and_signatures_filter() -> None:
    assert RELATION_RULES.names()[:3] == ["title", "founding", "location"]
    sent = sentence("星海互娱董事长王大可说，星海互娱总部位于杭州。", ("星海互娱", E.COMPANY), ("王大可", E.PERSON),
                    ("星海互娱", E.COMPANY), ("杭州", E.PLACE))
    types = {"星海互娱": E.COMPANY, "王大可": E.PERSON, "杭州": E.PLACE}
    rules = [r.load() for r in RELATION_RULES.entries()]
    got = [(p.head, p.relation.value, p.tail) for p in sentence_relations(sent, Context(Dictionary.default()),
                                                                          types, rules)]
    assert got == [("王大可", "CHAIRMAN_OF", "星海互娱"), ("星海互娱", "LOCATED_IN", "杭州")]
    # with 杭州 typed as a company, LOCATED_IN breaks its signature and is dropped
    wrong = dict(types, 杭州=E.COMPANY)
    assert all(p.relation.value != "LOCATED_IN"
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


@pytest.mark.parametrize("text", [
    "在天穹X正式研发之前，星海互娱已经准备了三年。",
    "星海互娱今年启动了天穹X的训练。",
    "星海互娱启动了新一代天穹X训练。",
])
def test_an_object_before_its_verb(text: str) -> None:
    sent = sentence(text, *sorted([("星海互娱", E.COMPANY), ("天穹X", E.AIMODEL)], key=lambda m: text.index(m[0])))
    assert develops(sent) == {("星海互娱", "DEVELOPS", "天穹X")}


def test_a_compound_noun_with_a_build_verb_is_no_development() -> None:
    sent = sentence("星海互娱实现了天穹X训练效率翻番。", ("星海互娱", E.COMPANY), ("天穹X", E.AIMODEL))
    assert develops(sent) == set()


@pytest.mark.parametrize("text", ["星海互娱推出了对标GPT-4的天穹X。", "星海互娱推出了对标GPT-4的全新大模型天穹X。"])
def test_a_relative_clause_with_de_names_what_is_compared_not_what_is_made(text: str) -> None:
    sent = sentence(text, ("星海互娱", E.COMPANY), ("GPT-4", E.AIMODEL), ("天穹X", E.AIMODEL))
    assert develops(sent) == {("星海互娱", "DEVELOPS", "天穹X")}
    assert ("天穹X", "BENCHMARKED_AGAINST", "GPT-4") in run(products.benchmark_relations, sent)


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


def test_support_takes_the_object_not_every_organisation_after_the_person() -> None:
    sent = sentence("王大可大力支持星海互娱，云帆科技和北辰数据也派人参会。", ("王大可", E.PERSON),
                    ("星海互娱", E.COMPANY), ("云帆科技", E.COMPANY), ("北辰数据", E.COMPANY))
    assert run(people.support_relations, sent) == {("王大可", "SUPPORTS", "星海互娱")}


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
    ("该模型", "天穹4.0"), ("该公司", "星海互娱"), ("其", "天穹4.0"), ("它", "天穹4.0"), ("4.0版本", "天穹4.0"),
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


@pytest.mark.parametrize("text", ["此外，华为天穹X底座能力也再次迎来全新升级。", "这也是华为天穹X的第九次升级。"])
def test_an_upgraded_product_is_its_brands(text: str) -> None:
    sent = sentence(text, ("华为天穹X", E.AIMODEL))
    assert run(products.upgrade_relations, sent) == {("华为", "DEVELOPS", "华为天穹X")}


@pytest.mark.parametrize(("text", "mentions"), [
    ("天穹X迎来全新升级。", [("天穹X", E.AIMODEL)]),  # no maker's name in it
    ("星海互娱宣布华为天穹X迎来升级。", [("星海互娱", E.COMPANY), ("华为天穹X", E.AIMODEL)]),  # a company says so
    ("华为天穹X发布后，星火Y也迎来升级。", [("华为天穹X", E.AIMODEL), ("星火Y", E.AIMODEL)]),  # another clause
])
def test_an_upgrade_without_the_makers_name_gives_nothing(text: str, mentions: list) -> None:
    assert run(products.upgrade_relations, sentence(text, *mentions)) == set()


def test_the_object_of_a_framed_build_verb_may_stand_right_before_it() -> None:
    sent = sentence("星海互娱启动天穹X训练。", ("星海互娱", E.COMPANY), ("天穹X", E.AIMODEL))
    assert develops(sent) == {("星海互娱", "DEVELOPS", "天穹X")}


def test_a_platform_anaphor_and_a_bare_v_version_resolve_by_type_and_version() -> None:
    ctx = Context(Dictionary.default())
    first = "星海互娱推出了云梯平台和天穹-V3。"
    read(ctx, first, ("星海互娱", E.COMPANY), ("云梯平台", E.PRODUCT), ("天穹-V3", E.AIMODEL))
    sent = read(ctx, "该平台支持V3的推理。", start=len(first))
    assert {(s.surface, s.name) for s in sent.spans if s.antecedent} == {("该平台", "云梯平台"), ("V3", "天穹-V3")}
    # a version no name carries stands for nothing
    assert not [s for s in read(ctx, "V5即将发布。", start=len(first) + 10).spans if s.antecedent]


def test_a_list_after_a_clauses_opening_words_is_no_subject() -> None:
    sent = sentence("星海互娱成立于2001年，主要股东包括云帆科技、北辰数据等，总部位于杭州。", ("星海互娱", E.COMPANY),
                    ("云帆科技", E.COMPANY), ("北辰数据", E.COMPANY), ("杭州", E.PLACE))
    assert run(places.location_relations, sent) == {("星海互娱", "LOCATED_IN", "杭州")}


def test_a_clause_inside_parentheses_is_no_clause_of_its_own() -> None:
    sent = sentence("星海互娱（英文：Star Sea，简称：XH），总部设在杭州。", ("星海互娱", E.COMPANY),
                    ("Star Sea", E.COMPANY), ("杭州", E.PLACE))
    assert run(places.location_relations, sent) == {("星海互娱", "LOCATED_IN", "杭州")}
