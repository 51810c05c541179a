"""Ctrl-C at any moment of a ``kg`` command, from the first import on, ends it with one line on
stderr and exit code 130: never a traceback, never death by the signal.

The console entry point (``kg.cli:main``, run here as ``python -c "from kg.cli import main; main()"``)
is running once ``kg.cli`` is imported; ``-X importtime`` says when that is, so the signal is sent
at chosen moments after it: while the commands' modules load (about half a second), while the
extractor loads its models, while documents are extracted."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

KG = [sys.executable, "-X", "importtime", "-c", "from kg.cli import main; main()"]


def corpus(folder: Path, copies: int = 20) -> Path:
    path = folder / "docs.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(copies):
            fh.write(json.dumps({"id": f"d{i}", "text": "科大讯飞董事长刘庆峰表示，公司与华为合作。" * 200},
                                ensure_ascii=False) + "\n")
    return path


def interrupt_after_start(args: list[str], delay: float, cwd: Path) -> tuple[int | None, list[str]]:
    """Run kg, send SIGINT ``delay`` seconds after ``kg.cli`` is imported (main is running); the
    exit code (None: it finished before the signal) and the lines it wrote to stderr."""
    proc = subprocess.Popen([*KG, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("import time:") and line.rstrip().endswith("| kg.cli"):
            break
    time.sleep(delay)
    sent = proc.poll() is None
    if sent:
        proc.send_signal(signal.SIGINT)
    lines += proc.stderr.readlines()
    proc.wait(timeout=120)
    said = [line.rstrip("\n") for line in lines if not line.startswith("import time:")]
    return (proc.returncode if sent else None), said


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.2, 0.4, 1.5])
def test_ctrl_c_at_any_moment_is_one_line_and_130(tmp_path: Path, delay: float) -> None:
    source = corpus(tmp_path)
    code, said = interrupt_after_start(["extract", str(source), "-o", str(tmp_path / "out.jsonl"), "-q", "-w", "1"],
                                       delay, tmp_path)
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
