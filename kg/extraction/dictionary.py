"""The domain dictionary: known entities, their types and surface forms (kg/data/entities.tsv).

Names only, never relations. Lookups go through the matching key of :func:`kg.io.normalize.key`,
so traditional forms, case and spacing variants need no entry of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.io.normalize import key
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

    def __init__(self, *layers: list[Entry]):
        """The entries of ``layers``, the first winning: within a layer a canonical name wins over
        another entry's alias; across layers, every form of a higher layer wins over a lower one."""
        self.entries = [e for layer in layers for e in layer]
        self.by_key: dict[str, Entry] = {}
        for layer in layers:
            for e in layer:
                self.by_key.setdefault(key(e.name), e)
            for e in layer:
                for form in e.surface_forms:
                    self.by_key.setdefault(key(form), e)

    def lookup(self, surface: str) -> Entry | None:
        return self.by_key.get(key(surface))

    @classmethod
    def default(cls) -> Dictionary:
        """The shipped dictionary, kg/data/entities.tsv (read once per process)."""
        return cls.load()

    @staticmethod
    @lru_cache(maxsize=8)
    def load(paths: tuple[Path, ...] = (), shipped: bool = True) -> Dictionary:
        """The shipped dictionary (unless ``shipped`` is false) and the files in ``paths``: an entry of a
        later file replaces an earlier one of the same name, and its aliases win. Read once per process.

        >>> Dictionary.load(shipped=False).entries
        []

        A user's alias wins over a shipped name:

        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as fh:
        ...     _ = fh.write("Company\\t讯飞集团\\t-\\t科大讯飞\\n")
        >>> Dictionary.load((Path(fh.name),)).lookup("科大訊飛").name
        '讯飞集团'
        >>> Path(fh.name).unlink()

        """
        layers = [_read_entries(_SHIPPED, resources.files("kg").joinpath("data", "entities.tsv")
                                .read_text(encoding="utf-8"))] if shipped else []
        layers += [_read_entries(p) for p in paths]
        kept: list[list[Entry]] = []
        taken: set[str] = set()
        for layer in reversed(layers):  # the last layer first: its names and aliases win
            kept.append([e for e in layer if key(e.name) not in taken])
            taken |= {key(e.name) for e in kept[-1]}
        return Dictionary(*kept)


_SHIPPED = "kg/data/entities.tsv"


def _read_entries(path: Path | str, text: str | None = None) -> list[Entry]:
    """The entries of a dictionary file; ``DictionaryError`` naming file and line if it is malformed."""
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DictionaryError(f"{path}: no such dictionary file") from None
        except UnicodeDecodeError as exc:
            raise DictionaryError(f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
                                  f"{exc.start})") from None
        except OSError as exc:
            raise DictionaryError(f"{path}: cannot read ({exc.strerror})") from None
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
    return entries
