"""Training the two-stage tagger (torch, CPU, deterministic): the news CRF and the span classifier.

Stacking: the span classifier must learn from proposals like those it will meet, so each training
article is proposed for by a news CRF trained on the other folds of the articles (never on itself),
and its known names are those of the other folds' articles. The base model never saw annotated news.
The news CRF that ships is trained on all training articles.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from kg.annotated_news import AnnotatedDoc
from kg.extraction.dictionary import Dictionary
from kg.extraction.ner.dictionary_matcher import dictionary_mentions
from kg.extraction.ner.statistical.corpora import LABEL_MAPS, Example, LabelMap, news_examples
from kg.extraction.ner.statistical.spans import BIASES, LABELS, SpanClassifier, Words, candidates, features, hashed
from kg.extraction.ner.statistical.tagger import Tagger
from kg.extraction.ner.statistical.two_stage import TwoStageTagger, document_proposals, named_proposals
from kg.extraction.ner.textview import TextView
from kg.io.normalize import key, normalize
from kg.modelfile import load_npz


@dataclass(frozen=True)
class SpanTraining:
    bits: int = 18
    epochs: int = 15
    lr: float = 0.05
    batch: int = 256
    threshold: float = 0.5
    folds: int = 5
    seed: int = 13


def known_names(docs: Sequence[AnnotatedDoc]) -> dict[str, tuple[str, ...]]:
    """name key -> the types it has in ``docs``' gold graphs (every surface form annotated)."""
    out: dict[str, set[str]] = {}
    for d in docs:
        for m in d.mentions:
            out.setdefault(key(d.view.norm[m.start:m.end]), set()).add(m.type.value)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _gold_types(doc: AnnotatedDoc) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in doc.entities:
        for name in [e.get("name", ""), *(e.get("aliases") or [])]:
            if name:
                out.setdefault(key(name), e["type"])
    return out


def examples(docs: Sequence[AnnotatedDoc], news: Tagger, base: Tagger | None, dictionary: Dictionary,
             known: dict[str, tuple[str, ...]], biases: Sequence[float]) -> tuple[list[list[str]], list[int]]:
    """Feature lists and labels of every candidate of ``docs`` (proposed by ``news`` and ``base``)."""
    feats: list[list[str]] = []
    labels: list[int] = []
    sentences = [d.view.norm[s:e] for d in docs for s, e in d.view.sentences]
    crf = news.tag_at(sentences, biases)
    base_spans = base.tag(sentences) if base is not None else [[] for _ in sentences]
    i = 0
    for d in docs:
        n = len(d.view.sentences)
        text = d.view.norm
        named = named_proposals(d.view, dictionary_mentions(d.view, dictionary))
        proposals = document_proposals(d.view.sentences, [level[i:i + n] for level in crf], base_spans[i:i + n], named)
        i += n
        cands = candidates(text, proposals)
        gold = _gold_types(d)
        feats += features(text, cands, Words.of(text, news.lexicon), known)
        labels += [LABELS.index(gold[k]) if (k := key(text[c.start:c.end])) in gold else 0 for c in cands]
    return feats, labels


