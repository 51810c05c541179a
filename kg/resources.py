"""Where the files shipped with kg are, installed or in a checkout: the seed articles and the saved
queries live at the top of the repository (``seeds/``, ``cypher/``) and are installed as the
packages ``kg.seeds`` and ``kg.cypher`` (see pyproject.toml)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _folder(package: str) -> Path:
    return Path(str(resources.files(package)))


def seeds_dir() -> Path:
    """The shipped seed articles."""
    return _folder("kg.seeds")


def cypher_dir() -> Path:
    """The shipped saved queries."""
    return _folder("kg.cypher")
