"""A model file whose weights are not all finite numbers (NaN, infinity) is refused at load, in one
line, before any document is read: such a model tags nothing, or nonsense, without saying so."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.extraction.ner.taggers.statistical import shipped_model as shipped_ner
from kg.extraction.relations.classifier.component import shipped_model as shipped_relations
from kg.modelfile import load_npz, save_npz

runner = CliRunner()


def spoiled(source: Path, target: Path, which: str | None, value: float) -> Path:
    """``source`` with ``value`` in its float arrays: all of them (``which`` None), or one value of one."""
    meta, arrays = load_npz(source)
    for name, array in arrays.items():
        if array.dtype.kind == "f" and which in (None, name):
            array = array.astype(array.dtype, copy=True)
            if which is None:
                array[...] = value
            else:
                array.flat[0] = value
            arrays[name] = array
    save_npz(target, meta, arrays)
    return target


@pytest.mark.parametrize(("option", "source", "which", "value"), [
    ("--ner-model", shipped_ner, None, np.nan),
    ("--ner-model", shipped_ner, "news.trans", np.inf),
    ("--ner-model", shipped_ner, "base.W_scale", -np.inf),
    ("--relation-model", shipped_relations, None, np.nan),
])
def test_a_model_with_non_finite_weights_is_refused(tmp_path: Path, option: str, source, which: str | None,
                                                    value: float) -> None:
    model = spoiled(source(), tmp_path / "bad.npz", which, value)
    doc = tmp_path / "doc.txt"
    doc.write_text("科大讯飞董事长刘庆峰表示，公司与华为合作。", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(doc), option, str(model), "-o", str(out), "-q"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {model}: ") and "NaN or infinity" in lines[0], lines
    assert not out.exists()
