"""Run commands one after another from a small process and report each one's wall time, CPU time,
peak RSS, exit code and (if asked) standard output.

Why a process of its own: Linux counts into a child's peak RSS (``ru_maxrss``) the resident pages
of the process it was forked from, up to its ``exec``; a child of a benchmark that holds a 1M-edge
graph would report gigabytes it never used. This module imports nothing but the standard library,
so a child's figure is its own (``launcher_rss_mb`` in the answer, the launcher's resident memory
when it starts them, is the floor it cannot go below; None off Linux).

stdin: a JSON list of ``{"args": [...], "capture": bool}``; stdout: ``{"launcher_rss_mb": x,
"runs": [{"seconds", "cpu_seconds", "peak_rss_mb", "returncode", "output"}, ...]}``.

    echo '[{"args": ["true"]}]' | python -m bench.launch
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any


def measure(args: list[str], capture: bool = False) -> dict[str, Any]:
    """One process: its stdout is read to the end before it is reaped, so ``wait4`` still sees it
    and returns its own resource usage."""
    t = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    output = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    return {"seconds": time.perf_counter() - t, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024, "returncode": proc.returncode, "output": output}


def resident_mb() -> float | None:
    """This process's resident memory now (not its ``ru_maxrss``, which counts its parent's pages
    from before the exec too)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError):
        return None


def main() -> None:
    commands = json.load(sys.stdin)
    floor = resident_mb()
    runs = [measure(c["args"], c.get("capture", False)) for c in commands]
    json.dump({"launcher_rss_mb": floor, "runs": runs}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
