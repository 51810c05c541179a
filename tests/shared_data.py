"""The development data beside a checkout (``../shared``): tests that need it skip where it is
missing (a user's clone), naming what is missing, and FAIL in CI (``CI`` set), where ``.ci/run``
runs with ``../shared`` beside the clone, so a missing folder there is a broken setup, not a pass."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_path(*parts: str) -> Path:
    """``../shared/<parts>``, or skip the test (fail in CI) saying which file is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = f"needs ../shared/{'/'.join(parts)} (the development data), not beside this clone"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path
