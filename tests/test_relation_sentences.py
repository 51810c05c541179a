"""Hand-made sentences: each relation type and its common paraphrases (none from the seeds)."""

from __future__ import annotations

import pytest

from kg.extraction.extractor import extract_document
from kg.models import Document


def triples(text: str) -> set[tuple[str, str, str]]:
    ex = extract_document(Document(id="t", text=text))
    out = set()
    for r in ex.relations:
        out.add((r.head, r.relation.value, r.tail))
        assert r.evidence and r.evidence in text, "evidence must quote the source text"
    return out


CASES = [
    # CHAIRMAN_OF: apposition, parenthesis, predicate, variants of the title
    ("腾讯董事会主席马化腾出席了发布会。", ("马化腾", "CHAIRMAN_OF", "腾讯")),
    ("小米集团董事长雷军表示，新车将于明年交付。", ("雷军", "CHAIRMAN_OF", "小米")),
    ("雷军（小米董事长）在会上发言。", ("雷军", "CHAIRMAN_OF", "小米")),
    ("比亚迪掌门人王传福宣布了新的计划。", ("王传福", "CHAIRMAN_OF", "比亚迪")),
    # FOUNDER_OF
    ("华为创始人任正非接受了采访。", ("任正非", "FOUNDER_OF", "华为")),
    ("阿里巴巴的创始人马云回到杭州。", ("马云", "FOUNDER_OF", "阿里巴巴")),
    # CEO_OF
    ("英伟达首席执行官黄仁勋在台北发表演讲。", ("黄仁勋", "CEO_OF", "英伟达")),
    ("OpenAI的CEO Sam Altman宣布了新模型。", ("Sam Altman", "CEO_OF", "OpenAI")),
    # LOCATED_IN
    ("深度求索总部位于杭州。", ("DeepSeek", "LOCATED_IN", "杭州")),
    ("科大讯飞总部设在合肥。", ("科大讯飞", "LOCATED_IN", "合肥")),
    ("美国科技企业英伟达发布了财报。", ("英伟达", "LOCATED_IN", "美国")),
    ("世界人工智能大会在上海举办。", ("世界人工智能大会", "LOCATED_IN", "上海")),
    # PARTNERS_WITH: prepositions, verbs, enumerations
    ("百度与中国移动签署战略合作协议。", ("中国移动", "PARTNERS_WITH", "百度")),
    ("华为携手中国电信建设算力网络。", ("中国电信", "PARTNERS_WITH", "华为")),
    ("腾讯牵手比亚迪，共同探索智能汽车。", ("比亚迪", "PARTNERS_WITH", "腾讯")),
    ("阿里云联手中国联通推出新服务。", ("中国联通", "PARTNERS_WITH", "阿里云")),
    # DEVELOPS
    ("百度发布文心一言。", ("百度", "DEVELOPS", "文心一言")),
    ("阿里云推出通义千问大模型。", ("阿里云", "DEVELOPS", "通义千问")),
    ("华为正式上线盘古大模型5.0。", ("华为", "DEVELOPS", "盘古大模型5.0")),
    ("英伟达的H100芯片供不应求。", ("英伟达", "DEVELOPS", "H100")),
    # USES
    ("智谱的新模型基于昇腾910B训练。", ("智谱", "USES", "昇腾910B")),
    ("百度采用昆仑芯的芯片。", ("百度", "USES", "昆仑芯")),
    # BENCHMARKED_AGAINST
    ("文心一言的能力已可比肩GPT-4o。", ("文心一言", "BENCHMARKED_AGAINST", "GPT-4o")),
    ("豆包大模型的表现媲美ChatGPT。", ("豆包", "BENCHMARKED_AGAINST", "ChatGPT")),
    # SUBSIDIARY_OF
    ("阿里云是阿里巴巴旗下的云计算公司。", ("阿里云", "SUBSIDIARY_OF", "阿里巴巴")),
    ("阿里巴巴旗下的蚂蚁集团宣布重组。", ("蚂蚁集团", "SUBSIDIARY_OF", "阿里巴巴")),
    ("讯飞医疗是科大讯飞的控股子公司。", ("讯飞医疗", "SUBSIDIARY_OF", "科大讯飞")),
    # LISTED_ON
    ("寒武纪于2020年在科创板上市。", ("寒武纪", "LISTED_ON", "科创板")),
    ("小米集团在香港交易所挂牌上市。", ("小米", "LISTED_ON", "港交所")),
]


#: Paraphrases the shipped relation model misses (docs/relations.md, known limits): kept in sight,
#: not deleted, so that a model that reads them shows here as XPASS.
KNOWN_MISSES = [
    ("梁文锋一手创办了深度求索。", ("梁文锋", "FOUNDER_OF", "DeepSeek")),
    ("李彦宏担任百度董事长。", ("李彦宏", "CHAIRMAN_OF", "百度")),
    ("该模型依托华为昇腾算力平台。", ("华为", "DEVELOPS", "昇腾")),
    ("通义千问2.5在多项测试中超越GPT-4。", ("通义千问2.5", "BENCHMARKED_AGAINST", "GPT-4")),
]


@pytest.mark.parametrize("text,expected", [
    *[case for case in CASES if case not in KNOWN_MISSES],
    *[pytest.param(*case, marks=pytest.mark.xfail(reason="a known miss of the shipped model", strict=False))
      for case in KNOWN_MISSES]])
