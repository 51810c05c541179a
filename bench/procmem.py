"""Run a command and record its wall time, CPU and peak memory, counting all its child processes.

``resource.getrusage(RUSAGE_CHILDREN)`` only reports the largest single process, and a process
pool's memory is the sum of the parent and its workers, so this polls ``/proc`` instead: every
``interval`` seconds it walks the process tree and sums RSS (resident memory, shared pages counted
in every process that maps them) and PSS (shared pages split between the processes: the honest
total for forked workers). Linux only; elsewhere the memory figures are None.

It also records how contended the machine was: the CPU time every process on the machine used
during the run (``/proc/stat``, which counts other containers sharing the kernel too, unlike
``top``), and how long the command's processes sat runnable waiting for a CPU
(``/proc/<pid>/schedstat``). A parallel run that scales badly while its processes wait on the run
queue is short of CPUs, not of work.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass
class RunStats:
    returncode: int
    seconds: float
    peak_rss_mb: float | None  # sum over the process tree, at its peak
    peak_pss_mb: float | None
    peak_processes: int
    output: str
    cpu_seconds: float = 0.0  # user + system time of the command and every process it waited for
    machine_cpu_seconds: float | None = None  # CPU time used by every process on the machine
    runqueue_wait_seconds: float | None = None  # the command's processes runnable but not running
    timed_out: bool = False  # killed after the run's timeout

    @property
    def others_cpu_seconds(self) -> float | None:
        """CPU time other processes took from the machine while the command ran."""
        if self.machine_cpu_seconds is None:
            return None
        return max(0.0, self.machine_cpu_seconds - self.cpu_seconds)


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in (PROC / str(pid) / "task").iterdir():
            kids += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return kids


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _kib(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_memory_kib(pid: int) -> tuple[int, int, int]:
    """(RSS, PSS, process count) of ``pid`` and all its descendants, in KiB."""
    pids = _tree(pid)
    rss = sum(_kib(PROC / str(p) / "status", "VmRSS:") for p in pids)
    pss = sum(_kib(PROC / str(p) / "smaps_rollup", "Pss:") for p in pids)
    return rss, pss, len(pids)


def machine_busy_seconds() -> float | None:
    """CPU-seconds all CPUs have spent busy since boot (user, nice, system, irq, softirq, steal)."""
    try:
        fields = [int(x) for x in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _schedstat(pid: int) -> tuple[int, int] | None:
    try:
        on_cpu, waiting, _ = (PROC / str(pid) / "schedstat").read_text().split()
        return int(on_cpu), int(waiting)
    except (OSError, ValueError):
        return None


def run(cmd: Sequence[str], interval: float = 0.05, env: dict[str, str] | None = None,
        cwd: Path | None = None, timeout: float | None = None) -> RunStats:
    """Run ``cmd`` to completion (or until ``timeout`` seconds, then kill it), sampling the memory of
    its process tree."""
    linux = PROC.joinpath("self", "status").exists()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = machine_busy_seconds()
    sched: dict[int, tuple[int, int]] = {}  # last schedstat seen per process of the tree
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})}, cwd=cwd)
    peak_rss = peak_pss = peak_n = 0
    timed_out = False
    try:
        while True:
            if linux:
                rss, pss, n = tree_memory_kib(proc.pid)
                peak_rss, peak_pss, peak_n = max(peak_rss, rss), max(peak_pss, pss), max(peak_n, n)
                for pid in _tree(proc.pid):
                    stat = _schedstat(pid)
                    if stat:
                        sched[pid] = stat
            try:
                # communicate() keeps what it has read across timeouts, so no output is lost.
                output, _ = proc.communicate(timeout=interval)
                break
            except subprocess.TimeoutExpired:
                if timeout is not None and time.perf_counter() - start > timeout:
                    timed_out = True
                    for pid in reversed(_tree(proc.pid)):  # the workers of a pool too
                        with contextlib.suppress(OSError):
                            os.kill(pid, signal.SIGKILL)
                continue
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    busy_after = machine_busy_seconds()
    machine = busy_after - busy_before if busy_before is not None and busy_after is not None else None
    wait = sum(w for _, w in sched.values()) / 1e9 if sched else None
    return RunStats(proc.returncode, seconds, peak_rss / 1024 if linux else None,
                    peak_pss / 1024 if linux else None, peak_n, output or "", cpu, machine, wait, timed_out)
