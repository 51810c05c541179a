"""Training (torch, CPU, deterministic): partial-label CRF over hashed features, optional small neural net.

``train(corpora, out_path, seed=...)`` where ``corpora`` is a list of (examples, LabelMap).  Partial
labels: a span whose corpus label means "Company or Organization" (MSRA/Resume/Weibo ``ORG``) allows
both types, and the loss is the negative log of the total probability of all the paths the annotation
allows (marginal CRF likelihood); ``ANY`` regions are unconstrained.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from kg.extraction.ner.statistical.corpora import PUBLIC_TYPES, TYPES, Example, LabelMap
from kg.extraction.ner.statistical.crf import NEG, TagSet, allowed_tags
from kg.extraction.ner.statistical.features import TEMPLATES, FeatureExtractor, Lexicon, domain_features, lexicon_words
from kg.extraction.ner.statistical.tagger import Tagger


@dataclass
class Config:
    bits: int = 20  # hashed rows of the linear model: 2**bits
    epochs: int = 8
    batch_chars: int = 2000
    lr: float = 0.05
    lr_decay: float = 0.7  # per epoch after the first
    feature_dropout: float = 0.0
    quantise: str = "int8"  # int8 | float16 | float32 (linear weights in the saved file)
    # neural part (0 = linear model only)
    nn_dim: int = 0
    nn_bits: int = 18
    nn_templates: tuple[str, ...] = ("u-1", "u0", "u+1", "b-10", "b0+1", "lex", "lex_word3", "cls5")
    nn_hidden: int = 64
    nn_layers: int = 2
    nn_kernel: int = 3
    nn_lr: float = 0.003
    nn_dropout: float = 0.2
    nn_rnn: str = ""  # "" (CNN) | "gru" | "lstm"
    nn_feature_dropout: float = 0.0  # training: drop whole feature embeddings (an unseen n-gram at test time)
    linear: bool = True
    domain_templates: tuple[str, ...] = ()  # corpus-specific copies of these templates (training only)
    domain_dropout: float = 0.0  # per sentence: train without its corpus features (keeps the shared part whole)
    drop_templates: tuple[str, ...] = ()  # ablation: these templates are constant
    optimizer: str = "adam"  # adam | sgd | adagrad (linear weights)
    l2: float = 0.0  # lazy L2 on the linear rows touched by a batch (per update, times lr)
    seed: int = 13
    #: the types the model tags (the public corpora annotate the first four only)
    types: tuple[str, ...] = TYPES
    jieba_dict: str | None = None
    entities_tsv: str | None = None
    extra: dict = field(default_factory=dict)


def default_jieba_dict() -> str | None:
    try:
        import jieba
    except ImportError:
        return None
    p = Path(jieba.__file__).parent / "dict.txt"
    return str(p) if p.exists() else None


# ------------------------------------------------------------------------------------------ data

@dataclass
class Encoded:
    ids: np.ndarray  # [n_chars, F] int64
    offsets: np.ndarray  # [n_sent + 1]
    allowed: np.ndarray  # [n_chars] uint64 bit masks of the allowed tags
    corpus: np.ndarray  # [n_sent] int


def encode(fx: FeatureExtractor, corpora: Sequence[tuple[Sequence[Example], LabelMap]],
           domain_cols: Sequence[int] = (), tags: TagSet | None = None) -> Encoded:
    texts: list[str] = []
    bits: list[np.ndarray] = []
    cid: list[int] = []
    for c, (examples, labels) in enumerate(corpora):
        for ex in examples:
            if not ex.text:
                continue
            texts.append(ex.text)
            bits.append(allowed_tags(ex, labels, tags or TagSet(TYPES)))
            cid.append(c)
    ids_parts, offs = [], [np.zeros(1, np.int64)]
    step = 20000
    base = 0
    for i in range(0, len(texts), step):
        ids, o = fx.extract(texts[i : i + step])
        if domain_cols:
            dom = np.repeat(np.array(cid[i : i + step]), np.diff(o))
            ids = np.concatenate([ids, domain_features(ids, domain_cols, dom, fx.bits)])
        ids_parts.append(ids)
        offs.append(o[1:] + base)
        base += int(o[-1])
    ids_all = np.ascontiguousarray(np.concatenate(ids_parts, axis=1).T)
    return Encoded(ids_all, np.concatenate(offs), np.concatenate(bits), np.array(cid))


def batches(offsets: np.ndarray, batch_chars: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Sentence index batches of similar length, in random order."""
    lens = np.diff(offsets)
    order = np.lexsort((rng.random(len(lens)), lens))
    out, cur, size = [], [], 0
    for i in order.tolist():
        cur.append(i)
        size = len(cur) * int(lens[i])
        if size >= batch_chars:
            out.append(np.array(cur))
            cur, size = [], 0
    if cur:
        out.append(np.array(cur))
    perm = rng.permutation(len(out))
    return [out[p] for p in perm]


