"""``kg eval``: score the extractor (or a prediction file) against gold graphs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from kg.cli.common import (
    ClassifierOption,
    ConfigOption,
    DictionaryOption,
    MinConfidenceOption,
    NerModelOption,
    NerOption,
    RelationModelOption,
    SetOption,
    console,
    extractor_from_options,
    fail,
    given_options,
    plain,
    print_json,
    say,
    warn,
)
from kg.evaluate import Counts, GoldError, load_gold, score_all

if TYPE_CHECKING:
    from kg.extraction.extractor import Extractor


app = typer.Typer()


def _read_predictions(path: Path) -> dict[str, dict]:
    from kg.io.jsonlimits import TooDeep, loads

    preds: dict[str, dict] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        fail(f"{path}: no such prediction file")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8")
    except OSError as exc:
        fail(f"{path}: cannot read ({(exc.strerror or str(exc)).lower()})")
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = loads(line)
            preds[record["doc_id"]] = record
        except (ValueError, KeyError, TypeError) as exc:  # malformed, or TooDeep
            reason = exc if isinstance(exc, TooDeep) else type(exc).__name__
            fail(f"{path}:{lineno}: not an extraction record ({reason})")
    return preds


def _extract_gold_docs(gold: dict[str, dict], docs: Path, extractor: Extractor) -> dict[str, dict]:
    from kg.extraction.pipeline import to_score_record
    from kg.io.readers import InputProblem, iter_documents

    preds = {}
    for item in iter_documents([docs]):
        if isinstance(item, InputProblem):
            warn(f"skipped {item}" if item.skipped else str(item))
        elif item.id in gold:
            preds[item.id] = to_score_record(extractor.extract(item))
    missing = sorted(set(gold) - set(preds))
    if missing:
        warn(f"no text found in {docs} for {len(missing)} gold documents: {', '.join(missing[:5])}")
    return preds


def _table(title: str, counts: Counts) -> Table:
    t = Table(title=title)
    for col in ("type", "P", "R", "F1", "tp", "fp", "fn"):
        t.add_column(col, justify="right" if col != "type" else "left")
    for label in counts.labels():
        p, r, f = counts.prf(label)
        t.add_row(plain(label), f"{p:.2f}", f"{r:.2f}", f"{f:.2f}", str(counts.tp[label]), str(counts.fp[label]),
                  str(counts.fn[label]))
    p, r, f = counts.prf()
    t.add_row("[bold]ALL", f"{p:.3f}", f"{r:.3f}", f"[bold]{f:.3f}", str(sum(counts.tp.values())),
              str(sum(counts.fp.values())), str(sum(counts.fn.values())))
    return t


@app.command("eval")
def eval_cmd(
    ctx: typer.Context,
    gold_dir: Path = typer.Argument(..., readable=False,
                                    help="Folder of gold graphs (<doc_id>.json, GUIDELINES.md format)."),
    pred: Path | None = typer.Option(None, "--pred", "-p", readable=False,
                                     help="Score this extractions.jsonl instead of extracting."),
    docs: Path | None = typer.Option(None, "--docs", readable=False,
                                     help="Where the gold documents' texts are (<doc_id>.txt; default: the seeds)."),
    ner: str = NerOption,
    dictionary: list[Path] | None = DictionaryOption,
    ner_model: Path | None = NerModelOption,
    relation_model: Path | None = RelationModelOption,
    min_confidence: float = MinConfidenceOption,
    classifier: bool = ClassifierOption,
    config: Path | None = ConfigOption,
    settings: list[str] | None = SetOption,
    misses: bool = typer.Option(True, "--misses/--no-misses", help="List false positives and negatives."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Precision, recall and F1 per entity and relation type against gold graphs."""
    # The options first (an unknown tagger is reported whatever the gold folder holds), then the gold.
    extractor = None if pred else extractor_from_options(ner, dictionary, ner_model, relation_model, min_confidence,
                                                          classifier=classifier, config_file=config,
                                                          given=given_options(ctx), settings=settings)
    try:
        gold = load_gold(gold_dir)
    except GoldError as exc:
        fail(str(exc))
    if pred:
        preds = _read_predictions(pred)
    else:
        if docs is None:
            from kg.resources import seeds_dir

            docs = seeds_dir()
        assert extractor is not None
        preds = _extract_gold_docs(gold, docs, extractor)
    score = score_all(gold, preds)
    if as_json:
        print_json(score.to_dict())
        return
    console.print(_table(f"entities ({score.documents} documents)", score.entities))
    console.print(_table("relations", score.relations))
    if misses:
        for kind, rows in score.misses.items():
            if rows:
                say((kind, "bold"), f" ({len(rows)})")
                for row in rows:
                    say(f"  {row}")
    ep, er, ef = score.entities.prf()
    rp, rr, rf = score.relations.prf()
    console.print(f"entities P={ep:.3f} R={er:.3f} F1={ef:.3f} relations P={rp:.3f} R={rr:.3f} F1={rf:.3f}")
