"""The user's corrections of entity resolution: ``kg-curation.toml``.

A TOML file of blocks, each an array-of-tables entry (so a command can append one without
rewriting the rest, and the user's comments stay)::

    [[merge]]            # these names are one entity; the first names the node
    names = ["宁德时代", "宁德时代新能源科技股份有限公司"]

    [[split]]            # these names are never one entity
    names = ["麒麟", "麒麟电池"]

    [[split]]            # the entity of these documents is another one, named `as`
    name = "麒麟"
    docs = ["catl-2024"]
    as = "麒麟电池"

    [[never]]            # not an entity at all
    names = ["超长文", "华为轮值"]

    [[type]]             # the type of these entities
    names = ["麒麟电池"]
    type = "Product"

    [[rename]]           # the node's name
    from = "混元"
    to = "腾讯混元"

Names are compared as the scorer compares them (:func:`kg.io.normalize.key`: either script, any
case, spaces and hyphens ignored). ``kg extract`` applies the file to each document it writes;
``kg build`` (and ``--add``, ``kg remove``) keep it in the output folder and apply it to the graph
and everything made from it (index, page, database, exports), never to ``extractions.jsonl``,
which stays what the extractor read. ``kg merge``, ``kg rename`` and ``kg forget`` append to it.

>>> c = Curation.parse('[[merge]]\\nnames = ["混元", "腾讯混元"]\\n[[never]]\\nnames = ["超长文"]\\n')
>>> c.merges, c.never
([['混元', '腾讯混元']], ['超长文'])
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.io.normalize import key
from kg.io.outputs import error, write_text
from kg.models import Entity, Extraction, Merge
from kg.schema import SYMMETRIC, EntityType

CURATION_FILE = "kg-curation.toml"
KINDS = ("merge", "split", "never", "type", "rename")
_HEADER = re.compile(r"^\s*\[\[\s*(\w+)\s*\]\]")


class CurationError(ValueError):
    """A curation file that cannot be read; the message is one line naming the file and the line."""


@dataclass
class Curation:
    """What the file says (see the module docstring)."""

    merges: list[list[str]] = field(default_factory=list)
    apart: list[tuple[str, str]] = field(default_factory=list)
    split_docs: list[tuple[str, list[str], str]] = field(default_factory=list)
    never: list[str] = field(default_factory=list)
    types: dict[str, EntityType] = field(default_factory=dict)  # name key -> type
    renames: dict[str, str] = field(default_factory=dict)  # name key -> new name
    text: str = ""

    def __bool__(self) -> bool:
        return bool(self.merges or self.apart or self.split_docs or self.never or self.types or self.renames)

    # -- reading -------------------------------------------------------------------------------

    @classmethod
    def read(cls, path: Path) -> Curation:
        """The curation of ``path``; an empty one if there is no such file."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except UnicodeDecodeError as exc:
            raise CurationError(f"{path}: not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})"
                                ) from None
        except OSError as exc:
            raise CurationError(f"{path}: cannot read ({(exc.strerror or str(exc)).lower()})") from None
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, where: str = CURATION_FILE) -> Curation:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = re.search(r"line (\d+)", str(exc))
            at = line.group(1) if line else max(1, len(text.splitlines()))  # "at end of document"
            reason = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", str(exc)).strip()
            raise CurationError(f"{where}:{at}: {reason[:1].lower()}{reason[1:]}") from None
        lines = _block_lines(text)
        out = cls(text=text)
        for kind, blocks in data.items():
            if kind not in KINDS:
                raise CurationError(f"{where}:{_line_of(text, kind)}: unknown section {kind!r} (expected "
                                    f"{', '.join(f'[[{k}]]' for k in KINDS)})")
            if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
                raise CurationError(f"{where}:{_line_of(text, kind)}: {kind} must be written [[{kind}]] (a list "
                                    f"of blocks)")
            for n, block in enumerate(blocks):
                at = f"{where}:{lines.get(kind, [])[n] if n < len(lines.get(kind, [])) else _line_of(text, kind)}"
                out._add(kind, block, at)
        return out

    def _add(self, kind: str, block: Any, at: str) -> None:
        if not isinstance(block, dict):
            raise CurationError(f"{at}: [[{kind}]] must be a table of keys")
        allowed = {"merge": {"names"}, "split": {"names", "name", "docs", "as"}, "never": {"names", "name"},
                   "type": {"names", "name", "type"}, "rename": {"from", "to"}}[kind]
        unknown = sorted(set(block) - allowed)
        if unknown:
            raise CurationError(f"{at}: [[{kind}]] has no key {unknown[0]!r} (it takes {', '.join(sorted(allowed))})")
        if kind == "rename":
            old, new = _name(block, "from", kind, at), _name(block, "to", kind, at)
            self.renames[key(old)] = new
        elif kind == "merge":
            names = _names(block, kind, at, least=2)
            self.merges.append(names)
        elif kind == "never":
            self.never += _names(block, kind, at)
        elif kind == "type":
            value = block.get("type")
            try:
                etype = EntityType(value)
            except ValueError:
                raise CurationError(f"{at}: unknown entity type {value!r} (one of "
                                    f"{', '.join(map(str, EntityType))})") from None
            for name in _names(block, kind, at):
                self.types[key(name)] = etype
        elif "docs" in block or "name" in block:
            name, new = _name(block, "name", kind, at), _name(block, "as", kind, at)
            docs = block.get("docs")
            if not isinstance(docs, list) or not docs or not all(isinstance(d, str) and d for d in docs):
                raise CurationError(f"{at}: [[split]] with name needs docs = [\"doc id\", ...]")
            self.split_docs.append((name, list(docs), new))
            self.apart.append((new, name))
        else:
            names = _names(block, kind, at, least=2)
            self.apart += [(a, b) for i, a in enumerate(names) for b in names[i + 1:]]

    # -- applying ------------------------------------------------------------------------------

    def together(self) -> list[list[str]]:
        return [list(m) for m in self.merges]

    def node_names(self) -> dict[str, str]:
        """Name key -> the name the node of that name must have (a rename's new one)."""
        return dict(self.renames)

    def forgets(self, name: str) -> bool:
        return key(name) in {key(n) for n in self.never}

    def apply(self, ex: Extraction, names: bool = True) -> Extraction:
        """One document's extraction as the curation has it: entities that are none left out (and
        their relations), types set, an entity split off renamed, and (``names``) names merged in
        one document made one entity and renames made. Unchanged when nothing applies. The graph
        leaves merges and renames to linking (:mod:`kg.graph.linking`), which also knows the names nodes
        have across documents."""
        if not self:
            return ex
        never = {key(n) for n in self.never}
        splits = {key(name): new for name, docs, new in self.split_docs if ex.doc_id in docs}
        renamed: dict[str, str] = {}  # old entity name -> new
        entities: dict[str, Entity] = {}
        for e in ex.entities:
            if key(e.name) in never:
                continue
            e = e.model_copy(deep=True)
            original = e.name
            new = self.final_name(e.name, splits) if names else splits.get(key(e.name), e.name)
            if new != e.name:
                e.aliases = [a for a in dict.fromkeys([e.name, *e.aliases]) if a != new]
                renamed[e.name], e.name = new, new
            e.type = self.types.get(key(e.name)) or self.types.get(key(original)) or e.type
            seen = entities.get(e.name)
            if seen is None:
                entities[e.name] = e
            else:  # two entities of the document the user merged
                seen.aliases = [a for a in dict.fromkeys([*seen.aliases, *e.aliases]) if a != seen.name]
                seen.mentions += e.mentions
                seen.merged_from.append(Merge(name=original,
                                              rule="curation", start=0, end=0))
        kept = set(entities)
        relations = []
        for r in ex.relations:
            head, tail = renamed.get(r.head, r.head), renamed.get(r.tail, r.tail)
            if head not in kept or tail not in kept or head == tail:
                continue
            if r.relation in SYMMETRIC and tail < head:
                r = r.model_copy(update={"head": tail, "tail": head})
            else:
                r = r.model_copy(update={"head": head, "tail": tail})
            relations.append(r)
        return ex.model_copy(update={"entities": list(entities.values()), "relations": _unique(relations)})

    def final_name(self, name: str, splits: dict[str, str] | None = None) -> str:
        """The name an entity called ``name`` has after the curation: split off (``splits``: name
        key -> new name, for its document), merged (the merge's first name), renamed (in that order,
        each on the result of the one before)."""
        name = (splits or {}).get(key(name), name)
        for group in self.merges:
            if key(name) in {key(n) for n in group}:
                name = group[0]
                break
        seen = set()
        while key(name) in self.renames and key(name) not in seen:  # a rename of a rename, no cycles
            seen.add(key(name))
            name = self.renames[key(name)]
        return name

    def applied(self, extractions: Iterable[Extraction], names: bool = True) -> Iterable[Extraction]:
        return (self.apply(ex, names) for ex in extractions)

    # -- writing -------------------------------------------------------------------------------

    def with_block(self, kind: str, **values: Any) -> Curation:
        """This curation with one more block (appended to the text, the rest kept as written)."""
        body = "".join(f"{k} = {_toml_value(v)}\n" for k, v in values.items())
        text = self.text + ("" if not self.text or self.text.endswith("\n") else "\n")
        text += ("\n" if text.strip() else _PREAMBLE) + f"[[{kind}]]\n{body}"
        return Curation.parse(text)

    def write(self, path: Path) -> None:
        try:
            write_text(path, self.text)
        except OSError as exc:
            raise error(path, exc) from None


