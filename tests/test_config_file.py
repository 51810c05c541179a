"""Components configured the spaCy way: a block of settings per component in ExtractorConfig, a
TOML file (`--config`) and the command line over it (`--set`, the options)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.extraction.config import ConfigError, ExtractorConfig, make_config

runner = CliRunner()
DOC = "发布会上，张伟明表示将继续投入。科大讯飞董事长刘庆峰表示，公司与华为合作。"


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "in.txt"
    path.write_text(DOC, encoding="utf-8")
    return path


def extract(doc: Path, out: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = runner.invoke(app, ["extract", str(doc), "-o", str(out), "-q", *args], env=env)
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def one_line_error(args: list[str], *parts: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for part in parts:
        assert part in lines[0], result.output


def test_a_components_block_is_its_settings_model() -> None:
    model = Path("my-ner.npz")
    by_block = ExtractorConfig(components={"statistical": {"model": model}})
    assert by_block == ExtractorConfig(ner_model=model) and hash(by_block) == hash(ExtractorConfig(ner_model=model))
    assert by_block.settings_of("statistical").model == model == by_block.ner_model
    assert pickle.loads(pickle.dumps(by_block)) == by_block
    assert ExtractorConfig(**by_block.model_dump()) == by_block  # the blocks dump as what they hold
    # a block equal to the defaults is no block: equal settings, equal configs
    assert ExtractorConfig(components={"statistical": {}}) == ExtractorConfig()
    with pytest.raises(ConfigError, match=r"\[components.classifier\] modle: Extra inputs"):
        make_config(components={"classifier": {"modle": "x"}})
    with pytest.raises(ConfigError, match="unknown component 'nope'"):
        make_config(components={"nope": {}})
    with pytest.raises(ConfigError, match="a setting of the tagger 'statistical'.*but the tagger is 'none'"):
        make_config(tagger="none", components={"statistical": {"model": "x"}})


def test_a_file_configures_and_the_command_line_wins(doc: Path, tmp_path: Path) -> None:
    config = tmp_path / "kg.toml"
    config.write_text('tagger = "none"\nmin_confidence = 0.5\n', encoding="utf-8")
    by_file = extract(doc, tmp_path / "a.jsonl", "--config", str(config))
    assert by_file == extract(doc, tmp_path / "b.jsonl", "--ner", "none", "--min-confidence", "0.5")
    assert "张伟明" not in by_file  # no tagger: nothing finds the bare name
    assert "张伟明" in extract(doc, tmp_path / "c.jsonl", "--config", str(config), "--ner", "jieba")
    assert "张伟明" in extract(doc, tmp_path / "d.jsonl", "--config", str(config), "--set", 'tagger="jieba"')
    # the environment is no command line: the file named on it wins over KG_NER
    assert extract(doc, tmp_path / "e.jsonl", "--config", str(config), env={"KG_NER": "jieba"}) == by_file


def test_set_reaches_into_a_block(doc: Path, tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parent.parent / "kg" / "data" / "kg_relations.npz"
    assert extract(doc, tmp_path / "a.jsonl", "--set", f"components.classifier.model={shipped}") == \
        extract(doc, tmp_path / "b.jsonl")
    one_line_error(["extract", str(doc), "-o", str(tmp_path / "c.jsonl"), "--set", "components.classifier.modle=x"],
                   "[components.classifier] modle")
    one_line_error(["extract", str(doc), "-o", str(tmp_path / "c.jsonl"), "--set", "nothing"], "KEY=VALUE")


@pytest.mark.parametrize("content,message", [
    ("taggr = 'none'\n", "unknown setting 'taggr'"),
    ("tagger = \n", "not a TOML file"),
    ("tagger = 'nope'\n", "unknown tagger 'nope'"),
    ("[components.statistical]\nmodel = 3\n", "[components.statistical] model"),
])
def test_a_bad_file_is_one_line(doc: Path, tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "kg.toml"
    config.write_text(content, encoding="utf-8")
    one_line_error(["extract", str(doc), "-o", str(tmp_path / "o.jsonl"), "--config", str(config)], message)
    assert not (tmp_path / "o.jsonl").exists()


def test_build_reads_its_sinks_from_the_file(doc: Path, tmp_path: Path) -> None:
    config = tmp_path / "kg.toml"
    config.write_text('tagger = "none"\nexports = ["jsonl"]\n\n[sinks.html]\ntitle = "星图"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", str(doc), "-o", str(out), "--no-db", "-q", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert (out / "graph.jsonl").exists() and "<title>星图</title>" in (out / "graph.html").read_text(encoding="utf-8")
    config.write_text("[sinks.csv]\ncolour = 'red'\n", encoding="utf-8")
    one_line_error(["build", str(doc), "-o", str(out), "--no-db", "--config", str(config)], "[sinks.csv]: colour")
