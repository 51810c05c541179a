"""The extractor's word lists, kept as data in ``kg/data/lexicons.toml`` (one source for each list).

>>> "董事长" in words("titles.chairman")
True
>>> "王" in characters("names.surnames_single")
True
>>> alternation("titles.ceo").pattern
'首席执行官|首席执行长|CEO|总裁'
"""

from __future__ import annotations

import re
import tomllib
from functools import cache, lru_cache
from importlib import resources

LEXICON_FILE = "lexicons.toml"


class LexiconError(KeyError):
    """A word list that ``kg/data/lexicons.toml`` does not define."""


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, object]]:
    return tomllib.loads((resources.files("kg") / "data" / LEXICON_FILE).read_text(encoding="utf-8"))


@cache
def words(name: str) -> tuple[str, ...]:
    """The words of list ``section.key``, in file order, without repeats."""
    section, _, key = name.partition(".")
    try:
        value = _table()[section][key]
    except KeyError:
        raise LexiconError(f"no word list {name!r} in kg/data/{LEXICON_FILE}") from None
    items = value.split() if isinstance(value, str) else [str(v) for v in value]  # type: ignore[attr-defined]
    return tuple(dict.fromkeys(items))


def characters(name: str) -> frozenset[str]:
    """A list whose every character is one item (surnames, trailing characters)."""
    return frozenset("".join(words(name)))


def union(*names: str) -> tuple[str, ...]:
    """The words of several lists, in order, without repeats."""
    return tuple(dict.fromkeys(w for n in names for w in words(n)))


def alternation(*names: str) -> re.Pattern[str]:
    """A regex matching any word of the lists, longest first (so 联合发布 wins over 发布)."""
    return re.compile("|".join(sorted(map(re.escape, union(*names)), key=len, reverse=True)))
