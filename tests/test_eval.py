"""`kg eval` and kg.evaluate: the matching rule of the annotation guidelines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import shared_path
from typer.testing import CliRunner

from kg.cli import app
from kg.evaluate import score_all

ROOT = Path(__file__).resolve().parent.parent

GOLD = {
    "doc_id": "d1",
    "entities": [
        {"name": "科大讯飞", "type": "Company", "aliases": ["科大訊飛", "iFlytek"]},
        {"name": "华为", "type": "Company", "aliases": ["Huawei"]},
        {"name": "刘庆峰", "type": "Person", "aliases": []},
        {"name": "GPT-4", "type": "AIModel", "aliases": []},
    ],
    "relations": [
        {"head": "刘庆峰", "relation": "CHAIRMAN_OF", "tail": "科大讯飞"},
        {"head": "科大讯飞", "relation": "PARTNERS_WITH", "tail": "华为"},
    ],
}
PRED = {
    "doc_id": "d1",
    "entities": [
        {"name": "iFlytek", "type": "Company", "aliases": []},        # matches through a gold alias
        {"name": "華為", "type": "Company", "aliases": []},            # matches after t2s
        {"name": "劉慶峰", "type": "Person", "aliases": []},
        {"name": "gpt4", "type": "Product", "aliases": []},            # wrong type: FP and FN
    ],
    "relations": [
        {"head": "劉慶峰", "relation": "CHAIRMAN_OF", "tail": "iFlytek"},
        {"head": "華為", "relation": "PARTNERS_WITH", "tail": "iFlytek"},  # symmetric: either way
        {"head": "科大讯飞", "relation": "DEVELOPS", "tail": "gpt4"},
    ],
}


def test_matching_rule() -> None:
    score = score_all({"d1": GOLD}, {"d1": PRED})
    assert (sum(score.entities.tp.values()), sum(score.entities.fp.values()),
            sum(score.entities.fn.values())) == (3, 1, 1)
    assert score.entities.fp["Product"] == 1 and score.entities.fn["AIModel"] == 1
    assert dict(score.relations.tp) == {"CHAIRMAN_OF": 1, "PARTNERS_WITH": 1}
    assert score.relations.fp["DEVELOPS"] == 1 and not score.relations.fn


def test_missing_prediction_counts_every_gold_fact_as_missed() -> None:
    score = score_all({"d1": GOLD}, {})
    assert sum(score.entities.fn.values()) == 4 and sum(score.relations.fn.values()) == 2


def test_eval_command_on_a_prediction_file(tmp_path: Path) -> None:
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    (gold_dir / "d1.json").write_text(json.dumps(GOLD, ensure_ascii=False), encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text(json.dumps(PRED, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(gold_dir), "--pred", str(pred), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["relations"]["all"]["p"] == pytest.approx(2 / 3)
    assert out["entities"]["all"]["f1"] == pytest.approx(0.75)


def test_eval_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["eval", str(tmp_path / "none")])
    assert result.exit_code == 2 and "not a folder" in result.output
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(tmp_path)])
    assert result.exit_code == 2 and "bad.json" in result.output and "Traceback" not in result.output


def test_kg_eval_agrees_with_the_reference_scorer(tmp_path: Path) -> None:
    shared_gold = shared_path("gold", "score.py").parent
    pred = tmp_path / "pred.jsonl"
    runner = CliRunner()
    assert runner.invoke(app, ["extract", str(ROOT / "seeds"), "-o", str(pred), "-q", "-w", "1"]).exit_code == 0
    reference = subprocess.run([sys.executable, str(shared_gold / "score.py"), str(shared_gold), str(pred)],
                               capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    ours = runner.invoke(app, ["eval", str(shared_gold), "--pred", str(pred), "--no-misses"]).output
    assert reference in ours
    # and the accuracy docs/accuracy.md reports for the seeds holds (0.890 and 0.754 at the time)
    f1 = [float(x) for x in re.findall(r"F1=([0-9.]+)", reference)]
    assert f1[0] >= 0.88 and f1[1] >= 0.70, reference


def test_the_development_split_scores_what_the_readme_says() -> None:
    """The headline figures (entity F1 0.797, relation F1 0.522 on the development split of the
    annotated news, docs/accuracy.md) hold for the shipped models, give or take a rounding."""
    news = shared_path("data", "schema_news", "gold").parent
    from kg.annotated_news import read_annotated, split
    from kg.evaluate import Score, score_document
    from kg.extraction.extractor import Extractor
    from kg.extraction.pipeline import to_score_record
    from kg.models import Document

    _, development = split(read_annotated(news))
    extractor, score = Extractor(), Score()
    for d in development:
        score_document(d.gold, to_score_record(extractor.extract(Document(id=d.doc_id, text=d.text))), score)
    assert score.entities.prf()[2] >= 0.79 and score.relations.prf()[2] >= 0.515