def pad_batch(enc: Encoded, idx: np.ndarray, k: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    lens = np.diff(enc.offsets)[idx]
    t_max = int(lens.max())
    mask = np.arange(t_max)[None, :] < lens[:, None]
    src = (enc.offsets[idx][:, None] + np.arange(t_max)[None, :])[mask]
    ids = np.zeros((len(idx), t_max, enc.ids.shape[1]), np.int64)
    ids[mask] = enc.ids[src]
    allowed = np.zeros((len(idx), t_max), np.int64)
    allowed[mask] = enc.allowed[src]
    tags_bits = (allowed[:, :, None] >> np.arange(k)[None, None, :]) & 1
    return torch.from_numpy(ids), torch.from_numpy(lens.astype(np.int64)), torch.from_numpy(tags_bits.astype(bool))


# ------------------------------------------------------------------------------------------ model

class Emitter(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.cfg = cfg
        k = TagSet(cfg.types).k
        self.linear = nn.Embedding(1 << cfg.bits, k, sparse=True) if cfg.linear else None
        if self.linear is not None:
            nn.init.zeros_(self.linear.weight)
        self.nn_cols = [TEMPLATES.index(t) for t in cfg.nn_templates]
        if cfg.nn_dim:
            d = cfg.nn_dim
            self.emb = nn.Embedding(1 << cfg.nn_bits, d, sparse=True)
            nn.init.normal_(self.emb.weight, std=0.1)
            self.net = NeuralNet(cfg, d * len(self.nn_cols))
        else:
            self.emb = None

    def forward(self, ids: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
        em = None
        if self.linear is not None:
            w = self.linear(ids)  # [B, T, F, K]
            if self.training and self.cfg.feature_dropout > 0:
                keep = torch.rand(ids.shape, dtype=torch.float32) >= self.cfg.feature_dropout
                w = w * keep[..., None]
            n_dom = len(self.cfg.domain_templates)
            if self.training and n_dom and self.cfg.domain_dropout > 0:
                keep = (torch.rand(ids.shape[0]) >= self.cfg.domain_dropout).to(w.dtype)
                w = torch.cat([w[:, :, :-n_dom], w[:, :, -n_dom:] * keep[:, None, None, None]], dim=2)
            em = w.sum(2)
        if self.emb is not None:
            x = ids[:, :, self.nn_cols] & ((1 << self.cfg.nn_bits) - 1)
            e = self.emb(x)
            if self.training and self.cfg.nn_feature_dropout > 0:
                keep = torch.rand(x.shape, dtype=torch.float32) >= self.cfg.nn_feature_dropout
                e = e * keep[..., None]
            y = self.net(e.flatten(2), lens)
            em = y if em is None else em + y
        assert em is not None
        return em


class NeuralNet(nn.Module):
    """Concatenated feature embeddings -> (CNN layers | BiGRU/BiLSTM) -> tag scores.  Exported to ONNX."""

    def __init__(self, cfg: Config, d_in: int) -> None:
        super().__init__()
        h = cfg.nn_hidden
        self.drop = nn.Dropout(cfg.nn_dropout)
        self.inp = nn.Linear(d_in, h)
        if cfg.nn_rnn:
            rnn = nn.GRU if cfg.nn_rnn == "gru" else nn.LSTM
            self.rnn = rnn(h, h // 2, batch_first=True, bidirectional=True)
            self.convs = nn.ModuleList()
        else:
            self.rnn = None
            self.convs = nn.ModuleList(
                nn.Conv1d(h, h, cfg.nn_kernel, padding=cfg.nn_kernel // 2) for _ in range(cfg.nn_layers))
        self.out = nn.Linear(h, TagSet(cfg.types).k)

    def forward(self, x: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
        t_max = x.shape[1]
        mask = (torch.arange(t_max)[None, :] < lens[:, None]).to(x.dtype)[:, :, None]
        h = torch.relu(self.inp(self.drop(x))) * mask
        if self.rnn is not None:
            packed = nn.utils.rnn.pack_padded_sequence(h, lens, batch_first=True, enforce_sorted=False)
            y, _ = self.rnn(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=t_max)
        else:
            h = h.transpose(1, 2)
            m = mask.transpose(1, 2)
            for conv in self.convs:
                h = (h + torch.relu(conv(self.drop(h)))) * m  # residual, padding kept at zero
            h = h.transpose(1, 2)
        return self.out(self.drop(h))


class CRF(nn.Module):
    def __init__(self, tags: TagSet) -> None:
        super().__init__()
        k = tags.k
        self.trans = nn.Parameter(torch.zeros(k, k))
        self.start = nn.Parameter(torch.zeros(k))
        self.end = nn.Parameter(torch.zeros(k))
        allowed_trans, allowed_start, allowed_end = tags.allowed
        self.register_buffer("pen_trans", torch.from_numpy(np.where(allowed_trans, 0.0, NEG).astype(np.float32)))
        self.register_buffer("pen_start", torch.from_numpy(np.where(allowed_start, 0.0, NEG).astype(np.float32)))
        self.register_buffer("pen_end", torch.from_numpy(np.where(allowed_end, 0.0, NEG).astype(np.float32)))

    def nll(self, em: torch.Tensor, lens: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        """Sum over the batch of -log P(allowed paths)."""
        b, t_max, _ = em.shape
        em_num = em + torch.where(allowed, 0.0, NEG)
        e = torch.cat([em, em_num], 0)
        ln = torch.cat([lens, lens], 0)
        trans = (self.trans + self.pen_trans)[None]
        alpha = self.start + self.pen_start + e[:, 0]
        for t in range(1, t_max):
            nxt = torch.logsumexp(alpha[:, :, None] + trans, dim=1) + e[:, t]
            alpha = torch.where((ln > t)[:, None], nxt, alpha)
        logz = torch.logsumexp(alpha + self.end + self.pen_end, dim=1)
        return (logz[:b] - logz[b:]).sum()


# ------------------------------------------------------------------------------------------ export

def build_lexicon(cfg: Config) -> Lexicon:
    jd = cfg.jieba_dict if cfg.jieba_dict is not None else default_jieba_dict()
    return Lexicon.build(lexicon_words(jd or None, cfg.entities_tsv or None))


def _recorded(cfg: Config) -> dict:
    """The training settings as the model file records them: word-list files by name only, so the
    file does not depend on where it was trained."""
    out = {k: v for k, v in asdict(cfg).items() if k != "extra"}
    for key in ("jieba_dict", "entities_tsv"):
        if out[key]:
            out[key] = Path(out[key]).name
    return out


def export(emitter: Emitter, crf: CRF, lex: Lexicon, cfg: Config, quantise: str | None = None) -> tuple[dict, dict]:
    quantise = quantise or cfg.quantise
    meta = {"version": 1, "types": list(cfg.types), "bits": cfg.bits, "templates": list(TEMPLATES), "lex_shift": 21,
            "domain_cols": [TEMPLATES.index(t) for t in cfg.domain_templates], "domains": cfg.extra.get("domains", []),
            "config": _recorded(cfg)}
    arrays: dict[str, np.ndarray] = {
        "lex_keys": lex.keys, "lex_cats": lex.cats, "lex_lengths": lex.lengths,
        "trans": crf.trans.detach().numpy().astype(np.float32),
        "start": crf.start.detach().numpy().astype(np.float32),
        "end": crf.end.detach().numpy().astype(np.float32),
    }
    if emitter.linear is not None:
        w = emitter.linear.weight.detach().numpy()
        if quantise == "int8":
            # int16 accumulation over len(TEMPLATES) rows cannot overflow
            scale = float(np.abs(w).max()) / 127.0 or 1.0
            arrays["W"] = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            arrays["W_scale"] = np.array(scale, np.float64)
        elif quantise == "float16":
            arrays["W"] = w.astype(np.float16)
        else:
            arrays["W"] = w.astype(np.float32)
    if emitter.emb is not None:
        arrays["onnx"] = np.frombuffer(export_onnx(emitter), np.uint8)
        emb = emitter.emb.weight.detach().numpy()
        arrays.update(quantise_rows(emb) if quantise == "int8" else
                      {"E": emb.astype(np.float16) if quantise == "float16" else emb.astype(np.float32)})
        meta["nn_templates"] = emitter.nn_cols
        meta["nn_bits"] = cfg.nn_bits
    return meta, arrays


def quantise_rows(e: np.ndarray) -> dict[str, np.ndarray]:
    """int8 embedding rows with one float16 scale per row."""
    scale = (np.abs(e).max(axis=1) / 127.0).astype(np.float16).astype(np.float32)
    scale[scale == 0] = 1.0
    q = np.clip(np.round(e / scale[:, None]), -127, 127).astype(np.int8)
    return {"E": q, "E_scale": scale.astype(np.float16)}


def export_onnx(emitter: Emitter) -> bytes:
    """The network after the embedding look-up: inputs ``x`` [B, T, D] float32 and ``lengths`` [B] int64."""
    import io

    net = emitter.net.eval()
    d = emitter.emb.embedding_dim * len(emitter.nn_cols)
    x = torch.zeros((2, 7, d), dtype=torch.float32)
    lens = torch.tensor([7, 4], dtype=torch.int64)
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(net, (x, lens), buf, input_names=["x", "lengths"], output_names=["scores"],
                          dynamic_axes={"x": {0: "b", 1: "t"}, "lengths": {0: "b"}, "scores": {0: "b", 1: "t"}},
                          opset_version=17, dynamo=False)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------ train

def set_determinism(seed: int) -> None:
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.environ.setdefault("OMP_NUM_THREADS", "1")


def train(corpora: Sequence[tuple[Sequence[Example], LabelMap]], out_path: str | Path, seed: int = 13,
          cfg: Config | None = None, dev_eval: Callable[[Tagger], dict] | None = None,
          log: Callable[[str], None] = print) -> dict:
    """Train on ``corpora`` [(examples, label map)], write the model to ``out_path``; returns a summary."""
    cfg = cfg or Config()
    cfg.seed = seed
    set_determinism(seed)
    rng = np.random.default_rng(seed)
    t0 = time.process_time()
    lex = build_lexicon(cfg)
    fx = FeatureExtractor(cfg.bits, lex)
    domain_cols = [TEMPLATES.index(t) for t in cfg.domain_templates]
    tags = TagSet(tuple(cfg.types))
    enc = encode(fx, corpora, domain_cols, tags)
    for t in cfg.drop_templates:
        enc.ids[:, TEMPLATES.index(t)] = 0
    log(f"encoded {len(enc.offsets) - 1} sentences, {enc.ids.shape[0]} chars, lexicon {len(lex.keys)} words "
        f"({time.process_time() - t0:.0f} s CPU)")
    emitter = Emitter(cfg)
    crf = CRF(tags)
    dense = list(crf.parameters()) + (list(emitter.net.parameters()) if emitter.emb is not None else [])
    groups = []
    if emitter.linear is not None:
        groups.append({"params": list(emitter.linear.parameters()), "lr": cfg.lr})
    if emitter.emb is not None:
        groups.append({"params": list(emitter.emb.parameters()), "lr": cfg.nn_lr})
    if cfg.optimizer == "sgd":
        opt_s = torch.optim.SGD(groups, lr=cfg.lr)
    elif cfg.optimizer == "adagrad":
        opt_s = torch.optim.Adagrad(groups, lr=cfg.lr)
    else:
        opt_s = torch.optim.SparseAdam(groups, lr=cfg.lr)
    opt_d = torch.optim.Adam(dense, lr=cfg.nn_lr if emitter.emb is not None else cfg.lr)
    base_lrs = [[g["lr"] for g in o.param_groups] for o in (opt_s, opt_d)]
    history = []
    for epoch in range(cfg.epochs):
        for o, lrs in zip((opt_s, opt_d), base_lrs, strict=True):
            for g, lr in zip(o.param_groups, lrs, strict=True):
                g["lr"] = lr * cfg.lr_decay**epoch
        emitter.train()
        total, chars = 0.0, 0
        te = time.process_time()
        for idx in batches(enc.offsets, cfg.batch_chars, rng):
            ids, lens, allowed = pad_batch(enc, idx, tags.k)
            em = emitter(ids, lens)
            loss = crf.nll(em, lens, allowed)
            opt_s.zero_grad()
            opt_d.zero_grad()
            (loss / len(idx)).backward()
            opt_s.step()
            opt_d.step()
            if cfg.l2 and emitter.linear is not None:
                # decoupled weight decay on the whole table (all rows, every step)
                with torch.no_grad():
                    emitter.linear.weight.mul_(1.0 - opt_s.param_groups[0]["lr"] * cfg.l2)
            total += float(loss.detach())
            chars += int(lens.sum())
        emitter.eval()
        rec = {"epoch": epoch + 1, "loss_per_char": total / chars}
        if dev_eval is not None:
            meta, arrays = export(emitter, crf, lex, cfg, quantise="float32")
            rec["dev"] = dev_eval(Tagger(meta, arrays))
            if domain_cols:
                rec["dev_domain"] = dev_eval(Tagger(meta, arrays, style="match"))
        history.append(rec)  # no timings: the same data and seed give the same file, byte for byte
        log(json.dumps({**rec, "epoch_cpu_s": round(time.process_time() - te, 1)}, ensure_ascii=False))
        if math.isnan(total):
            break
    meta, arrays = export(emitter, crf, lex, cfg)
    meta["history"] = history
    Tagger.save(out_path, meta, arrays)
    return {"history": history, "train_cpu_s": time.process_time() - t0, "path": str(out_path),
            "size_bytes": Path(out_path).stat().st_size}


# ------------------------------------------------------------------------------------------ ensemble

# The base model's recipe (the public corpora: four types): a linear CRF with per-corpus styles plus a BiLSTM.
LINEAR_DOMAIN = {"epochs": 2, "lr": 0.05, "domain_dropout": 0.5, "types": PUBLIC_TYPES,
                 "domain_templates": ("u-1", "u0", "u+1", "b-10", "b0+1", "lex", "cls5", "bias")}
NEURAL = {"epochs": 5, "lr_decay": 0.8, "linear": False, "nn_dim": 32, "nn_hidden": 64, "nn_rnn": "lstm", "nn_lr": 0.01,
          "nn_dropout": 0.2, "nn_feature_dropout": 0.3, "nn_bits": 17, "types": PUBLIC_TYPES}
# The news CRF's recipe (annotated news: all eight types; chosen on the development split, docs/accuracy.md).
NEWS_LINEAR = {**LINEAR_DOMAIN, "epochs": 6, "feature_dropout": 0.4, "bits": 18, "types": TYPES}


def combine(linear: tuple[dict, dict], neural: tuple[dict, dict]) -> tuple[dict, dict]:
    """One model that adds a linear model's and a neural model's scores (same features): (meta, arrays) each."""
    (ma, aa), (mb, ab) = linear, neural
    if ma["bits"] != mb["bits"] or not np.array_equal(aa["lex_keys"], ab["lex_keys"]):
        raise ValueError("the two models do not share a feature extractor")
    arrays = dict(ab)
    for k in ("W", "W_scale"):
        if k in aa:
            arrays[k] = aa[k]
    for k in ("trans", "start", "end"):
        arrays[k] = (aa[k] + ab[k]).astype(np.float32)
    meta = dict(mb)
    meta["domain_cols"], meta["domains"] = ma.get("domain_cols", []), ma.get("domains", [])
    meta["parts"] = {"linear": ma.get("config"), "neural": mb.get("config")}
    meta["history"] = {"linear": ma.get("history"), "neural": mb.get("history")}
    return meta, arrays


def train_ensemble(corpora: Sequence[tuple[Sequence[Example], LabelMap]], out_path: str | Path, seed: int = 13,
                   domains: Sequence[str] | None = None, linear_overrides: dict | None = None,
                   neural_overrides: dict | None = None, log: Callable[[str], None] = print) -> dict:
    """The shipped recipe: a linear CRF with per-corpus (style) features plus a BiLSTM, trained one after the
    other, their scores added.  ``domains``: one style name per corpus (default corpus0, corpus1 ...)."""
    import tempfile

    started = time.process_time()
    names = list(domains) if domains is not None else [f"corpus{i}" for i in range(len(corpora))]
    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, base, over in (("linear", LINEAR_DOMAIN, linear_overrides), ("neural", NEURAL, neural_overrides)):
            cfg = Config(**{**base, **(over or {})})
            cfg.extra["domains"] = names
            p = Path(tmp) / f"{name}.npz"
            train(corpora, p, seed=seed, cfg=cfg, log=log)
            with np.load(p, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            parts.append((json.loads(bytes(arrays.pop("meta")).decode("utf-8")), arrays))
    meta, arrays = combine(parts[0], parts[1])
    Tagger.save(out_path, meta, arrays)
    return {"train_cpu_s": time.process_time() - started, "path": str(out_path),
            "size_bytes": Path(out_path).stat().st_size}


def set_default_style(path: str | Path, style: str | None) -> None:
    """Record in the model file the style (a training corpus' name) it follows when none is named."""
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays.pop("meta")).decode("utf-8"))
    if style is not None and style not in meta.get("domains", []):
        raise ValueError(f"unknown style {style!r}; the model knows {meta.get('domains')}")
    meta["default_style"] = style
    Tagger.save(path, meta, arrays)
