"""How much parallelism the machine gives right now: N pure-Python processes against one.

On a shared or virtual machine, "2 cores" may deliver far less than twice the work of one (other
tenants, CPU quotas, host contention that shows up as neither load nor steal time). The scaling of
``kg extract --workers N`` can only be judged against this ceiling, measured next to it.

    python -m bench.ceiling --workers 2
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time


def _burn(n: int) -> float:
    """A CPU-bound pure-Python loop (like the extractor: no I/O, no C extension releasing the GIL)."""
    start = time.perf_counter()
    x = 0
    for i in range(n):
        x += i * i
    return time.perf_counter() - start


def speedup(workers: int = 2, n: int = 10_000_000, repeat: int = 3) -> dict[str, float]:
    """Median over ``repeat`` trials of (time of one job) * workers / (time of ``workers`` jobs at once)."""
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    ratios = []
    with ctx.Pool(workers) as pool:
        pool.map(_burn, [1000] * workers)  # start the processes before timing
        for _ in range(repeat):
            t = time.perf_counter()
            pool.apply(_burn, (n,))
            one = time.perf_counter() - t
            t = time.perf_counter()
            pool.map(_burn, [n] * workers, chunksize=1)
            many = time.perf_counter() - t
            ratios.append(one * workers / many)
    return {"workers": workers, "speedup": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    r = speedup(args.workers)
    print(f"{args.workers} processes do {r['speedup']:.2f}x the work of one "
          f"(min {r['min']:.2f}, max {r['max']:.2f})")


if __name__ == "__main__":
    main()