_PREAMBLE = ("# kg-curation.toml: corrections of kg's entities, applied to the graph on every build\n"
             "# ([[merge]], [[split]], [[never]], [[type]], [[rename]]; see the README).\n\n")


def _unique(relations: list) -> list:
    out: dict[tuple, Any] = {}
    for r in relations:
        k = (r.head, r.relation, r.tail)
        if k not in out or out[k].confidence < r.confidence:
            out[k] = r
    return list(out.values())


def _name(block: dict, field_name: str, kind: str, at: str) -> str:
    value = block.get(field_name)
    if not isinstance(value, str) or not value.strip():
        raise CurationError(f"{at}: [[{kind}]] needs {field_name} = \"a name\"")
    return value.strip()


def _names(block: dict, kind: str, at: str, least: int = 1) -> list[str]:
    value = block.get("names", [block["name"]] if "name" in block else None)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CurationError(f"{at}: [[{kind}]] needs names = [\"a name\", ...]")
    names = list(dict.fromkeys(v.strip() for v in value))
    if len(names) < least:
        raise CurationError(f"{at}: [[{kind}]] needs at least {least} different names")
    return names


def _block_lines(text: str) -> dict[str, list[int]]:
    """The line of each ``[[kind]]`` header, per kind, in order."""
    out: dict[str, list[int]] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line)
        if m:
            out.setdefault(m.group(1), []).append(n)
    return out


def _line_of(text: str, word: str) -> int:
    for n, line in enumerate(text.splitlines(), start=1):
        if word in line:
            return n
    return 1


def _toml_value(value: Any) -> str:
    """A TOML value for a string or a list of strings: JSON's escapes, and DEL escaped too (TOML
    allows no raw control character in a basic string)."""
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")