def test_relation_paraphrases(text: str, expected: tuple[str, str, str]) -> None:
    found = triples(text)
    reverse = (expected[2], expected[1], expected[0])
    assert expected in found or (expected[1] == "PARTNERS_WITH" and reverse in found), found


def test_enumeration_gives_one_relation_per_party() -> None:
    found = triples("科大讯飞与华为、中国移动和中国电信共同发布了行业大模型。")
    partners = {t for h, r, t in found if r == "PARTNERS_WITH"} | {h for h, r, t in found if r == "PARTNERS_WITH"}
    assert {"华为", "中国移动", "中国电信", "科大讯飞"} <= partners


def test_joint_launch_develops_from_each_company() -> None:
    found = triples("科大讯飞与华为联合发布了“飞星一号”平台。")
    assert ("科大讯飞", "DEVELOPS", "飞星一号") in found
    assert ("华为", "DEVELOPS", "飞星一号") in found


def test_pronoun_subject_resolves_to_the_company_talked_about() -> None:
    found = triples("科大讯飞今天召开发布会。该公司推出了讯飞星火X1。")
    assert ("科大讯飞", "DEVELOPS", "讯飞星火X1") in found


def test_type_signatures_reject_nonsense() -> None:
    # a place cannot be a chairman, a model cannot be located in a city
    found = triples("合肥董事长科大讯飞。讯飞星火总部位于合肥。")
    assert not any(r == "CHAIRMAN_OF" for _, r, _ in found)
    assert ("讯飞星火", "LOCATED_IN", "合肥") not in found


def test_confidence_is_lower_for_inferred_subjects() -> None:
    ex = extract_document(Document(id="t", text="科大讯飞董事长刘庆峰出席。公司还与华为合作。"))
    conf = {(r.head, r.relation.value, r.tail): r.confidence for r in ex.relations}
    assert conf[("刘庆峰", "CHAIRMAN_OF", "科大讯飞")] > conf[("华为", "PARTNERS_WITH", "科大讯飞")]


def test_surname_and_title_refer_back_to_the_full_name() -> None:
    ex = extract_document(Document(id="t", text="小米集团董事长雷军出席发布会。雷总表示，小米将与宁德时代合作。"))
    person = next(e for e in ex.entities if e.name == "雷军")
    assert "雷总" in person.aliases and person.mentions == 2
    assert not any(e.name == "雷总" for e in ex.entities)


# Sentence shapes common in company news and profiles (written for these tests).
PROFILE_CASES = [
    # an unknown company with a legal suffix, title chain between the title and the name
    ("浙江青禾光电科技有限公司董事长、总经理周明远出席了签约仪式。",
     ("周明远", "CHAIRMAN_OF", "浙江青禾光电科技有限公司")),
    # a company known only because a leader's title follows its name
    ("启明星辰董事长兼CEO王佳表示，公司将加大投入。", ("王佳", "CHAIRMAN_OF", "启明星辰")),
    # a parenthesis inside the name (names are kept half-width), the person before with 现任
    ("陈立群现任广西临江（集团）有限公司董事长。", ("陈立群", "CHAIRMAN_OF", "广西临江(集团)有限公司")),
    # apposition: the person first, then the organisation and the title
    ("赵德海，江苏远帆物流股份有限公司党委书记、董事长。", ("赵德海", "CHAIRMAN_OF", "江苏远帆物流股份有限公司")),
    # two founders joined by 与
    ("2008年，林振宇与同学苏晴一起创立了北京星河云图网络科技有限公司。",
     ("林振宇", "FOUNDER_OF", "北京星河云图网络科技有限公司")),
    # a transliterated name with a middle dot
    ("英国星辰动力公司的创始人约翰·哈里森接受了采访。", ("约翰·哈里森", "FOUNDER_OF", "英国星辰动力公司")),
    ("云杉环保科技有限公司成立于2012年，总部位于昆明。", ("云杉环保科技有限公司", "LOCATED_IN", "昆明")),
    # a verb inside a name after its place (拍卖), a colon between the title and the name
    ("北京华辰拍卖有限公司董事长：甘立新。", ("甘立新", "CHAIRMAN_OF", "北京华辰拍卖有限公司")),
    # a profile: the name first, the company and title clauses later
    ("文建平，男，1962年出生，高级工程师，现任北京碧水环境科技股份有限公司董事长。",
     ("文建平", "CHAIRMAN_OF", "北京碧水环境科技股份有限公司")),
]


@pytest.mark.parametrize("text,expected", PROFILE_CASES)
def test_profile_sentences(text: str, expected: tuple[str, str, str]) -> None:
    assert expected in triples(text)


def test_abbreviation_is_an_alias_of_the_full_name() -> None:
    text = "杭州青藤智能科技股份有限公司（以下简称“青藤智能”）今日发布新品。青藤智能创始人李慕白说。"
    ex = extract_document(Document(id="t", text=text))
    company = next(e for e in ex.entities if e.name == "杭州青藤智能科技股份有限公司")
    assert "青藤智能" in company.aliases
    assert ("李慕白", "FOUNDER_OF", "杭州青藤智能科技股份有限公司") in {
        (r.head, r.relation.value, r.tail) for r in ex.relations}
