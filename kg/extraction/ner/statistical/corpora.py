"""Corpus readers (char-per-line BMES/BIO, Weibo CoNLL, CLUENER JSON) and label mapping.

Every reader yields :class:`Example` objects: the sentence text and its gold spans with the corpus' own
label names (end exclusive).  :class:`LabelMap` turns those into our targets for training.

Target values of a label map:

- a type of :data:`TYPES` (``Person``, ``Place``, … ``Event``): the span is that type;
- ``ORG``: the span is a Company or an Organization, the corpus does not say which (partial label);
- ``O``: the span is not one of our entities (CLUENER ``book``, Weibo ``PER.NOM`` ...), though it
  may be one of the types the corpus does not annotate (``LabelMap.unannotated``);
- ``ANY``: unknown, the training loss does not constrain these characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.schema import EntityType

if TYPE_CHECKING:
    from kg.annotated_news import AnnotatedDoc

#: The tagger's types, in the order of its tag set (a model file records its own list): the entity
#: types of kg.schema, each checked against it.
TYPES = tuple(EntityType(t).value for t in ("Person", "Place", "Company", "Organization", "Chip", "AIModel", "Product",
                                            "Event"))
if set(TYPES) != {t.value for t in EntityType}:
    raise ImportError("every entity type of kg.schema must be a type of the tagger (kg.extraction.ner.statistical)")
#: The types the public NER corpora annotate (the base model's).
PUBLIC_TYPES = ("Person", "Place", "Company", "Organization")
#: The types none of the public NER corpora annotates: there an unlabelled character may be one.
UNANNOTATED_PUBLIC = ("Chip", "AIModel", "Product", "Event")
TARGETS = frozenset(TYPES) | {"ORG", "O", "ANY"}


class CorpusError(ValueError):
    """Malformed input; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    spans: tuple[tuple[int, int, str], ...]  # (start, end exclusive, corpus label)
    corpus: str = ""


def _spans_from_tags(chars: list[str], tags: list[str], where: str) -> tuple[tuple[int, int, str], ...]:
    """BMES / BIOES / BIO tags -> spans.  Lenient on I/M without B (starts a span), like conlleval."""
    spans: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate(tags):
        if tag == "O":
            if start >= 0:
                spans.append((start, i, label))
            start, label = -1, ""
            continue
        if len(tag) < 3 or tag[1] not in "-_" or tag[0] not in "BIMES":
            raise CorpusError(f"{where}: bad tag {tag!r} (expected O or B-/I-/M-/E-/S-TYPE)")
        pos, lab = tag[0], tag[2:]
        if pos in "BS" or start < 0 or lab != label:
            if start >= 0:
                spans.append((start, i, label))
            start, label = i, lab
        if pos in "ES":
            spans.append((start, i + 1, label))
            start, label = -1, ""
    if start >= 0:
        spans.append((start, len(tags), label))
    return tuple(spans)


