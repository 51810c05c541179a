"""The examples in examples/ run as written: the configuration example and the tagger plugin."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from kg.extraction.config import ExtractorConfig
from kg.extraction.extractor import Extractor
from kg.models import Document
from kg.registry import TAGGERS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_the_tagger_plugin_plugs_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(EXAMPLES / "kg-capitals"))
    try:
        TAGGERS.lazy("capitals", "kg_capitals:capitals", help="runs of capital letters are companies")
        doc = Document(id="d", text="据报道，XYZW今天发布了新产品。")
        ex = Extractor(ExtractorConfig(tagger="capitals")).extract(doc)
        assert ("XYZW", "Company") in {(e.name, e.type.value) for e in ex.entities}
    finally:
        TAGGERS.unregister("capitals")
        sys.modules.pop("kg_capitals", None)


def test_the_configuration_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my-names.tsv").write_text("Company\t星海科技有限公司\t\t星海科技\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    scope = runpy.run_path(str(EXAMPLES / "configuration.py"))
    names = {e.name for e in scope["extraction"].entities}
    assert {"星海科技有限公司", "王大可"} <= names
