"""Ctrl-C at any moment of a ``kg`` command once its ``main`` runs ends it with one line on stderr
and exit code 130: never a traceback, never death by the signal. The signal is sent at chosen
moments after ``main`` starts (:mod:`interrupting`): while the commands' modules load (about half a
second), while the extractor loads its models, while documents are extracted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from interrupting import signal_after_main


def corpus(folder: Path, copies: int = 20) -> Path:
    path = folder / "docs.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(copies):
            fh.write(json.dumps({"id": f"d{i}", "text": "科大讯飞董事长刘庆峰表示，公司与华为合作。" * 200},
                                ensure_ascii=False) + "\n")
    return path


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2, 0.4, 1.5])
def test_ctrl_c_at_any_moment_is_one_line_and_130(tmp_path: Path, delay: float) -> None:
    source = corpus(tmp_path)
    done = signal_after_main(["extract", str(source), "-o", str(tmp_path / "out.jsonl"), "-q", "-w", "1"], delay,
                             cwd=tmp_path)
    code, said = (done.code if done.sent else None), done.said
    assert code is not None, "the command ended before the signal: make the corpus bigger"
    assert code == 130, (code, said)
    assert len(said) == 1 and said[0].startswith("error: interrupted"), said
    assert not (tmp_path / "out.jsonl").exists()


#: A command whose compiled module is interrupted while it initialises: pybind11 turns the
#: KeyboardInterrupt into ImportError("initialization failed"), and a library may then try another
#: way to load it and fail with an ImportError of its own (opencc does).
FAILING_IMPORTS = {
    "pybind11": "raise ImportError('initialization failed') from KeyboardInterrupt()",
    "fallback": ("try:\n    raise ImportError('initialization failed') from KeyboardInterrupt()\n"
                 "except ImportError:\n    raise ImportError('opencc_clib not found in Bazel runfiles')"),
    "signal": "import os, signal\nos.kill(os.getpid(), signal.SIGINT)",
}


@pytest.mark.parametrize("how", sorted(FAILING_IMPORTS))
def test_ctrl_c_while_a_compiled_module_initialises_is_one_line_and_130(how: str) -> None:
    command = "\n".join(["import kg.cli.root as root", "def app():",
                         *("    " + line for line in FAILING_IMPORTS[how].splitlines()),
                         "root.app = app", "from kg.cli import main", "main()"])
    if how == "signal":  # the signal itself arrives: KeyboardInterrupt, caught by a library and replaced
        command = command.replace("    os.kill(os.getpid(), signal.SIGINT)",
                                  "    try:\n        os.kill(os.getpid(), signal.SIGINT)\n"
                                  "    except KeyboardInterrupt:\n"
                                  "        raise ImportError('lost its cause') from None")
    done = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (130, "error: interrupted\n")


def test_an_import_error_of_its_own_is_not_an_interruption() -> None:
    command = "import kg.cli.root as root\ndef app():\n    raise ImportError('x')\nroot.app = app\n" \
              "from kg.cli import main\nmain()"
    done = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "ImportError: x" in done.stderr
