"""kg train-ner end to end: a tiny annotated corpus -> a model file -> kg extract --ner-model."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from model_files import BAD_MODEL_FILES, bad_model_file
from typer.testing import CliRunner

from kg.cli import app

pytest.importorskip("torch")
runner = CliRunner()

PEOPLE = ["王小明", "李华", "张伟", "陈静", "刘洋", "赵磊"]
COMPANIES = ["星海科技", "蓝鲸数据", "北辰智能"]
PLACES = ["杭州", "成都", "西安"]

pytestmark = pytest.mark.slow  # trains small models with torch: runs after the fast suite


def _bmes(parts: list[tuple[str, str]]) -> list[str]:
    lines = []
    for text, tag in parts:
        if tag == "O":
            lines += [f"{ch} O" for ch in text]
        elif len(text) == 1:
            lines.append(f"{text} S-{tag}")
        else:
            lines += [f"{text[0]} B-{tag}", *(f"{ch} M-{tag}" for ch in text[1:-1]), f"{text[-1]} E-{tag}"]
    return [*lines, ""]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(1)
    lines: list[str] = []
    for _ in range(60):
        lines += _bmes([(rng.choice(PEOPLE), "PER"), ("在", "O"), (rng.choice(PLACES), "LOC"), ("加入了", "O"),
                        (rng.choice(COMPANIES), "ORG"), ("。", "O")])
    path = tmp_path_factory.mktemp("corpus") / "tiny.bmes"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def model(corpus: Path) -> Path:
    out = corpus.parent / "tiny.npz"
    result = runner.invoke(app, ["train-ner", "--corpus", str(corpus), "--preset", "linear", "--epochs", "1",
                                 "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert f"-> {out}" in result.output
    return out


def test_a_trained_model_tags_with_kg_extract(model: Path, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    # 陈静 and 蓝鲸数据 in a sentence the corpus never had; no dictionary knows them
    doc.write_text("陈静在成都加入了蓝鲸数据。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(doc), "--ner-model", str(model), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    entities = {(e["name"], e["type"]) for e in json.loads(out.read_text(encoding="utf-8"))["entities"]}
    assert {("陈静", "Person"), ("蓝鲸数据", "Company")} <= entities


def test_training_is_deterministic(corpus: Path, model: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.npz"
    result = runner.invoke(app, ["train-ner", "--corpus", str(corpus), "--preset", "linear", "--epochs", "1",
                                 "-o", str(again), "-q"])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == model.read_bytes()


def test_a_repeated_corpus_weighs_more(corpus: Path, model: Path, tmp_path: Path) -> None:
    twice = tmp_path / "twice.npz"
    result = runner.invoke(app, ["train-ner", "--corpus", str(corpus), "--repeat", "tiny=2", "--preset", "linear",
                                 "--epochs", "1", "-o", str(twice), "-q"])
    assert result.exit_code == 0, result.output
    assert "trained on 60 sentences" in result.output  # the corpus' own size, not the repeated one
    assert twice.read_bytes() != model.read_bytes()


@pytest.mark.parametrize(("args", "message"), [
    (["--corpus", "NOPE.bmes"], "nope.bmes: no such file"),
    (["--corpus", "CORPUS:xml"], "unknown format 'xml'"),
    (["--corpus", "CORPUS::martian"], "unknown labels 'martian'"),
    (["--corpus", "TEXT"], "plain.txt:1: expected 'char TAG'"),
    ([], "no training data"),
    (["--corpus", "CORPUS", "--default-style", "zz"], "--default-style: no corpus 'zz'"),
    (["--corpus", "CORPUS", "--preset", "huge"], "unknown preset 'huge'"),
    (["--corpus", "CORPUS", "--repeat", "tiny=0"], "expected CORPUS=N"),
    (["--corpus", "CORPUS", "--repeat", "weibo=2"], "--repeat: no corpus 'weibo'"),
])
def test_bad_training_input_is_one_line_and_keeps_the_old_model(corpus: Path, tmp_path: Path, args: list[str],
                                                                 message: str) -> None:
    text = tmp_path / "plain.txt"
    text.write_text("王小明在杭州。\n", encoding="utf-8")
    old = tmp_path / "model.npz"
    old.write_bytes(b"previous")
    args = [a.replace("CORPUS", str(corpus)).replace("TEXT", str(text)).replace("NOPE", str(tmp_path / "nope"))
            for a in args]
    result = runner.invoke(app, ["train-ner", *args, "-o", str(old)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output
    assert old.read_bytes() == b"previous"


@pytest.mark.parametrize(("content", "message"), BAD_MODEL_FILES)
def test_a_bad_model_file_is_one_line(tmp_path: Path, content: bytes | str | None, message: str) -> None:
    bad = bad_model_file(tmp_path, content)
    doc = tmp_path / "doc.txt"
    doc.write_text("陈静在成都。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(doc), "--ner-model", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: {message}"), result.output
    assert not out.exists()


def test_a_model_needs_the_statistical_tagger(model: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["extract", str(model), "--ner", "jieba", "--ner-model", str(model),
                                 "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2
    assert result.output.strip() == ("error: a setting of the tagger 'statistical' (--ner-model, "
                                     "[components.statistical]) is given, but the tagger is 'jieba'")
