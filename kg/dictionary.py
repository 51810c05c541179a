"""The domain dictionary: known entities, their types and surface forms (kg/data/entities.tsv).

Names only, never relations. Lookups go through the matching key of :func:`kg.normalize.key`,
so traditional forms, case and spacing variants need no entry of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.normalize import key
from kg.schema import EntityType


@dataclass(frozen=True)
class Entry:
    name: str
    type: EntityType
    english: str | None
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def surface_forms(self) -> tuple[str, ...]:
        forms = (self.name, *self.aliases, *([self.english] if self.english else []))
        return tuple(dict.fromkeys(forms))


class DictionaryError(ValueError):
    """A malformed dictionary file; the message names file and line."""


class Dictionary:
    """Known entities, indexed by the matching key of every surface form.

    >>> d = Dictionary.default()
    >>> d.lookup("科大訊飛").name, d.lookup("iFlytek").type
    ('科大讯飞', <EntityType.COMPANY: 'Company'>)
    """

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.by_key: dict[str, Entry] = {}
        for e in entries:
            # the canonical name wins over any other entry's alias
            self.by_key[key(e.name)] = e
        for e in entries:
            for form in e.surface_forms:
                self.by_key.setdefault(key(form), e)

    def lookup(self, surface: str) -> Entry | None:
        return self.by_key.get(key(surface))

    @classmethod
    def from_tsv(cls, path: Path | str, text: str | None = None) -> Dictionary:
        text = Path(path).read_text(encoding="utf-8") if text is None else text
        entries = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                raise DictionaryError(f"{path}:{lineno}: expected type<TAB>name[<TAB>english<TAB>aliases]")
            try:
                etype = EntityType(cols[0].strip())
            except ValueError:
                raise DictionaryError(f"{path}:{lineno}: unknown entity type {cols[0]!r}") from None
            name = cols[1].strip()
            english = cols[2].strip() if len(cols) > 2 and cols[2].strip() not in ("", "-") else None
            aliases = tuple(a.strip() for a in cols[3].split("|") if a.strip()) if len(cols) > 3 else ()
            entries.append(Entry(name, etype, english, aliases))
        return cls(entries)

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Dictionary:
        res = resources.files("kg") / "data" / "entities.tsv"
        return cls.from_tsv("kg/data/entities.tsv", res.read_text(encoding="utf-8"))
