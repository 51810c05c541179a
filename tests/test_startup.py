"""Start-up: each ``kg`` command imports only what it needs. ``kg --version`` imports no command's module;
the lookups (``kg neighbours``, ``kg path``, ``kg stats``) import neither networkx nor the pydantic models
(nor pydantic itself); the root's table of commands is the commands the modules define. The times
themselves are measured by bench/bench_startup.py, not asserted here (a busy machine is no failure)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

import kg
from kg.cli.root import COMMANDS, load_command

# Runs a kg command in a fresh interpreter and prints the modules it loaded, as JSON, on stderr's last line.
_PROBE = """
import json, sys
from kg.cli import main
sys.argv = ["kg", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def loaded_by(args: list[str]) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(args)], capture_output=True, text=True)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, seed_graph) -> Path:
    return kg.save(seed_graph, tmp_path_factory.mktemp("out"))


def test_version_loads_no_command(tmp_path: Path) -> None:
    code, modules = loaded_by(["--version"])
    assert code == 0
    assert not {m for m in modules if m.startswith("kg.cli.") and m != "kg.cli.root"}
    assert not {"rich.console", "networkx", "pydantic", "numpy", "jieba"} & modules


@pytest.mark.parametrize("args", [["neighbours", "科大讯飞"], ["neighbours", "讯飞", "--depth", "2", "--json"],
                                  ["path", "刘庆峰", "华为"], ["stats"], ["neighbours", "没有这个实体"]])
def test_lookups_import_neither_networkx_nor_the_models(folder: Path, args: list[str]) -> None:
    code, modules = loaded_by([*args, "--out", str(folder)])
    assert code in (0, 1, 2)
    heavy = {m for m in modules if m.split(".")[0] in ("networkx", "pydantic", "numpy", "jieba", "neo4j")}
    assert not heavy, sorted(heavy)[:10]
    assert not {"kg.models", "kg.graph.network", "kg.extract", "kg.cli.build"} & modules


def test_the_table_of_commands_is_what_the_modules_define() -> None:
    defined: dict[str, str] = {}
    for name, where in COMMANDS.items():
        module_name, _, attribute = where.partition(":")
        module = importlib.import_module(module_name)
        app = getattr(module, attribute or "app")
        if attribute:
            defined[name] = where
            continue
        for command in app.registered_commands:
            defined[command.name or command.callback.__name__] = module_name
    assert defined == COMMANDS
    for name in COMMANDS:
        assert load_command(name).name == name


def test_help_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-m", "kg", "--help"], capture_output=True, text=True,
                          env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0
    listed = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("│ ") and len(line.split()) > 2]
    assert [n for n in listed if n in COMMANDS] == list(COMMANDS)


def test_an_unknown_command_is_refused() -> None:
    done = subprocess.run([sys.executable, "-m", "kg", "neighbors"], capture_output=True, text=True)
    assert done.returncode == 2 and "No such command 'neighbors'" in done.stderr


def test_root_app_runs_in_process() -> None:
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"kg {kg.__version__}"
    assert isinstance(app, typer.Typer)


def test_no_command_offers_shell_completion() -> None:
    for name in COMMANDS:
        assert not {p.name for p in load_command(name).params} & {"install_completion", "show_completion"}, name
