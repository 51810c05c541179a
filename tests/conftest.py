"""Shared fixtures. Database and browser fixtures live in their own plugin modules."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

# `kg query` keeps no embedded server between commands in the tests (each starts and stops its own, as
# KG_DB_IDLE=0 asks); tests/test_db_keeper.py tests the kept server, and sets the variable itself.
os.environ.setdefault("KG_DB_IDLE", "0")

# The tests that send Ctrl-C to kg need it to reach kg's own handler. A suite started in the
# background of a script inherits SIGINT ignored (POSIX: so do its children, which then rightly
# ignore it too); a handler here is reset to the default in every child kg process.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

pytest_plugins: list[str] = ["browser_fixtures", "db_fixtures"]


@pytest.fixture(scope="session")
def seed_extractions():
    """Extractions of the five shipped seed articles (computed once per session)."""
    from kg.extraction.extractor import extract_document
    from kg.io.readers import iter_documents

    return [extract_document(d) for d in iter_documents([SEEDS])]


@pytest.fixture(scope="session")
def seed_graph(seed_extractions):
    """The networkx graph of the seeds."""
    from kg.graph.network import build_graph

    return build_graph(seed_extractions)
