"""jieba.posseg's tag table (``jieba.posseg.dt.word_tag_tab``: word -> part-of-speech tag), loaded only
when a tag is first read, from a compact copy shipped with kg.

Importing ``jieba.posseg`` builds that table by parsing jieba's dict.txt line by line (349,046 words):
about a CPU-second in every process that extracts, spent before anything is read. kg reads the table
only to tag the words ``jieba.cut`` gives. So :func:`install` (called when ``kg`` is imported) lets
``jieba.posseg`` import without the parse, and the table is read, the first time something asks for
it, from ``kg/data/jieba_tags.bin``: the same words and tags (a test checks them against jieba's own
parse), sorted, zlib-compressed, 1.5 MB, read in about 0.15 s. Only jieba's default dictionary is
replaced, and only the dict.txt the copy was made from (its size is checked): with any other, jieba
parses its dictionary as it always does. Regenerate the copy with
``python -c "from kg.extraction.postags import main; main()"``.
"""

from __future__ import annotations

import io
import sys
import zlib
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent.parent / "data" / "jieba_tags.bin"
_MAGIC = b"kg-jieba-tags 1\n"
_MODULE = "jieba.posseg"


def _dict_txt() -> Path:
    import jieba

    return Path(jieba.__file__).resolve().parent / "dict.txt"


def encode(table: dict[str, str], dict_size: int) -> bytes:
    """The compact form of ``table``: a header (magic, dict.txt's size, the tags), then, compressed,
    the sorted words one a line and one byte per word, the index of its tag."""
    tags = sorted(set(table.values()))
    if len(tags) > 255:
        raise ValueError("more than 255 distinct tags")
    index = {t: i for i, t in enumerate(tags)}
    words = sorted(table)
    body = "\n".join(words).encode("utf-8") + b"\0" + bytes(index[table[w]] for w in words)
    return _MAGIC + f"{dict_size} {' '.join(tags)}\n".encode() + zlib.compress(body, 9)


def decode(data: bytes) -> tuple[int, dict[str, str]]:
    """(size of the dict.txt it was made from, the table) from :func:`encode`'s bytes."""
    if not data.startswith(_MAGIC):
        raise ValueError("not a kg jieba tag table")
    header, _, packed = data[len(_MAGIC):].partition(b"\n")
    size, *tags = header.decode().split(" ")
    words, _, codes = zlib.decompress(packed).partition(b"\0")
    keys = words.decode("utf-8").split("\n") if words else []
    return int(size), dict(zip(keys, map(tags.__getitem__, codes), strict=True))


def shipped_size() -> int | None:
    """The size of the dict.txt the shipped table was made from (None: no readable table)."""
    try:
        with TABLE.open("rb") as fh:
            head = fh.read(len(_MAGIC) + 32)
    except OSError:
        return None
    if not head.startswith(_MAGIC):
        return None
    return int(head[len(_MAGIC):].split(b" ", 1)[0])


def load() -> dict[str, str]:
    """The shipped table."""
    return decode(TABLE.read_bytes())[1]


def _lazy_tokenizer(base: type) -> type:
    """A subclass of jieba's ``POSTokenizer`` whose ``word_tag_tab`` is read from the shipped table
    on first use (then it is an ordinary attribute: no cost per look-up)."""

    class LazyTagsPOSTokenizer(base):  # type: ignore[misc, valid-type]
        def __getattr__(self, name: str) -> Any:
            if name == "word_tag_tab":
                table = load()
                self.__dict__["word_tag_tab"] = table
                return table
            return super().__getattr__(name)

    return LazyTagsPOSTokenizer


class _Loader:
    """Runs ``jieba.posseg``'s own code, its default tokenizer built without reading dict.txt."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        import jieba

        lazy = jieba.dt.dictionary == jieba.DEFAULT_DICT and _dict_txt().stat().st_size == shipped_size()
        if lazy:  # the table the tokenizer builds at import: from an empty file, at once
            jieba.dt.get_dict_file = lambda: io.BytesIO(b"")
        try:
            self.loader.exec_module(module)
        finally:
            if lazy:
                del jieba.dt.get_dict_file
        if lazy and module.dt.word_tag_tab == {}:
            module.dt.__class__ = _lazy_tokenizer(type(module.dt))
            del module.dt.word_tag_tab


class _Finder:
    """Finds ``jieba.posseg`` as Python would, and loads it with :class:`_Loader`."""

    @staticmethod
    def find_spec(fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != _MODULE:
            return None
        spec = PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Load ``jieba.posseg``'s tag table lazily from now on (nothing changes if it is imported already)."""
    if _MODULE not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())


def main() -> None:
    """Write kg/data/jieba_tags.bin from jieba's own parse of dict.txt."""
    import jieba
    import jieba.posseg as pseg

    pseg.dt.load_word_tag(jieba.dt.get_dict_file())  # jieba's own parse, whatever is installed now
    table = dict(pseg.dt.word_tag_tab)
    TABLE.write_bytes(encode(table, _dict_txt().stat().st_size))
    print(f"wrote {TABLE} ({len(table):,} words, {TABLE.stat().st_size:,} bytes)")