def public_examples(corpora: Sequence[tuple[Sequence[Example], LabelMap]], news: Tagger, base: Tagger,
                    dictionary: Dictionary, known: dict[str, tuple[str, ...]]
                    ) -> tuple[list[list[str]], list[np.ndarray]]:
    """Feature lists and allowed labels of the candidates of public NER sentences (each a document of
    its own), for the labels the corpora do not tell (partial labels): a candidate that is an
    annotated name is its type (ORG: Company or Organization); any other is no name or a type the
    corpus does not annotate. ``base`` must not have been trained on these sentences."""
    feats: list[list[str]] = []
    allowed: list[np.ndarray] = []
    for examples, labels in corpora:
        texts = [normalize(ex.text) for ex in examples]
        crf = news.tag_at(texts, BIASES)
        base_spans = base.tag(texts)
        words = Words.of_many(texts, news.lexicon)
        other = _label_mask(("NONE", *labels.unannotated))
        for i, (ex, text) in enumerate(zip(examples, texts, strict=True)):
            view = TextView(ex.text, text, [(0, len(text))])
            named = named_proposals(view, dictionary_mentions(view, dictionary))
            proposals = document_proposals([(0, len(text))], [level[i:i + 1] for level in crf],
                                           base_spans[i:i + 1], named)
            cands = candidates(text, proposals)
            gold = {}
            for a, b, lab in ex.spans:
                target = labels.target(lab)
                types = (("Company", "Organization") if target == "ORG" else LABELS[1:] if target == "ANY"
                         else ("NONE", *labels.unannotated) if target == "O" else (target,))
                gold[_trimmed(ex.text, a, b)] = _label_mask(types)
            feats += features(text, cands, words[i], known)
            allowed += [gold.get((c.start, c.end), other) for c in cands]
    return feats, allowed


def _label_mask(types: Sequence[str]) -> np.ndarray:
    return np.array([label in types for label in LABELS])


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """A corpus span without the brackets some corpora keep (CLUENER's 《模拟人生3》)."""
    while start < end and text[start] in "《》“”「」()（）":
        start += 1
    while end > start and text[end - 1] in "《》“”「」()（）":
        end -= 1
    return start, end


def fit(feats: Sequence[Sequence[str]], labels: Sequence[int | np.ndarray], cfg: SpanTraining,
        log: Callable[[str], None] = print) -> SpanClassifier:
    """Softmax regression over hashed features, Adagrad on the sparse rows (deterministic for a seed).
    A label is an index, or a mask of the labels allowed (partial labels: the loss is minus the log of
    their total probability)."""
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    ids = [hashed(f, cfg.bits) for f in feats]
    masks = torch.from_numpy(np.stack([_label_mask((LABELS[y],)) if isinstance(y, int | np.integer) else y
                                       for y in labels]))
    table = torch.nn.EmbeddingBag(1 << cfg.bits, len(LABELS), mode="sum", sparse=True)
    torch.nn.init.zeros_(table.weight)
    bias = torch.zeros(len(LABELS), requires_grad=True)
    opt_rows = torch.optim.Adagrad([table.weight], lr=cfg.lr)
    opt_bias = torch.optim.Adam([bias], lr=0.01)
    for epoch in range(cfg.epochs):
        total = 0.0
        order = rng.permutation(len(ids))
        for a in range(0, len(order), cfg.batch):
            idx = order[a:a + cfg.batch]
            flat = torch.from_numpy(np.concatenate([ids[i] for i in idx]))
            starts = np.concatenate([[0], np.cumsum([len(ids[i]) for i in idx[:-1]])]).astype(np.int64)
            z = table(flat, torch.from_numpy(starts)) + bias
            chosen = torch.logsumexp(z.masked_fill(~masks[idx], float("-inf")), dim=1)
            loss = (torch.logsumexp(z, dim=1) - chosen).sum()
            opt_rows.zero_grad()
            opt_bias.zero_grad()
            (loss / len(idx)).backward()
            opt_rows.step()
            opt_bias.step()
            total += float(loss.detach())
        log(f"span classifier, epoch {epoch + 1}: loss {total / max(len(ids), 1):.4f}")
    return SpanClassifier.quantised(table.weight.detach().numpy(), bias.detach().numpy(), cfg.threshold)


def train_news_crf(docs: Sequence[AnnotatedDoc], out_path: Path, cfg_overrides: dict, seed: int,
                   log: Callable[[str], None]) -> None:
    from kg.extraction.ner.statistical import train as training

    cfg = training.Config(**{**training.NEWS_LINEAR, **cfg_overrides})
    cfg.extra["domains"] = ["news"]
    training.train([(news_examples(docs), LABEL_MAPS["news"])], out_path, seed=seed, cfg=cfg, log=log)


