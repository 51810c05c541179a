"""Entity F1 of every tagger on the development splits of the public NER corpora, the whole
mention pipeline as kg runs it (dictionary, patterns, rules and the tagger), and the trained model
alone for comparison.

Development splits (kg.extraction.ner.statistical.corpora.load_public): the last 10% of MSRA train and of
CLUENER train, Resume dev, Weibo dev; the models were trained on the rest, never on these. Scored
as the test splits are: exact spans, micro F1 over the types each corpus annotates (MSRA PER/LOC/ORG;
CLUENER name/address/company/organization+government, company told apart; Resume NAME/ORG; Weibo
named PER, LOC/GPE, ORG), Company and Organization counted as ORG where the corpus does not tell
them apart. Predictions of other types (AIModel, Product ...) are not scored.

    python -m bench.ner_accuracy [--taggers statistical,jieba,lac,none] [--limit N] [--ner-model FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from kg.evaluate import Counts
from kg.extraction.ner.statistical.corpora import Example, eval_gold_spans, eval_pred_spans, load_public

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "ner"
CORPORA = ("msra", "cluener", "resume", "weibo")
Spans = Callable[[Sequence[str]], list[list[tuple[int, int, str]]]]


def pipeline(tagger: str, model: Path | None = None) -> Spans:
    """kg's mentions of each sentence (one document per sentence), as (start, end, type)."""
    from kg.extraction.config import ExtractorConfig
    from kg.extraction.extractor import Extractor
    from kg.extraction.ner.textview import TextView
    from kg.extraction.pipeline import BATCH_DOCS

    config = ExtractorConfig(tagger=tagger, ner_model=model if tagger == "statistical" else None)
    finder = Extractor(config).components.mentions

    def spans(sentences: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        out = []
        for i in range(0, len(sentences), BATCH_DOCS):  # batched as kg extract batches documents
            views = [TextView(s) for s in sentences[i:i + BATCH_DOCS]]
            finder.prepare(views)
            out += [[(m.start, m.end, str(m.type)) for m in finder(view)] for view in views]
        return out

    return spans


def model_alone(model: Path | None = None) -> Spans:
    from kg.extraction.ner.taggers.statistical import load_model, shipped_model

    return load_model(model or shipped_model()).tag


def score(spans: Spans, dev: Iterable[Example]) -> tuple[dict[str, Counts], float]:
    """Counts per corpus (labels = the scored types), and the CPU seconds tagging took."""
    by_corpus: dict[str, list[Example]] = {}
    for ex in dev:
        by_corpus.setdefault(ex.corpus, []).append(ex)
    out, cpu = {}, 0.0
    for corpus in CORPORA:
        examples = by_corpus.get(corpus, [])
        t = time.process_time()
        predicted = spans([ex.text for ex in examples])
        cpu += time.process_time() - t
        counts = Counts()
        for ex, pred in zip(examples, predicted, strict=True):
            gold, got = eval_gold_spans(ex, corpus), eval_pred_spans(pred, corpus)
            for s in got & gold:
                counts.tp[s[2]] += 1
            for s in got - gold:
                counts.fp[s[2]] += 1
            for s in gold - got:
                counts.fn[s[2]] += 1
        out[corpus] = counts
    return out, cpu


def run(taggers: Sequence[str], limit: int | None = None, model: Path | None = None) -> dict[str, Any]:
    _, dev = load_public(DATA)
    if limit:
        by: dict[str, int] = {}
        dev = [ex for ex in dev if by.setdefault(ex.corpus, 0) < limit and not by.__setitem__(ex.corpus,
                                                                                               by[ex.corpus] + 1)]
    chars = sum(len(ex.text) for ex in dev)
    rows: dict[str, Any] = {}
    systems: list[tuple[str, Callable[[], Spans]]] = [("model alone (statistical)", lambda: model_alone(model))]
    systems += [(f"kg --ner {t}", lambda t=t: pipeline(t, model)) for t in taggers]
    for name, make in systems:
        try:
            spans = make()
            spans(["科大讯飞董事长刘庆峰在合肥表示。"])  # loading outside the timing
        except Exception as exc:  # an optional tagger (lac) may be missing
            rows[name] = {"error": f"{type(exc).__name__}: {exc}"[:100]}
            continue
        counts, cpu = score(spans, dev)
        rows[name] = {c: dict(zip(("p", "r", "f1"), counts[c].prf(), strict=True)) for c in CORPORA}
        rows[name]["by_type"] = {c: {t: counts[c].prf(t)[2] for t in counts[c].labels()} for c in CORPORA}
        rows[name]["chars_per_cpu_s"] = chars / cpu if cpu else 0.0
    return {"dev_sentences": len(dev), "dev_chars": chars, "rows": rows}


def render(result: dict[str, Any]) -> str:
    lines = [f"entity F1 on the development splits ({result['dev_sentences']:,} sentences, "
             f"{result['dev_chars']:,} chars); P / R / F1", "",
             f"| system | {' | '.join(CORPORA)} | chars per CPU-s |", f"|---|{'---|' * len(CORPORA)}---|"]
    for name, row in result["rows"].items():
        if "error" in row:
            lines.append(f"| {name} | {row['error']} |")
            continue
        cells = [f"{row[c]['p']:.3f} / {row[c]['r']:.3f} / **{row[c]['f1']:.3f}**" for c in CORPORA]
        lines.append(f"| {name} | {' | '.join(cells)} | {row['chars_per_cpu_s']:,.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--taggers", default="statistical,jieba,lac,none")
    ap.add_argument("--limit", type=int, default=None, help="at most N sentences per corpus")
    ap.add_argument("--ner-model", type=Path, default=None, help="the statistical tagger's model (default: shipped)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not DATA.exists():
        print(f"no corpora at {DATA} (see ../shared/data/README.md)", file=sys.stderr)
        return 2
    result = run([t.strip() for t in args.taggers.split(",") if t.strip()], args.limit, args.ner_model)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else render(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
