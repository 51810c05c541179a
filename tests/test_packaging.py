"""What the wheel holds: every package of the source tree, and every file kg reads at run time
(CI also builds the wheel and runs `kg build` and `kg query --list` from a fresh, non-editable
install: see .ci/run)."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def source_folder(package: str) -> Path:
    return ROOT / CONFIG["package-dir"].get(package, package.replace(".", "/"))


def test_every_package_is_listed() -> None:
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "kg").rglob("__init__.py")}
    assert found | {"kg.seeds", "kg.cypher"} == set(CONFIG["packages"])


def test_every_run_time_file_is_package_data() -> None:
    for package in CONFIG["packages"]:
        folder = source_folder(package)
        patterns = CONFIG["package-data"].get(package, [])
        for path in folder.rglob("*"):
            if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            rel = path.relative_to(folder).as_posix()
            # files of a subpackage are that package's data
            owner = next((p for p in CONFIG["packages"] if p != package and p.startswith(package + ".")
                          and path.is_relative_to(source_folder(p))), None)
            if owner:
                continue
            assert any(fnmatch.fnmatch(rel, pat) for pat in patterns), f"{package}: {rel} would not be installed"


def test_the_shipped_folders_are_found_through_the_package() -> None:
    from kg.resources import cypher_dir, seeds_dir

    assert len(list(seeds_dir().glob("*.txt"))) == 5
    assert len(list(cypher_dir().glob("*.cypher"))) >= 14
