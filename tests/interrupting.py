"""Signals sent to a ``kg`` command at a chosen moment after its ``main`` runs.

The console entry point (``kg.cli:main``, run as ``python -c "from kg.cli import main; main()"``) is
running once ``kg.cli`` is imported, which ``-X importtime`` reports on stderr; the signal is sent
``delay`` seconds after that. Before it, a signal meets Python's own start-up, which no program handles.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

KG_TIMED = [sys.executable, "-X", "importtime", "-c", "from kg.cli import main; main()"]


@dataclass
class Interrupted:
    code: int  # the exit code
    sent: bool  # False: the command had ended before the signal
    stdout: str
    said: list[str]  # stderr lines, import times left out


def signal_after_main(args: list[str], delay: float, sig: int = signal.SIGINT, cwd: Path | None = None,
                      timeout: float = 300, env: dict[str, str] | None = None) -> Interrupted:
    proc = subprocess.Popen([*KG_TIMED, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if line.startswith("import time:") and line.rstrip().endswith("| kg.cli"):
            break
    time.sleep(delay)
    sent = proc.poll() is None
    if sent:
        proc.send_signal(sig)
    stdout, rest = proc.communicate(timeout=timeout)
    said = [line.rstrip("\n") for line in [*lines, *rest.splitlines(keepends=True)]
            if not line.startswith("import time:")]
    return Interrupted(proc.returncode, sent, stdout, said)
