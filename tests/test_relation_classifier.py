"""The relation classifier's parts: the shipped model, batch scoring, the component, calibration,
the rules' measured precision, candidate mentions, and its place in the default pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.extraction.relations.base import Context, Proposal, Sentence, Span
from kg.extraction.relations.classifier.candidates import locate, with_gold
from kg.extraction.relations.classifier.component import ClassifierRule, load_model, shipped_model
from kg.extraction.relations.classifier.corpora import duie_split, tail_split
from kg.extraction.relations.classifier.model import PairClassifier
from kg.extraction.relations.classifier.tuning import platt, union
from kg.extraction.relations.confidence import MIN_SUPPORT, MeasuredRule, RulePrecision
from kg.models import Document
from kg.schema import EntityType, RelationType

E = EntityType
CHAIR = "横店集团董事长徐永安当选为东阳市企业家协会会长"
CHAIR_SPANS = [Span("横店集团", E.COMPANY, 0, 4, "横店集团"), Span("徐永安", E.PERSON, 7, 10, "徐永安")]


@pytest.fixture(scope="module")
def model() -> PairClassifier:
    return load_model(shipped_model())


def test_the_shipped_model_is_calibrated_and_measures_the_rules(model: PairClassifier) -> None:
    assert set(model.labels) >= {"CHAIRMAN_OF", "FOUNDER_OF", "CEO_OF", "LOCATED_IN", "PARTNERS_WITH",
                                 "SUBSIDIARY_OF", "ALIAS"}
    assert set(model.calibration.thresholds) == set(model.labels)
    assert model.meta["rule_precision"]["by_relation"], "kg train-relations measured the rules"
    assert load_model(shipped_model()) is model  # loaded once per process


def test_a_chairman_is_found_and_a_bystander_is_not(model: PairClassifier) -> None:
    scored = model.score(CHAIR, CHAIR_SPANS)
    assert (1, 0, "CHAIRMAN_OF") in {(h, t, lab) for h, t, lab, _ in scored}
    assert all(0.0 <= p <= 1.0 for *_, p in scored)
    plain = "横店集团今天发布了年报，徐永安没有出席"
    spans = [Span("横店集团", E.COMPANY, 0, 4), Span("徐永安", E.PERSON, 12, 15)]
    # DuIE's sentences were picked for stating facts, so a bare person-company pair keeps a prior; the
    # title is what makes it confident
    bystander = {lab: p for *_, lab, p in model.score(plain, spans)}
    assert bystander.get("CHAIRMAN_OF", 0.0) < 0.5 < max(p for *_, lab, p in scored if lab == "CHAIRMAN_OF")


def test_a_batch_scores_as_each_sentence_alone(model: PairClassifier) -> None:
    other = "华为与科大讯飞在合肥签署战略合作协议"
    other_spans = [Span("华为", E.COMPANY, 0, 2), Span("科大讯飞", E.COMPANY, 3, 7), Span("合肥", E.PLACE, 8, 10)]
    batch = model.score_batch([(CHAIR, CHAIR_SPANS), (other, other_spans), ("没有名字", [])])
    assert batch == [model.score(CHAIR, CHAIR_SPANS), model.score(other, other_spans), []]


def test_a_foreign_file_is_no_model(tmp_path) -> None:
    from kg.modelfile import ModelError

    path = tmp_path / "x.npz"
    np.savez(path, weights=np.zeros(3))
    with pytest.raises(ModelError, match="not a kg relation model"):
        load_model(path)


def test_the_component_proposes_relation_types_only() -> None:
    rule = ClassifierRule()
    sent = Sentence(CHAIR, CHAIR_SPANS)
    proposals = list(rule(sent, Context(None)))  # type: ignore[arg-type]
    assert any(p.relation is RelationType.CHAIRMAN_OF and p.head == "徐永安" and p.tail == "横店集团"
               for p in proposals)
    assert all(p.trigger == "classifier" and p.head_span is not None for p in proposals)
    prepared = Sentence(CHAIR, CHAIR_SPANS)
    rule.prepare([prepared])
    assert list(rule(prepared, Context(None))) == proposals  # type: ignore[arg-type]


def test_platt_fits_and_a_separable_label_stays_uncalibrated() -> None:
    a, b = platt(np.array([-2.0, -1.0, 0.0, 1.0, 2.0] * 10), np.array([0, 0, 0, 1, 1] * 10, float))
    assert a > 1.0 and b < 0.0
    assert platt(np.array([-30.0, 30.0] * 20), np.array([0, 1] * 20, float)) == (1.0, 0.0)


def test_rule_precision_is_measured_where_there_is_support_and_bounded_elsewhere() -> None:
    tally = {("title", "CHAIRMAN_OF", 0.9): [MIN_SUPPORT, MIN_SUPPORT - 2],
             ("title", "CHAIRMAN_OF", 0.6): [3, 3]}
    precision = RulePrecision.from_tally(tally)
    assert precision.of("title", "CHAIRMAN_OF", 0.9) == round((MIN_SUPPORT - 1) / (MIN_SUPPORT + 2), 3)
    # too few of its own: the rule's confidence, at most what the relation measures overall
    overall = precision.by_relation["CHAIRMAN_OF"]
    assert precision.of("title", "CHAIRMAN_OF", 0.6) == min(0.6, overall)
    assert precision.of("title", "CHAIRMAN_OF", 0.95) == min(0.95, overall)
    assert RulePrecision.from_json(precision.to_json()) == precision
    assert RulePrecision().of("any", "FOUNDER_OF", 0.7) == 0.7


def test_a_measured_rule_gives_the_measured_precision() -> None:
    def rule(sent: Sentence, ctx: Context):
        yield Proposal("徐永安", RelationType.CHAIRMAN_OF, "横店集团", 0.9, "董事长")

    tally = {("title", "CHAIRMAN_OF", 0.9): [20, 15]}
    measured = MeasuredRule("title", rule, RulePrecision.from_tally(tally))
    (p,) = measured(Sentence(CHAIR, CHAIR_SPANS), Context(None))  # type: ignore[arg-type]
    assert p.confidence == round(16 / 22, 3) and p.trigger == "董事长"


def test_union_keeps_the_rules_and_adds_the_confident_classifier_triples() -> None:
    rules = {("a", "CHAIRMAN_OF", "b"): 0.8}
    clf = {("a", "CHAIRMAN_OF", "b"): 0.9, ("c", "FOUNDER_OF", "d"): 0.3, ("e", "FOUNDER_OF", "f"): 0.1}
    assert union(rules, clf, {"CHAIRMAN_OF": 0.5, "FOUNDER_OF": 0.2}) == {
        ("a", "CHAIRMAN_OF", "b"): 0.9, ("c", "FOUNDER_OF", "d"): 0.3}


def test_a_rule_overrules_the_classifier_on_the_same_head_and_relation() -> None:
    from kg.extraction.relations.classifier.combine import unclaimed

    rules = {("刘庆峰", "CHAIRMAN_OF", "科大讯飞"): 0.84, ("科大讯飞", "PARTNERS_WITH", "华为"): 0.3}
    clf = {("刘庆峰", "CHAIRMAN_OF", "华为"): 0.9, ("刘庆峰", "FOUNDER_OF", "科大讯飞"): 0.5,
           ("百度", "PARTNERS_WITH", "科大讯飞"): 0.6}
    assert set(union(rules, clf, dict.fromkeys(("CHAIRMAN_OF", "FOUNDER_OF", "PARTNERS_WITH"), 0.2))) == {
        *rules, ("刘庆峰", "FOUNDER_OF", "科大讯飞"), ("百度", "PARTNERS_WITH", "科大讯飞")}
    by_rule = [Proposal("刘庆峰", RelationType.CHAIRMAN_OF, "科大讯飞", 0.84, "董事长")]
    wrong = Proposal("刘庆峰", RelationType.CHAIRMAN_OF, "华为", 0.9, "classifier")
    right = Proposal("刘庆峰", RelationType.CHAIRMAN_OF, "科大讯飞", 0.9, "classifier")
    assert unclaimed(by_rule, [wrong, right]) == [right]


def test_gold_names_are_forced_in_and_win_overlaps() -> None:
    text = "江中药业股份有限公司与江中药业"
    assert [(s.name, s.start) for s in locate(text, [("江中药业", "Company"), ("江中药业股份有限公司", "Company")])] \
        == [("江中药业股份有限公司", 0), ("江中药业", 11)]
    sent = Sentence("马云创办了阿里巴巴集团", [Span("马云", E.PERSON, 0, 2), Span("阿里巴巴", E.PRODUCT, 5, 9)])
    spans = with_gold(sent, [("阿里巴巴集团", "Company")])
    assert [(s.name, s.type) for s in spans] == [("马云", E.PERSON), ("阿里巴巴集团", E.COMPANY)]


def test_splits_hold_out_the_end_of_the_files() -> None:
    train, tune, held = duie_split(list(range(1729)))
    assert (len(train), len(tune), len(held)) == (1124, 259, 346) and held[0] == 1383
    assert tail_split(list(range(10)), 0.1) == (list(range(9)), [9])


def test_the_default_pipeline_runs_the_classifier_beside_the_rules() -> None:
    text = "横店集团董事长徐永安表示，横店集团与东阳光科技合作开发新材料。"
    default = Extractor(ExtractorConfig()).extract(Document(id="d", text=text))
    rules_only = Extractor(ExtractorConfig(relation_rules=("partner",))).extract(Document(id="d", text=text))
    names = Extractor(ExtractorConfig()).components.rules
    assert any(isinstance(r, ClassifierRule) for r in names)
    assert all(0.0 <= r.confidence <= 1.0 for r in default.relations)
    triples = {(r.head, r.relation, r.tail) for r in default.relations}
    assert {(r.head, r.relation, r.tail) for r in rules_only.relations} <= triples


def test_every_measured_case_is_still_read_by_its_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped table of the rules' precision is keyed by (rule, relation, case): a case renamed or
    gone would lose its calibration without a word. Every key must still be asked for when the rules
    read the seeds and the paraphrases of tests/test_relation_sentences."""
    from test_relation_sentences import CASES

    from kg.extraction.extractor import extract_document
    from kg.extraction.relations.classifier.component import rule_precision
    from kg.io.readers import iter_documents
    from kg.resources import seeds_dir

    asked: set[tuple[str, str, str]] = set()
    measured = RulePrecision.of

    def spy(self: RulePrecision, rule: str, relation: str, raw: float, case: str = "") -> float:
        asked.add((rule, relation, case))
        return measured(self, rule, relation, raw, case)

    monkeypatch.setattr(RulePrecision, "of", spy)
    docs = [*iter_documents([seeds_dir()]), *(Document(id=f"c{i}", text=t) for i, (t, _) in enumerate(CASES))]
    for doc in docs:
        extract_document(doc)
    table = rule_precision(ExtractorConfig()).by_rule
    keys = {(rule, relation, case) for rule, rels in table.items() for relation, cases in rels.items()
            for case in cases}
    assert keys and all("@" in case for _, _, case in keys), "the shipped table is keyed by case, not by number"
    assert keys <= asked, f"calibrated but never read any more: {sorted(keys - asked)}"


def test_a_rule_keeps_its_calibration_when_its_confidence_changes() -> None:
    precision = RulePrecision.from_tally({("partner", "PARTNERS_WITH", "partner@1.000"): [20, 15],
                                          ("partner", "PARTNERS_WITH", 0.85): [20, 5]})
    for raw in (0.85, 0.9):
        def rule(sent: Sentence, ctx: Context, raw: float = raw):
            yield Proposal("科大讯飞", RelationType.PARTNERS_WITH, "华为", raw, "与", case="partner")

        (p,) = MeasuredRule("partner", rule, precision)(Sentence(CHAIR, CHAIR_SPANS), Context(None))  # type: ignore[arg-type]
        assert p.confidence == round(16 / 22, 3), raw
    # a proposal of no named case (a plugin's, a model measured before cases had names): by its number
    assert precision.of("partner", "PARTNERS_WITH", 0.85) == round(6 / 22, 3)
