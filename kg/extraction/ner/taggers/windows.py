"""Taggers that read only windows around person cues (a title, a speech verb), not whole sentences.

Names sit next to their cue (刘庆峰表示, 董事长刘庆峰), so a windowed tagger finds most people for a
fraction of the cost of tagging everything. The word tagger itself is pluggable (jieba, LAC).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kg.extraction.lexicons import characters, words
from kg.extraction.ner.lexicon import GENERIC_ORG_WORDS
from kg.extraction.ner.organisations import org_type
from kg.extraction.ner.people import TITLE_RX, is_person_name, trim_name
from kg.extraction.ner.textview import TextView
from kg.models import Mention
from kg.schema import EntityType, Origin

E = EntityType
_PERSON_CUES = re.compile("|".join(words("names.person_cues")) + f"|{TITLE_RX}")
_PLACE_SUFFIXES = tuple(sorted(characters("places.suffix_chars")))
_NOT_PLACES = frozenset(words("places.not_places"))
#: Characters either side of a cue that a windowed tagger reads.
WINDOW = 12

#: Named words of one piece of text: (word, type, offset in the piece).
Tagged = list[tuple[str, EntityType, int]]
#: Tags many pieces at once (so a neural tagger can batch them).
PieceTagger = Callable[[list[str]], list[Tagged]]


def cue_windows(sentence: str, width: int = WINDOW) -> list[tuple[int, int]]:
    """Stretches of ``width`` characters around each person cue, merged where they overlap.

    >>> s = "会上，科大讯飞董事长刘庆峰表示，星火将继续升级。"
    >>> [s[a:b] for a, b in cue_windows(s, 4)]
    ['科大讯飞董事长刘庆峰表示，星火将']
    """
    windows: list[tuple[int, int]] = []
    for m in _PERSON_CUES.finditer(sentence):
        a, b = max(0, m.start() - width), min(len(sentence), m.end() + width)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    return windows


def named(tagged: Iterable[tuple[str, str]], tags: dict[str, EntityType]) -> Tagged:
    """The words whose tag names an entity type, with their offsets."""
    out, pos = [], 0
    for word, tag in tagged:
        if tag in tags:
            out.append((word, tags[tag], pos))
        pos += len(word)
    return out


@dataclass(frozen=True)
class WindowedTagger:
    """A recogniser that runs ``tag_pieces`` on the cue windows of every sentence."""

    tag_pieces: PieceTagger
    width: int = WINDOW

    def __call__(self, view: TextView, known: Sequence[Mention]) -> list[Mention]:
        text = view.norm
        pieces: list[tuple[int, str, bool, bool]] = []  # (offset, text, cut on the left, cut on the right)
        for s, e in view.sentences:
            sentence = text[s:e]
            for a, b in cue_windows(sentence, self.width):
                pieces.append((s + a, sentence[a:b], a > 0, b < len(sentence)))
        if not pieces:
            return []
        out = []
        for (offset, piece, cut_left, cut_right), tagged in zip(pieces, self.tag_pieces([p[1] for p in pieces]),
                                                                strict=True):
            for word, etype, pos in tagged:
                # a word touching a cut edge may be a fragment of a longer one
                if (pos == 0 and cut_left) or (pos + len(word) == len(piece) and cut_right):
                    continue
                mention = tagged_mention(view, offset + pos, word, etype)
                if mention:
                    out.append(mention)
        return out


def tagged_mention(view: TextView, start: int, word: str, etype: EntityType) -> Mention | None:
    """A tagger's word as a mention, if it passes the checks of its type (a person's name shape,
    a place suffix, an organisation name that is not generic)."""
    if etype is E.PERSON:
        name = word if is_person_name(word) else trim_name(word)
        if not name:
            return None
        word = name
    elif etype is E.PLACE:
        # jieba tags many common words ns (深度, 上市): only trust names with a place suffix
        if word in _NOT_PLACES or len(word) < 2 or not word.endswith(_PLACE_SUFFIXES):
            return None
    elif etype is E.ORGANIZATION:
        if len(word) < 3 or word in GENERIC_ORG_WORDS:
            return None
        etype = org_type(word)
    end = start + len(word)
    return view.mention(start, end, etype, word, origin=Origin.NER)
