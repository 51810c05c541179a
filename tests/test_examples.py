"""The examples in examples/ run as written: the configuration example, and the plugin package
(a tagger, a relation component and a sink), installed as a user would and found by kg through its
entry points alone."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PLUGINS = EXAMPLES / "kg-example-plugins"


@pytest.fixture(scope="module")
def plugins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin package installed into a folder of its own (no network: kg is already installed)."""
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(PLUGINS)]
    env = {**os.environ, "TMPDIR": str(build)}
    # the venv's own setuptools first (nothing to fetch); an old one without bdist_wheel: an isolated build
    done = subprocess.run([*pip, "--no-build-isolation"], capture_output=True, text=True, cwd=build, env=env)
    if done.returncode != 0:
        done = subprocess.run(pip, capture_output=True, text=True, cwd=build, env=env)
    assert done.returncode == 0, done.stderr
    assert (target / "kg_example").is_dir()
    return target


def kg(site: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KG_NER")} | {"COLUMNS": "2000"}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def first_extraction(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8").splitlines()[0])


def test_the_tagger_plugin_is_found_configured_and_run(plugins: Path, tmp_path: Path) -> None:
    helped = kg(plugins, "extract", "--help")
    assert "capitals" in helped.stdout and "kg-example-plugins" in " ".join(helped.stdout.split())
    doc = tmp_path / "doc.txt"
    doc.write_text("据报道，XYZW今天发布了新产品。ABC也来了。", encoding="utf-8")
    for min_length, expected in ((3, {"XYZW", "ABC"}), (4, {"XYZW"})):
        config = tmp_path / f"kg{min_length}.toml"
        config.write_text(f'tagger = "capitals"\n\n[components.capitals]\nmin_length = {min_length}\n',
                          encoding="utf-8")
        done = kg(plugins, "extract", str(doc), "-o", str(tmp_path / "out.jsonl"), "-q", "--config", str(config))
        assert done.returncode == 0, done.stderr
        names = {e["name"] for e in first_extraction(tmp_path / "out.jsonl")["entities"] if e["type"] == "Company"}
        assert names == expected
    # without the package kg knows no such tagger: one line, before any document is read
    missing = kg(None, "extract", str(doc), "-o", str(tmp_path / "none.jsonl"), "--ner", "capitals")
    assert missing.returncode == 2 and missing.stderr.startswith("error: unknown tagger 'capitals'")
    assert len(missing.stderr.strip().splitlines()) == 1


def test_the_relation_plugin_runs_as_a_component(plugins: Path, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("阿里巴巴旗下的蚂蚁集团发布了新产品。", encoding="utf-8")
    config = tmp_path / "kg.toml"
    config.write_text('relation_rules = ["subsidiaries"]\n', encoding="utf-8")
    done = kg(plugins, "extract", str(doc), "-o", str(tmp_path / "out.jsonl"), "-q", "--config", str(config))
    assert done.returncode == 0, done.stderr
    relations = first_extraction(tmp_path / "out.jsonl")["relations"]
    assert [(r["head"], r["relation"], r["tail"]) for r in relations] == [("蚂蚁集团", "SUBSIDIARY_OF", "阿里巴巴")]
    unknown = kg(None, "extract", str(doc), "-o", str(tmp_path / "none.jsonl"), "--config", str(config))
    assert unknown.returncode == 2 and "unknown relation rule 'subsidiaries'" in unknown.stderr


def test_the_sink_plugin_is_a_format_of_build_and_export(plugins: Path, tmp_path: Path) -> None:
    doc = tmp_path / "doc.txt"
    doc.write_text("科大讯飞董事长刘庆峰表示，公司与华为合作。", encoding="utf-8")
    out = tmp_path / "out"
    done = kg(plugins, "build", str(doc), "-o", str(out), "--no-db", "--no-html", "-q", "--export", "names")
    assert done.returncode == 0, done.stderr
    assert (out / "names.txt").read_text(encoding="utf-8").split() == ["刘庆峰", "华为", "科大讯飞"]
    done = kg(plugins, "export", "--out", str(out), "-o", str(tmp_path / "g.names"), "--set", "separator=,")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "g.names").read_text(encoding="utf-8") == "刘庆峰,华为,科大讯飞\n"
    assert "names: the entity names, one a line" in " ".join(kg(plugins, "export", "--help").stdout.split())


def test_the_configuration_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "my-names.tsv").write_text("Company\t星海科技有限公司\t\t星海科技\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    scope = runpy.run_path(str(EXAMPLES / "configuration.py"))
    names = {e.name for e in scope["extraction"].entities}
    assert {"星海科技有限公司", "王大可"} <= names
