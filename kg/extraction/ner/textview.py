"""One document's text in the forms the recognisers need, all sharing the original offsets."""

from __future__ import annotations

import logging
import re
from dataclasses import InitVar, dataclass, field
from functools import cached_property

import jieba
import jieba.posseg as pseg

from kg.io.normalize import normalize, sentence_spans
from kg.models import Mention
from kg.schema import EntityType, Origin

jieba.setLogLevel(logging.WARNING)

_KEPT = re.compile(r"[^ \t\r\n\u3000\-_·・]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass
class TextView:
    """``norm`` is the simplified, half-width text (same length as ``original``).

    ``compact`` drops spaces and hyphens and lower-cases, so ``DeepSeek V3`` and ``deepseek-v3``
    look alike to the dictionary matcher; ``compact_to_norm[i]`` maps back to offsets.
    """

    original: str
    #: The normalised text and the sentences, when the caller has them already: a chunk of a long
    #: document takes both from the whole document, so its sentences are exactly the document's.
    given_norm: InitVar[str | None] = None
    given_sentences: InitVar[list[tuple[int, int]] | None] = None
    norm: str = field(init=False)

    def __post_init__(self, given_norm: str | None, given_sentences: list[tuple[int, int]] | None) -> None:
        self.norm = normalize(self.original) if given_norm is None else given_norm
        if given_sentences is not None:
            self.__dict__["sentences"] = given_sentences  # where the cached property keeps its value

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        return list(sentence_spans(self.norm))

    @cached_property
    def _compact(self) -> tuple[str, list[int]]:
        # Only ASCII letters change case (the text is already half-width), so lengths never change.
        index = [m.start() for m in _KEPT.finditer(self.norm)]
        norm = self.norm
        return "".join(norm[i] for i in index).translate(_ASCII_LOWER), index

    @property
    def compact(self) -> str:
        return self._compact[0]

    @property
    def compact_to_norm(self) -> list[int]:
        return self._compact[1]

    def mention(self, start: int, end: int, type: EntityType, canonical: str | None = None,
                origin: Origin = Origin.PATTERN) -> Mention:
        """A mention of ``[start, end)``: its text as written, its canonical name by default the
        normalised text without spaces (讯飞星火 APP -> 讯飞星火APP)."""
        if canonical is None:
            canonical = self.norm[start:end].replace(" ", "")
        return Mention(text=self.original[start:end], start=start, end=end, type=type, canonical=canonical,
                       origin=origin)

    def tokens(self, start: int, end: int) -> list[tuple[str, str, int]]:
        """jieba's words of ``norm[start:end]`` (with its HMM for new words), each with its
        dictionary tag ("unk" for a new word) and offset from ``start``; cached, as several
        recognisers read the same sentence. The cache lives as long as the view, which is never
        longer than the extractor's ``chunk_chars`` (a long document is read chunk by chunk)."""
        cache: dict[tuple[int, int], list[tuple[str, str, int]]] = self.__dict__.setdefault("_token_cache", {})
        toks = cache.get((start, end))
        if toks is None:
            toks, pos = [], 0
            tags = pseg.dt.word_tag_tab
            for word in jieba.cut(self.norm[start:end], HMM=True):
                toks.append((word, tags.get(word, "unk"), pos))
                pos += len(word)
            cache[(start, end)] = toks
        return toks

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence holding ``offset`` (binary search)."""
        lo, hi = 0, len(self.sentences) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.sentences[mid][0] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo
