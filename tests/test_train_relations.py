"""kg train-relations end to end: a tiny DuIE + FinRE corpus -> a model file -> kg extract --relation-model;
--relation-model and --min-confidence errors."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from model_files import BAD_MODEL_FILES, bad_model_file
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()

PEOPLE = ["王小明", "李建华", "张伟", "陈静", "刘洋", "赵磊"]
COMPANIES = ["星海科技", "蓝鲸数据", "北辰智能", "远航集团"]
PLACES = ["杭州", "成都", "西安"]


def _spo(predicate: str, subject: str, subject_type: str, obj: str, obj_type: str) -> dict:
    return {"predicate": predicate, "subject": subject, "subject_type": subject_type,
            "object": {"@value": obj}, "object_type": {"@value": obj_type}}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """40 DuIE-like records (chairman, founder, headquarters) and a FinRE folder (合作, 自己, 拥有)."""
    rng = random.Random(7)
    root = tmp_path_factory.mktemp("relcorpus")
    records = []
    for i in range(40):
        person, company, place = rng.choice(PEOPLE), rng.choice(COMPANIES), rng.choice(PLACES)
        if i % 2:
            text = f"{company}董事长{person}在{place}表示，公司将扩大投资。"
            spo = _spo("董事长", company, "企业", person, "人物")
        else:
            text, spo = f"{person}创办了{company}，总部位于{place}。", _spo("创始人", company, "企业", person, "人物")
        records.append({"text": text, "spo_list": [spo, _spo("总部地点", company, "企业", place, "地点")]
                        if "总部" in text else [spo]})
    duie = root / "duie.jsonl"
    duie.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    finre = root / "finre"
    finre.mkdir()
    lines = []
    for _ in range(40):
        a, b = rng.sample(COMPANIES, 2)
        lines.append(f"{a}\t{b}\t合作\t{a}与{b}签署战略合作协议，双方将在云计算领域合作。")
        lines.append(f"{a}\t{b}\t拥有\t{a}持有{b}百分之<N>的股份，{b}是{a}的控股子公司。")
    (finre / "finre_train.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return duie, finre


def _train(corpus: tuple[Path, Path], out: Path) -> None:
    duie, finre = corpus
    result = runner.invoke(app, ["train-relations", "--duie", str(duie), "--finre", str(finre), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert f"-> {out}" in result.output


@pytest.fixture(scope="module")
def model(corpus: tuple[Path, Path]) -> Path:
    out = corpus[0].parent / "tiny.npz"
    _train(corpus, out)
    return out


def test_training_is_deterministic(corpus: tuple[Path, Path], model: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.npz"
    _train(corpus, again)
    assert again.read_bytes() == model.read_bytes()


def test_a_trained_model_is_used_by_kg_extract(model: Path, tmp_path: Path) -> None:
    from kg.extraction.relations.classifier.component import load_model

    loaded = load_model(model)
    assert loaded.meta["trained_on"]["duie"] == "duie.jsonl"
    assert "rule_precision" in loaded.meta
    doc = tmp_path / "doc.txt"
    doc.write_text("远航集团董事长陈静在西安表示，公司将扩大投资。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(doc), "--relation-model", str(model), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    relations = json.loads(out.read_text(encoding="utf-8"))["relations"]
    assert all(0.0 <= r["confidence"] <= 1.0 for r in relations)
    assert ("陈静", "CHAIRMAN_OF", "远航集团") in {(r["head"], r["relation"], r["tail"]) for r in relations}


@pytest.mark.parametrize(("args", "message"), [
    (["--duie", "NOPE"], "nope.jsonl: no such file"),
    (["--duie", "BADJSON"], "bad.jsonl:2: not JSON"),
    (["--duie", "NOTDUIE"], "notduie.jsonl:1: not a DuIE record"),
    (["--finre", "NOPE"], "not a folder"),
    (["--finre", "BADFINRE"], "finre_train.txt:1: expected 4 tab-separated fields"),
    ([], "no training data"),
])
def test_bad_training_input_is_one_line_and_keeps_the_old_model(corpus: tuple[Path, Path], tmp_path: Path,
                                                                 args: list[str], message: str) -> None:
    (tmp_path / "bad.jsonl").write_text('{"text": "a", "spo_list": []}\n{oops\n', encoding="utf-8")
    (tmp_path / "notduie.jsonl").write_text('[1, 2]\n', encoding="utf-8")
    (tmp_path / "badfinre").mkdir()
    (tmp_path / "badfinre" / "finre_train.txt").write_text("only\ttwo\n", encoding="utf-8")
    subs = {"NOPE": str(tmp_path / "nope.jsonl"), "BADJSON": str(tmp_path / "bad.jsonl"),
            "NOTDUIE": str(tmp_path / "notduie.jsonl"), "BADFINRE": str(tmp_path / "badfinre")}
    old = tmp_path / "model.npz"
    old.write_bytes(b"previous")
    result = runner.invoke(app, ["train-relations", *[subs.get(a, a) for a in args], "-o", str(old)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], result.output
    assert old.read_bytes() == b"previous"


def test_training_never_reads_finre_valid(corpus: tuple[Path, Path]) -> None:
    """The folder has no finre_valid.txt at all, and training works (see the model fixture); with it
    asked for, the held-out part is read."""
    from kg.extraction.relations.classifier.corpora import DataError, load_split

    split = load_split(None, corpus[1])
    assert split.train and split.tune and not split.held_out
    with pytest.raises(DataError, match="finre_valid.txt: no such file"):
        load_split(None, corpus[1], held_out=True)


@pytest.mark.parametrize(("content", "message"), BAD_MODEL_FILES)
@pytest.mark.parametrize("command", ["extract", "build", "eval"])
def test_a_bad_relation_model_is_one_line(tmp_path: Path, content: bytes | str | None, message: str,
                                          command: str) -> None:
    bad = bad_model_file(tmp_path, content)
    doc = tmp_path / "doc.txt"
    doc.write_text("陈静在成都。", encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "doc.json").write_text('{"doc_id": "doc", "entities": [], "relations": []}', encoding="utf-8")
    args = {"extract": ["extract", str(doc), "-o", str(tmp_path / "o.jsonl")],
            "build": ["build", str(doc), "--out", str(tmp_path / "out")],
            "eval": ["eval", str(gold), "--docs", str(tmp_path)]}[command]
    result = runner.invoke(app, [*args, "--relation-model", str(bad)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: {message}"), result.output
    assert not (tmp_path / "o.jsonl").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["extract", "build", "html"])
@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_min_confidence_outside_0_1_is_one_line(tmp_path: Path, command: str, value: str) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("陈静在成都。", encoding="utf-8")
    args = {"extract": ["extract", str(doc), "-o", str(tmp_path / "o.jsonl")],
            "build": ["build", str(doc), "--out", str(tmp_path / "out")],
            "html": ["html", "--out", str(tmp_path / "out")]}[command]
    result = runner.invoke(app, [*args, "--min-confidence", value])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: --min-confidence: {float(value)} is not between 0 and 1", result.output


def test_min_confidence_leaves_out_the_less_confident(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("科大讯飞董事长刘庆峰表示，科大讯飞总部位于合肥。据悉，科大讯飞与华为合作推出了新产品。",
                   encoding="utf-8")
    found = {}
    for threshold in ("0", "0.9"):
        out = tmp_path / f"o{threshold}.jsonl"
        result = runner.invoke(app, ["extract", str(doc), "-o", str(out), "-q", "--min-confidence", threshold])
        assert result.exit_code == 0, result.output
        found[threshold] = json.loads(out.read_text(encoding="utf-8"))["relations"]
    assert found["0"], "the sentence states relations"
    assert all(r["confidence"] >= 0.9 for r in found["0.9"])
    assert len(found["0.9"]) < len(found["0"])
    assert {json.dumps(r, sort_keys=True) for r in found["0.9"]} <= {json.dumps(r, sort_keys=True) for r in found["0"]}


def test_no_classifier_runs_the_rules_alone(tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("远航集团今天发布了年报，陈静没有出席。远航集团董事长陈静表示，远航集团将与星海科技合作。",
                   encoding="utf-8")
    triggers = {}
    for flag in ("--classifier", "--no-classifier"):
        out = tmp_path / f"{flag}.jsonl"
        result = runner.invoke(app, ["extract", str(doc), flag, "-o", str(out), "-q"])
        assert result.exit_code == 0, result.output
        triggers[flag] = {r["trigger"] for r in json.loads(out.read_text(encoding="utf-8"))["relations"]}
    assert "classifier" in triggers["--classifier"]
    assert triggers["--no-classifier"] and "classifier" not in triggers["--no-classifier"]
