"""The training data of the relation classifier: DuIE 2.0 and FinRE, read into labelled texts.

Every reader fails with :class:`DataError`, one line naming the file, the line and the reason. The
data is read where it lies (``../shared/data``): nothing here copies it.

Labels (see docs/relations.md for why):

* DuIE ``董事长`` (企业 -> 人物) = Person ``CHAIRMAN_OF`` Company (flipped), ``创始人`` = ``FOUNDER_OF``
  (flipped), ``总部地点`` (企业 -> 地点) = Company ``LOCATED_IN`` Place, ``简称`` = ``ALIAS``. DuIE has no CEO
  predicate: ``CEO_OF`` is learnt from copies of chairman sentences with 董事长 replaced by CEO / 首席执行官 /
  总裁 (:func:`ceo_copies`); a DuIE text without any CEO word has no CEO_OF fact.
* FinRE ``合作`` = ``PARTNERS_WITH``, ``自己`` = ``ALIAS``, ``拥有``/``持股`` (head owns tail) = tail
  ``SUBSIDIARY_OF`` head (``被拥有``/``被持股``: head SUBSIDIARY_OF tail). ``收购``/``成立`` (and 被…) may or may
  not make a subsidiary: neither trained nor scored for SUBSIDIARY_OF. ``合资``/``签约`` are often a
  partnership: not trained as NONE for PARTNERS_WITH (but scored as such). FinRE annotates pairs: only
  those are scored.

Splits are fixed, by position in the files (:func:`load_split`): of a DuIE file the first 65 % trains,
the next 15 % tunes (calibration, thresholds, hyper-parameters) and the last 20 % is held out for the
reported figures (the last 346 records of the shared excerpt); of FinRE, the first 90 % of the train
file's sentences train, its last 10 % tune, and the valid file is held out for the reported figures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kg.extraction.lexicons import alternation, words
from kg.io.normalize import key, normalize

if TYPE_CHECKING:
    from kg.annotated_news import AnnotatedDoc

T = TypeVar("T")

Fact = tuple[str, str, str]  # (head name, label, tail name)

#: DuIE predicate -> (label, whether our head is DuIE's object).
DUIE_LABELS: dict[str, tuple[str, bool]] = {
    "董事长": ("CHAIRMAN_OF", True),
    "创始人": ("FOUNDER_OF", True),
    "总部地点": ("LOCATED_IN", False),
    "简称": ("ALIAS", False),
}
#: DuIE argument types -> entity types (a 机构 named like a company is a Company).
DUIE_TYPES = {"人物": "Person", "企业": "Company", "企业/品牌": "Company", "机构": "Organization",
              "学校": "Organization", "地点": "Place", "国家": "Place", "城市": "Place"}
_COMPANY_NAME = re.compile(f"(?:{alternation('training.duie_company_endings').pattern})$")
#: The labels whose DuIE facts are reported (ALIAS from 简称 is trained on, not reported).
DUIE_REPORTED = ("CHAIRMAN_OF", "FOUNDER_OF", "LOCATED_IN")
CEO_WORDS = words("training.ceo_copy_words")
_ANY_CEO_WORD = re.compile(alternation("training.any_ceo_words").pattern, re.I)

FINRE_FILES = {"train": "finre_train.txt", "valid": "finre_valid.txt"}
FINRE_LABELS = ("PARTNERS_WITH", "SUBSIDIARY_OF", "ALIAS")
_FINRE_PARTNER, _FINRE_ALIAS = "合作", "自己"
_FINRE_CHILD = {"被拥有", "被持股"}  # head SUBSIDIARY_OF tail
_FINRE_OWNERSHIP_UNSURE = {"收购", "被收购", "成立", "被成立"}
_FINRE_PARTNER_LIKE = {"合资", "签约"}

#: Fractions of a DuIE file, in file order: train, then tuning; the rest is held out.
DUIE_TRAIN, DUIE_TUNE = 0.65, 0.15
#: The share of FinRE train's sentences (its last ones) that tune instead of training.
FINRE_TUNE = 0.10


class DataError(ValueError):
    """A file of training data that cannot be read; the message is one line: file:line: reason."""


@dataclass
class LabelledText:
    """A text with what is known about the relations between the names in it.

    ``entities``: (name, type) of the annotated arguments. ``facts``: the true (head, label, tail);
    every other pair is false for the labels in ``known`` and unknown for the rest. ``pairs``: when
    the source annotates pairs (FinRE), the (head, tail) it annotates: only those are scored.
    ``unsure``: facts neither trained nor scored; ``not_negative``: facts not trained as false (but
    scored as false)."""

    text: str
    where: str
    entities: list[tuple[str, str]]
    facts: set[Fact]
    known: frozenset[str]
    pairs: set[tuple[str, str]] | None = None
    unsure: set[Fact] = field(default_factory=set)
    not_negative: set[Fact] = field(default_factory=set)
    source: str = ""


# --- DuIE ------------------------------------------------------------------------------------------


def read_duie(path: Path) -> list[LabelledText]:
    """DuIE 2.0 JSON lines (``text``, ``spo_list`` of predicate / subject / subject_type / object /
    object_type), one labelled text per record."""
    out = []
    for lineno, line in _lines(path):
        where = f"{path}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str) or not record["text"].strip():
            raise DataError(f"{where}: not a DuIE record (no 'text')")
        spo_list = record.get("spo_list")
        if not isinstance(spo_list, list):
            raise DataError(f"{where}: 'spo_list' is not a list")
        out.append(_duie_text(record["text"], spo_list, where))
    return out


def _duie_text(text: str, spo_list: list, where: str) -> LabelledText:
    entities: list[tuple[str, str]] = []
    facts: set[Fact] = set()
    for k, spo in enumerate(spo_list):
        try:
            predicate, subject, subject_type = str(spo["predicate"]), str(spo["subject"]), str(spo["subject_type"])
            obj, obj_type = str(_value(spo["object"])), str(_value(spo["object_type"]))
        except (KeyError, TypeError):
            raise DataError(f"{where}: spo_list[{k}] lacks predicate, subject(_type) or object(_type)") from None
        s_type = _duie_type(subject_type, subject)
        o_type = s_type if predicate == "简称" else _duie_type(obj_type, obj)
        for name, typ in ((subject, s_type), (obj, o_type)):
            if typ and name and name in text:
                entities.append((name, typ))
        if predicate in DUIE_LABELS and subject in text and obj in text:
            label, flip = DUIE_LABELS[predicate]
            facts.add((obj, label, subject) if flip else (subject, label, obj))
    known = {label for label, _ in DUIE_LABELS.values()}
    if not _ANY_CEO_WORD.search(text):
        known.add("CEO_OF")  # no CEO word, no CEO fact: every pair is a CEO_OF negative
    return LabelledText(text, where, sorted(set(entities)), facts, frozenset(known), source="duie")


def _value(x: object) -> object:
    return x["@value"] if isinstance(x, dict) else x


def _duie_type(duie_type: str, name: str) -> str | None:
    typ = DUIE_TYPES.get(duie_type)
    return "Company" if typ == "Organization" and _COMPANY_NAME.search(name) else typ


def ceo_copies(texts: Sequence[LabelledText]) -> list[LabelledText]:
    """CEO_OF from CHAIRMAN_OF: each text with one 董事长 and a chairman fact, 董事长 replaced by a CEO
    word (in turn); the chairman facts become CEO_OF facts. Deterministic."""
    out = []
    for t in texts:
        chairs = {f for f in t.facts if f[1] == "CHAIRMAN_OF"}
        if not chairs or t.text.count("董事长") != 1 or "董事局主席" in t.text:
            continue
        pos = t.text.index("董事长")
        if any(pos < t.text.find(name) + len(name) and t.text.find(name) < pos + 3 for name, _ in t.entities):
            continue  # the title is part of a name
        word = CEO_WORDS[len(out) % len(CEO_WORDS)]
        text = t.text[:pos] + word + t.text[pos + 3:]
        facts = {f for f in t.facts if f[1] == "FOUNDER_OF"} | {(h, "CEO_OF", tl) for h, _, tl in chairs}
        out.append(replace(t, text=text, where=f"{t.where} (董事长 -> {word})", facts=facts,
                           known=frozenset({"CHAIRMAN_OF", "CEO_OF", "FOUNDER_OF"}), source="duie-ceo"))
    return out


# --- FinRE -----------------------------------------------------------------------------------------


def read_finre(path: Path) -> list[LabelledText]:
    """FinRE (``head\\ttail\\trelation\\tsentence`` per line), one labelled text per sentence, in the
    order of their first instance. Numbers masked as <N> become the digit 0."""
    by_sentence: dict[str, LabelledText] = {}
    for lineno, line in _lines(path):
        parts = line.split("\t")
        if len(parts) != 4:
            raise DataError(f"{path}:{lineno}: expected 4 tab-separated fields (head, tail, relation, sentence), "
                            f"got {len(parts)}")
        head, tail, relation, sentence = (_unmask(p.strip()) for p in parts)
        if not head or not tail or not sentence or not relation:
            raise DataError(f"{path}:{lineno}: an empty head, tail, relation or sentence")
        if head not in sentence or tail not in sentence:
            raise DataError(f"{path}:{lineno}: the head or tail is not in the sentence")
        t = by_sentence.setdefault(sentence, LabelledText(sentence, f"{path}:{lineno}", [], set(),
                                                          frozenset(FINRE_LABELS), pairs=set(), source="finre"))
        _add_finre_instance(t, head, tail, relation)
    for t in by_sentence.values():
        t.entities = sorted(set(t.entities))
    return list(by_sentence.values())


def _add_finre_instance(t: LabelledText, head: str, tail: str, relation: str) -> None:
    assert t.pairs is not None
    t.entities += [(head, "Company"), (tail, "Company")]
    t.pairs.add((head, tail))
    if relation == _FINRE_PARTNER:
        t.facts.add((head, "PARTNERS_WITH", tail))
    elif relation in _FINRE_PARTNER_LIKE:
        t.not_negative.add((head, "PARTNERS_WITH", tail))
    if relation == _FINRE_ALIAS:
        t.facts.add((head, "ALIAS", tail))
    if relation in _FINRE_CHILD:
        t.facts.add((head, "SUBSIDIARY_OF", tail))
    elif relation in _FINRE_OWNERSHIP_UNSURE:
        t.unsure.add((head, "SUBSIDIARY_OF", tail))


def _unmask(s: str) -> str:
    return s.replace("<N>", "0")


def finre_file(folder: Path, split_name: str) -> Path:
    return folder / FINRE_FILES[split_name]


# --- common ----------------------------------------------------------------------------------------


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    """The non-blank lines of ``path`` with their numbers; ``DataError`` for what cannot be read."""
    try:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if line.strip():
                    yield lineno, line.rstrip("\r\n")
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 (byte {exc.object[exc.start]:#04x})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({(exc.strerror or str(exc)).lower()})") from None


@dataclass(frozen=True)
class Split:
    """Texts for training, for tuning (calibration, thresholds, hyper-parameters) and held out."""

    train: list[LabelledText]
    tune: list[LabelledText]
    held_out: list[LabelledText]


def duie_split(texts: Sequence[T]) -> tuple[list[T], list[T], list[T]]:
    """The first 65 % of a DuIE file, the next 15 %, the last 20 % (file order)."""
    n = len(texts)
    a, b = round(n * DUIE_TRAIN), round(n * (DUIE_TRAIN + DUIE_TUNE))
    return list(texts[:a]), list(texts[a:b]), list(texts[b:])


def tail_split(texts: Sequence[T], share: float) -> tuple[list[T], list[T]]:
    """``texts`` without their last ``share``, and that last share (file order)."""
    cut = len(texts) - round(len(texts) * share)
    return list(texts[:cut]), list(texts[cut:])


# --- annotated news ---------------------------------------------------------------------------------

#: Every relation type (and ALIAS, from the aliases of one entity): annotated news states them all.
NEWS_LABELS = ("CHAIRMAN_OF", "FOUNDER_OF", "CEO_OF", "LOCATED_IN", "PARTNERS_WITH", "DEVELOPS", "USES",
               "BENCHMARKED_AGAINST", "SUBSIDIARY_OF", "LISTED_ON", "SUPPORTS", "ALIAS")
#: Of the articles of the training split, one in this many (by position) tunes instead of training.
NEWS_TUNE_EVERY = 5


def news_texts(docs: Sequence[AnnotatedDoc]) -> list[LabelledText]:
    """One labelled text per sentence of annotated articles (kg's sentence split of the article): its
    annotated names as written, and every relation of the gold graph whose two ends it names, between
    each pair of their written forms. Every other pair is false for every label: the articles annotate
    every relation they state. Two names of one entity in a sentence (華為 and Huawei) are an ALIAS."""
    out = []
    for doc in docs:
        view = doc.view
        types = {i: str(e.get("type")) for i, e in enumerate(doc.entities)}
        index = {}
        for i, e in enumerate(doc.entities):
            for name in (e.get("name", ""), *(e.get("aliases") or ())):
                if name:
                    index.setdefault(key(name), i)
        evidence = [evidence_span(view.norm, str(r.get("evidence") or "")) for r in doc.relations]
        for s, e in view.sentences:
            inside = [m for m in doc.mentions if s <= m.start and m.end <= e]
            if not inside:
                continue
            forms: dict[int, set[str]] = {}
            for m in inside:
                forms.setdefault(m.entity, set()).add(doc.text[m.start:m.end])
            facts: set[Fact] = set()
            unsure: set[Fact] = set()
            for r, where in zip(doc.relations, evidence, strict=True):
                h, t = index.get(key(r.get("head", ""))), index.get(key(r.get("tail", "")))
                if h in forms and t in forms and h != t:
                    stated = where is None or (where[0] < e and s < where[1])
                    # the two names in another sentence than the evidence: that one may not state it
                    (facts if stated else unsure).update((a, str(r.get("relation")), b)
                                                          for a in forms[h] for b in forms[t])
            for names in forms.values():
                facts |= {(a, "ALIAS", b) for a in names for b in names if key(a) < key(b)}
            entities = sorted({(name, types[i]) for i, names in forms.items() for name in names})
            out.append(LabelledText(doc.text[s:e], f"{doc.doc_id}:{s}", entities, facts, frozenset(NEWS_LABELS),
                                    unsure=unsure - facts, source="news"))
    return out


def evidence_span(norm_text: str, quote: str) -> tuple[int, int] | None:
    """Where an evidence quote lies in the (normalised) text: the quote itself, else its longest piece
    between ellipses or clause breaks (at least 6 characters); None if no piece is found.

    >>> evidence_span("甲说。科大讯飞发布了星火。乙说。", "科大讯飞发布了星火")
    (3, 12)
    """
    quote = normalize(quote).strip().strip("。.!！?？")
    if not quote:
        return None
    at = norm_text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    for piece in sorted(re.split(r"…+|\.\.\.|[,，;；:：]", quote), key=len, reverse=True):
        piece = piece.strip()
        if len(piece) >= 6 and (at := norm_text.find(piece)) >= 0:
            return at, at + len(piece)
    return None


def news_split(docs: Sequence[AnnotatedDoc]) -> tuple[list[AnnotatedDoc], list[AnnotatedDoc]]:
    """(train, tune) of the training split's articles: every NEWS_TUNE_EVERY-th tunes."""
    return ([d for i, d in enumerate(docs) if i % NEWS_TUNE_EVERY != NEWS_TUNE_EVERY - 1],
            [d for i, d in enumerate(docs) if i % NEWS_TUNE_EVERY == NEWS_TUNE_EVERY - 1])


def load_split(duie: Path | None, finre: Path | None, held_out: bool = False,
               news: Path | None = None, news_topics: Callable[[str], bool] | None = None) -> Split:
    """The texts of the DuIE file, the FinRE folder and the annotated news, split as the module
    docstring says. The held-out texts are read only when ``held_out`` (to report on them); training
    never asks. Of annotated news, the development split (:func:`kg.annotated_news.split`) is held out."""
    train: list[LabelledText] = []
    tune: list[LabelledText] = []
    reported: list[LabelledText] = []
    if news is not None:
        from kg.annotated_news import AnnotatedError, read_annotated, split

        try:
            articles, development = split(read_annotated(news))
        except AnnotatedError as exc:
            raise DataError(str(exc)) from None
        if news_topics is not None:  # leave-one-topic-out: the articles of the topics kept
            articles = [d for d in articles if news_topics(d.topic)]
        n_train, n_tune = news_split(articles)
        train += news_texts(n_train)
        tune += news_texts(n_tune)
        if held_out:
            reported += news_texts(development)
    if duie is not None:
        d_train, d_tune, d_held = duie_split(read_duie(duie))
        train += d_train + ceo_copies(d_train)
        tune += d_tune + ceo_copies(d_tune)
        if held_out:
            reported += d_held + ceo_copies(d_held)
    if finre is not None:
        if not finre.is_dir():
            raise DataError(f"{finre}: not a folder (expected {' and '.join(FINRE_FILES.values())} in it)")
        f_train, f_tune = tail_split(read_finre(finre_file(finre, "train")), FINRE_TUNE)
        train += f_train
        tune += f_tune
        if held_out:
            reported += read_finre(finre_file(finre, "valid"))
    return Split(train, tune, reported)
