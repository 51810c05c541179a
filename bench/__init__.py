"""Benchmarks for kg: a reproducible corpus generator and one-table runs (``python -m bench.run_all``)."""
