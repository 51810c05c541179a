"""The code of the documentation runs as written: the tagger example and the configuration example
(docs/how-it-works.md), wherever in the README or docs/ they are."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from kg.config import ExtractorConfig
from kg.extract import Extractor
from kg.models import Document
from kg.registry import TAGGERS

ROOT = Path(__file__).resolve().parent.parent
README = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def _block_after(marker: str) -> str:
    match = re.search(r"```python\n(" + re.escape(marker) + r".*?)```", README, re.S)
    assert match, f"neither README.md nor docs/ has a python block starting with {marker!r}"
    return match.group(1)


def test_the_tagger_example_plugs_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "capitals.py").write_text(_block_after("# kg/ner/taggers/capitals.py"), encoding="utf-8")
    line = _block_after("# the line in kg/ner/taggers/__init__.py").splitlines()[1]
    line = line.replace("kg.ner.taggers.capitals:", "capitals:")  # the module sits in tmp_path here
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        exec(line, {"TAGGERS": TAGGERS})  # noqa: S102  (the README's own line)
        doc = Document(id="d", text="据报道，XYZW今天发布了新产品。")
        ex = Extractor(ExtractorConfig(tagger="capitals")).extract(doc)
        assert ("XYZW", "Company") in {(e.name, e.type.value) for e in ex.entities}
    finally:
        TAGGERS.unregister("capitals")
        sys.modules.pop("capitals", None)


def test_the_configuration_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my-names.tsv").write_text("Company\t星海科技有限公司\t\t星海科技\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = _block_after("from pathlib import Path\n\nfrom kg.config")
    scope: dict = {}
    exec(code, scope)  # noqa: S102
    names = {e.name for e in scope["extraction"].entities}
    assert {"星海科技有限公司", "王大可"} <= names