@dataclass(frozen=True)
class PublicShare:
    """Public NER sentences for the span classifier, and a base model trained without them."""

    corpora: Sequence[tuple[Sequence[Example], LabelMap]]
    base: Path


#: The public corpora are cut into this many shares for the span classifier; of each share, at most
#: this many sentences per corpus are read (a base model trained without the share proposes for them).
PUBLIC_SHARES = 2
PUBLIC_SENTENCES = 1000


def public_shares(as_read: Sequence[tuple[list[Example], LabelMap]],
                  training_data: Sequence[tuple[list[Example], LabelMap]], work: Path,
                  train_base: Callable[[list[tuple[list[Example], LabelMap]], Path], Path],
                  log: Callable[[str], None]) -> list[PublicShare]:
    """Sentence ``j`` of each corpus is in share ``j % PUBLIC_SHARES``; for each share a base model is
    trained on ``training_data`` without it (``train_base(data, path)``), and at most
    PUBLIC_SENTENCES of each corpus's sentences in the share (spread evenly) are kept."""
    out = []
    for share in range(PUBLIC_SHARES):
        held = [set(id(ex) for ex in examples[share::PUBLIC_SHARES]) for examples, _ in as_read]
        rest = [([ex for ex in examples if id(ex) not in held[i]], labels)
                for i, (examples, labels) in enumerate(training_data)]
        log(f"base model without public share {share + 1} of {PUBLIC_SHARES}")
        base = train_base(rest, work / f"base-share{share}.npz")
        sample = []
        for examples, labels in as_read:
            mine = examples[share::PUBLIC_SHARES]
            step = max(1, len(mine) // PUBLIC_SENTENCES)
            sample.append((mine[::step][:PUBLIC_SENTENCES], labels))
        out.append(PublicShare(sample, base))
    return out


def train_two_stage(docs: Sequence[AnnotatedDoc], base_path: Path | None, out_path: Path,
                    crf_overrides: dict | None = None, spans: SpanTraining | None = None, seed: int = 13,
                    dictionary: Dictionary | None = None, log: Callable[[str], None] = print,
                    public: Sequence[PublicShare] = ()) -> None:
    """Train the news CRF (on ``docs``) and the span classifier, and write the two-stage tagger with
    the base model read from ``base_path`` (a single model file) to ``out_path``. ``public``: shares
    of the public corpora the classifier also learns from (partial labels), so that it reads their
    kinds of text too, each proposed for by a base model that never saw it."""
    spans = spans or SpanTraining(seed=seed)
    dictionary = dictionary or Dictionary.default()
    overrides = crf_overrides or {}
    base_parts = load_npz(base_path) if base_path is not None else None
    base = Tagger(*base_parts) if base_parts is not None else None
    k = spans.folds
    feats: list[list[str]] = []
    labels: list[int | np.ndarray] = []
    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(k):
            held = [d for i, d in enumerate(docs) if i % k == fold]
            rest = [d for i, d in enumerate(docs) if i % k != fold]
            path = Path(tmp) / f"fold{fold}.npz"
            log(f"news CRF for fold {fold + 1} of {k} ({len(rest)} articles)")
            train_news_crf(rest, path, overrides, seed, log)
            f, y = examples(held, Tagger.load(path), base, dictionary, known_names(rest), BIASES)
            feats += f
            labels += y
        log(f"news CRF on all {len(docs)} articles")
        full = Path(tmp) / "news.npz"
        train_news_crf(docs, full, overrides, seed, log)
        news_crf = Tagger.load(full)
        for share in public:
            f, allowed = public_examples(share.corpora, news_crf, Tagger.load(share.base), dictionary,
                                         known_names(docs))
            feats += f
            labels += allowed
        log(f"span classifier on {len(feats):,} candidates")
        classifier = fit(feats, labels, spans, log)
        parts = {"news": load_npz(full)}
        if base_parts is not None:
            parts["base"] = base_parts
        TwoStageTagger.save(out_path, parts, classifier, known_names(docs), BIASES,
                            {"bits": spans.bits, "folds": k, "articles": len(docs)})