def read_char_tags(path: str | Path, corpus: str = "", strip_digit: bool = False) -> Iterator[Example]:
    """``char TAG`` per line (space or tab), blank line between sentences; BMES, BIOES or BIO.

    ``strip_digit``: Weibo's CoNLL writes ``char<digit>`` (the position of the char in its word).
    """
    path = Path(path)
    chars: list[str] = []
    tags: list[str] = []
    first_line = 1
    with path.open(encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                if chars:
                    yield Example("".join(chars), _spans_from_tags(chars, tags, f"{path}:{first_line}"), corpus)
                chars, tags = [], []
                first_line = lineno + 1
                continue
            parts = line.split("\t") if "\t" in line else line.split(" ")
            parts = [p for p in parts if p != ""]
            if len(parts) == 1 and line[0] in " \t" and len(line) > 1:
                # a whitespace character as the token: "  O" / " \tO"
                parts = [" ", parts[0]]
            if len(parts) != 2:
                raise CorpusError(f"{path}:{lineno}: expected 'char TAG', got {line!r}")
            ch, tag = parts
            if strip_digit:
                # char + its position in the word (1+ digits); an emoji broken into replacement characters
                # (Weibo) counts as one character
                body = ch.rstrip("0123456789") or ch[0]
                digits = ch[len(body) :]
                if len(body) > 1 and set(body) == {"\ufffd"}:
                    body = "\ufffd"
                ch = body if len(body) == 1 and digits.isdigit() else ch
            if len(ch) != 1:
                raise CorpusError(f"{path}:{lineno}: expected one character, got {ch!r}")
            if tag != "O" and (len(tag) < 3 or tag[0] not in "BIMES" or tag[1] not in "-_"):
                raise CorpusError(f"{path}:{lineno}: bad tag {tag!r} (expected O or B-/I-/M-/E-/S-TYPE)")
            chars.append(ch)
            tags.append(tag)
    if chars:
        yield Example("".join(chars), _spans_from_tags(chars, tags, f"{path}:{first_line}"), corpus)


def read_cluener(path: str | Path, corpus: str = "") -> Iterator[Example]:
    """CLUENER JSON lines: ``{"text": ..., "label": {type: {string: [[start, end_inclusive], ...]}}}``.

    Overlapping spans (rare) keep the first, longest one.
    """
    path = Path(path)
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text = rec["text"]
                spans = []
                for lab, strings in (rec.get("label") or {}).items():
                    for string, offsets in strings.items():
                        for a, b in offsets:
                            if not (0 <= a <= b < len(text)) or text[a : b + 1] != string:
                                raise CorpusError(f"{path}:{lineno}: span {string!r} [{a}, {b}] does not match "
                                                  f"the text")
                            spans.append((int(a), int(b) + 1, str(lab)))
            except CorpusError:
                raise
            except (ValueError, KeyError, TypeError, AttributeError) as e:
                raise CorpusError(f"{path}:{lineno}: not a CLUENER record ({e.__class__.__name__}: {e})") from None
            spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
            kept: list[tuple[int, int, str]] = []
            for s in spans:
                if not kept or s[0] >= kept[-1][1]:
                    kept.append(s)
            yield Example(text, tuple(kept), corpus)


def read_corpus(path: str | Path, fmt: str = "auto", corpus: str = "") -> list[Example]:
    """Read a corpus in ``bmes`` / ``bio`` (char per line), ``conll-digit`` (Weibo) or ``cluener`` format."""
    path = Path(path)
    if fmt == "auto":
        fmt = "cluener" if path.suffix in (".json", ".jsonl") else "bmes"
    try:
        if fmt == "cluener":
            return list(read_cluener(path, corpus))
        if fmt in ("bmes", "bio", "bioes", "char"):
            return list(read_char_tags(path, corpus))
        if fmt == "conll-digit":
            return list(read_char_tags(path, corpus, strip_digit=True))
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: a folder, not a corpus file") from None
    raise CorpusError(f"{path}: unknown format {fmt!r} (bmes, bio, conll-digit, cluener)")


# --------------------------------------------------------------------------------------------- labels

# Training label maps for the four public corpora (corpus label -> target); unlisted labels -> ``O``.
MSRA_TRAIN = {"PER": "Person", "LOC": "Place", "ORG": "ORG"}
CLUENER_TRAIN = {
    "name": "Person", "address": "Place", "company": "Company", "organization": "Organization",
    "government": "Organization", "scene": "O", "book": "O", "game": "Product", "movie": "O", "position": "O",
}
RESUME_TRAIN = {"NAME": "Person", "ORG": "ORG", "LOC": "Place", "CONT": "ANY", "RACE": "O", "TITLE": "O",
                "EDU": "O", "PRO": "O"}
WEIBO_TRAIN = {"PER.NAM": "Person", "LOC.NAM": "Place", "GPE.NAM": "Place", "ORG.NAM": "ORG",
               "PER.NOM": "O", "LOC.NOM": "O", "GPE.NOM": "O", "ORG.NOM": "O"}
# For users' own corpora: common label names.
GENERIC_TRAIN = {
    "PER": "Person", "PERSON": "Person", "NAME": "Person", "NR": "Person", "PER.NAM": "Person",
    "LOC": "Place", "GPE": "Place", "PLACE": "Place", "ADDRESS": "Place", "NS": "Place",
    "LOC.NAM": "Place", "GPE.NAM": "Place",
    "ORG": "ORG", "NT": "ORG", "ORG.NAM": "ORG", "ORGANIZATION": "Organization", "GOVERNMENT": "Organization",
    "COMPANY": "Company",
}


@dataclass(frozen=True)
class LabelMap:
    """How one corpus' labels become our targets.

    ``unannotated``: the types this corpus never annotates, so an unlabelled character may be one of
    them as well as outside any name (partial labels: MSRA has no products; Resume marks no places).
    """

    mapping: dict[str, str] = field(default_factory=lambda: dict(GENERIC_TRAIN))
    unannotated: tuple[str, ...] = UNANNOTATED_PUBLIC
    case_insensitive: bool = True

    def target(self, label: str) -> str:
        t = self.mapping.get(label)
        if t is None and self.case_insensitive:
            t = self.mapping.get(label.upper()) or self.mapping.get(label.lower())
        return t if t is not None else "O"

    def __post_init__(self) -> None:
        bad = {v for v in self.mapping.values() if v not in TARGETS} | (set(self.unannotated) - set(TYPES))
        if bad:
            raise ValueError(f"unknown label targets {sorted(bad)}; use one of {sorted(TARGETS)}")


#: Annotated news (the guidelines' eight types, every name annotated): nothing unlabelled is a name.
NEWS_TRAIN = {t: t for t in TYPES}

LABEL_MAPS = {
    "msra": LabelMap(MSRA_TRAIN),
    "cluener": LabelMap(CLUENER_TRAIN, case_insensitive=False),
    "resume": LabelMap(RESUME_TRAIN),
    "weibo": LabelMap(WEIBO_TRAIN),
    "news": LabelMap(NEWS_TRAIN, unannotated=(), case_insensitive=False),
    "generic": LabelMap(),
}


# Evaluation: corpus label -> scored type, and which predicted types are scored (after mapping
# predictions with PRED_MERGE).  Company and Organization merge into ORG where the corpus does not split.
EVAL_GOLD = {
    "msra": {"PER": "Person", "LOC": "Place", "ORG": "ORG"},
    "cluener": {"name": "Person", "address": "Place", "company": "Company", "organization": "Organization",
                "government": "Organization"},
    "resume": {"NAME": "Person", "ORG": "ORG"},
    "weibo": {"PER.NAM": "Person", "LOC.NAM": "Place", "GPE.NAM": "Place", "ORG.NAM": "ORG"},
}
EVAL_MERGE_ORG = {"msra": True, "cluener": False, "resume": True, "weibo": True}


def eval_gold_spans(ex: Example, corpus: str) -> set[tuple[int, int, str]]:
    m = EVAL_GOLD[corpus]
    return {(s, e, m[lab]) for s, e, lab in ex.spans if lab in m}


def eval_pred_spans(spans: Iterable[tuple[int, int, str]], corpus: str) -> set[tuple[int, int, str]]:
    scored = set(EVAL_GOLD[corpus].values())
    merge = EVAL_MERGE_ORG[corpus]
    out = set()
    for s, e, t in spans:
        if merge and t in ("Company", "Organization"):
            t = "ORG"
        if t in scored:
            out.add((s, e, t))
    return out


# --------------------------------------------------------------------------------------------- splits

#: Where the public corpora are, relative to a checkout of kg (``../shared/data/ner``; never copied
#: into the repository: their licences do not allow it).
DEFAULT_DATA = Path("..") / "shared" / "data" / "ner"


def load_public(data: Path = DEFAULT_DATA) -> tuple[list[Example], list[Example]]:
    """The fixed train / development split of the four public corpora: train = the first 90% of
    MSRA train and of CLUENER train (file order), Resume train, Weibo train; development = the last
    10% of MSRA train and of CLUENER train, Resume dev, Weibo dev. (The test splits, and CLUENER's dev
    split, are held back and never read.)"""
    msra = read_corpus(data / "msra/train.char.bmes", "bmes", "msra")
    clu = read_corpus(data / "cluener/train.jsonl", "cluener", "cluener")
    m, c = int(len(msra) * 0.9), int(len(clu) * 0.9)
    train = msra[:m] + clu[:c]
    train += read_corpus(data / "resume/train.char.bmes", "bmes", "resume")
    train += read_corpus(data / "weibo/train.conll", "conll-digit", "weibo")
    dev = msra[m:] + clu[c:]
    dev += read_corpus(data / "resume/dev.char.bmes", "bmes", "resume")
    dev += read_corpus(data / "weibo/dev.conll", "conll-digit", "weibo")
    return train, dev


def news_examples(docs: Iterable[AnnotatedDoc], corpus: str = "news") -> list[Example]:
    """One example per sentence of annotated news: the normalised sentence (what the tagger reads at
    run time) and the gold mentions inside it, labelled with their types (label map ``news``)."""
    out = []
    for doc in docs:
        view, mentions = doc.view, doc.mentions
        for s, e in view.sentences:
            spans = tuple((m.start - s, m.end - s, m.type.value) for m in mentions if s <= m.start and m.end <= e)
            out.append(Example(view.norm[s:e], spans, corpus))
    return out
