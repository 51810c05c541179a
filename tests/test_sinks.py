"""One sink registry for `kg build` and `kg export`: every registered format is listed, written by
both commands the same way, and a new one is one class and one registration."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import networkx as nx
import pytest
from pydantic import BaseModel, ConfigDict
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.network import save_json
from kg.registry import SINKS
from kg.sinks.base import Export, Note, PathOrFile, Sink

runner = CliRunner()


class NamesSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    separator: str = "\n"


class Names:
    """A format of one test: the entity names, one a line."""

    title: ClassVar[str] = "names"
    help: ClassVar[str] = "entity names, one a line"
    target: ClassVar[str] = "names.txt"
    suffixes: ClassVar[tuple[str, ...]] = (".names",)
    folder: ClassVar[bool] = False
    files: ClassVar[tuple[str, ...]] = ()
    unsafe: ClassVar[str] = ""
    Settings: ClassVar[type[BaseModel]] = NamesSettings

    def write(self, G: nx.MultiDiGraph, target: PathOrFile, settings: BaseModel) -> Export:
        assert isinstance(settings, NamesSettings)
        Path(target).write_text(settings.separator.join(sorted(G)), encoding="utf-8")  # type: ignore[arg-type]
        return Export("names", [Path(target)], G.number_of_nodes(), 0)  # type: ignore[arg-type]

    def notes(self, export: Export, settings: BaseModel) -> list[Note]:
        return [("info", "one name a line")]


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory: pytest.TempPathFactory, seed_graph: nx.MultiDiGraph) -> Path:
    out = tmp_path_factory.mktemp("kg-out")
    save_json(seed_graph, out / "graph.json")
    return out


def test_every_builtin_sink_keeps_the_protocol() -> None:
    assert {"graphml", "gexf", "csv", "jsonl", "html"} <= set(SINKS.names())
    for name in SINKS.names():
        assert isinstance(SINKS.get(name), Sink), name


def test_export_help_lists_the_registered_formats() -> None:
    result = runner.invoke(app, ["export", "--help"], env={"COLUMNS": "2000"})
    assert result.exit_code == 0
    for entry in SINKS.entries():
        assert f"{entry.name}: {SINKS.help_of(entry)}" in result.stdout, entry.name


def test_a_new_sink_is_one_class_and_a_registration(seed_out: Path, tmp_path: Path) -> None:
    SINKS.register("names", help="entity names, one a line")(Names())
    try:
        result = runner.invoke(app, ["export", "--out", str(seed_out), "-o", str(tmp_path / "g.names"),
                                     "--set", "separator=|"])
        assert result.exit_code == 0, result.output
        assert "one name a line" in result.stdout
        names = (tmp_path / "g.names").read_text(encoding="utf-8").split("|")
        assert "科大讯飞" in names and names == sorted(names)
        bad = runner.invoke(app, ["export", "-f", "names", "--out", str(seed_out), "--set", "colour=red"])
        assert bad.exit_code != 0 and "colour" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    finally:
        SINKS.unregister("names")


def test_build_and_export_write_a_format_alike(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["build", "-q", "--no-db", "--no-html", "-o", str(out), "--export", "graphml",
                                 "--export", "csv"])
    assert result.exit_code == 0, result.output
    built = (out / "graph.graphml").read_bytes()
    csv_built = (out / "neo4j-import" / "nodes.csv").read_bytes()
    assert runner.invoke(app, ["export", "-f", "graphml", "--out", str(out), "-o", str(tmp_path / "g.graphml")]) \
        .exit_code == 0
    assert runner.invoke(app, ["export", "-f", "csv", "--out", str(out), "-o", str(tmp_path / "csv")]).exit_code == 0
    assert (tmp_path / "g.graphml").read_bytes() == built
    assert (tmp_path / "csv" / "nodes.csv").read_bytes() == csv_built
    unknown = runner.invoke(app, ["build", "-q", "--no-db", "-o", str(out), "--export", "nope"])
    assert unknown.exit_code == 2 and "unknown format 'nope'" in unknown.stderr


def _graphml_nodes(path: Path) -> set[str]:
    return set(nx.read_graphml(path))


def test_exports_of_a_build_follow_every_later_change_while_their_files_are_there(tmp_path: Path) -> None:
    from kg.graph.network import load_json

    out, seeds = tmp_path / "out", sorted(Path("seeds").glob("*.txt"))
    built = runner.invoke(app, ["build", "-q", "--no-db", "--no-html", "-o", str(out), *map(str, seeds[:2]),
                                "--export", "graphml"])
    assert built.exit_code == 0, built.output
    added = runner.invoke(app, ["build", "--add", "-q", "--no-db", "-o", str(out), str(seeds[2]), "--export", "csv"])
    assert added.exit_code == 0, added.output

    def current() -> set[str]:
        return set(load_json(out / "graph.json"))

    assert _graphml_nodes(out / "graph.graphml") == current()
    csv_before = (out / "neo4j-import" / "nodes.csv").read_bytes()
    removed = runner.invoke(app, ["remove", seeds[0].stem, "--no-db", "--out", str(out)])
    assert removed.exit_code == 0, removed.output
    assert _graphml_nodes(out / "graph.graphml") == current()
    assert (out / "neo4j-import" / "nodes.csv").read_bytes() != csv_before  # both kept fresh
    # an export the user deleted is no longer kept
    (out / "graph.graphml").unlink()
    renamed = runner.invoke(app, ["rename", "科大讯飞", "讯飞公司", "--no-db", "--out", str(out)])
    assert renamed.exit_code == 0, renamed.output
    assert not (out / "graph.graphml").exists()
    assert "讯飞公司" in (out / "neo4j-import" / "nodes.csv").read_text(encoding="utf-8")


def test_the_settings_an_export_was_built_with_are_kept_when_it_is_written_again(tmp_path: Path) -> None:
    out, seeds = tmp_path / "out", sorted(Path("seeds").glob("*.txt"))
    config = tmp_path / "kg.toml"
    config.write_text('[sinks.html]\ntitle = "Our <graph>"\n\n[sinks.csv]\ndatabase = "news"\n', encoding="utf-8")
    built = runner.invoke(app, ["build", "-q", "--no-db", "-o", str(out), *map(str, seeds[:2]), "--config",
                                str(config), "--export", "csv"])
    assert built.exit_code == 0, built.output
    removed = runner.invoke(app, ["remove", seeds[0].stem, "--no-db", "--out", str(out)])
    assert removed.exit_code == 0, removed.output
    assert "<title>Our &lt;graph&gt;</title>" in (out / "graph.html").read_text(encoding="utf-8")
    assert json.loads((out / "exports.json").read_text(encoding="utf-8"))["csv"]["database"] == "news"
