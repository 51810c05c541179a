"""``kg train-relations``: train the relation classifier (and measure the rules) on DuIE and FinRE."""

from __future__ import annotations

import tempfile
from pathlib import Path

import typer

from kg.cli.common import DictionaryOption, NerModelOption, NerOption, extractor_from_options, fail, say

app = typer.Typer()


@app.command("train-relations")
def train_relations(
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the model (.npz); replaced only "
                                                              "when training has finished."),
    duie: Path | None = typer.Option(None, "--duie", metavar="FILE", readable=False,
                                     help="DuIE 2.0 JSON lines (e.g. ../shared/data/duie_org_train_excerpt.jsonl): "
                                          "its first 65 % trains, the next 15 % tunes, the last 20 % is held out "
                                          "and never read."),
    finre: Path | None = typer.Option(None, "--finre", metavar="DIR", readable=False,
                                      help="A folder with FinRE's finre_train.txt: its first 90 % of sentences "
                                           "train, the last 10 % tune (finre_valid.txt is held out, never read)."),
    news: Path | None = typer.Option(None, "--news", metavar="DIR", readable=False,
                                     help="Annotated news (texts/ and gold/ as in shared/data/schema_news): its "
                                          "training split trains (every fifth of its articles tunes); the "
                                          "development split is never read."),
    ner: str = NerOption,
    dictionary: list[Path] | None = DictionaryOption,
    ner_model: Path | None = NerModelOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Train the model of the `classifier` relation component (use it with `--relation-model FILE`).

    Candidate mentions come from kg's own pipeline (as `--ner`, `--dictionary` and `--ner-model`
    say), annotated names forced in; the classifier is calibrated, and the rules' confidences are
    measured, on the tuning part read the same way. The same data gives the same file."""
    from kg.extraction.relations.classifier.corpora import DataError
    from kg.extraction.relations.classifier.model import PairClassifier
    from kg.extraction.relations.classifier.recipe import train_model
    from kg.extraction.relations.classifier.training import signatures
    from kg.io.outputs import OutputError, check_folder_exists, check_not_input, replacing
    from kg.sinks.outfolder import check_not_state

    config = extractor_from_options(ner, dictionary, ner_model, relation_rules=()).config
    log = (lambda _line: None) if quiet else (lambda line: say(line, err=True))
    try:
        check_not_input(output, [p for p in (duie, finre, news) if p is not None])
        check_not_state(output, None, "model")
        check_folder_exists(output)
        trained = train_model(duie, finre, config=config, log=log, news=news)
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "model.npz"
            trained.model.save(path, signatures())
            PairClassifier.load(path)  # what is about to replace OUTPUT loads
            with replacing(output, binary=True) as fh:
                fh.write(path.read_bytes())
    except DataError as exc:
        fail(str(exc))
    except OutputError as exc:
        fail(f"{exc}; {output} left as it was")
    say(f"trained on {trained.pairs:,} sentences of {len(trained.split.train):,} texts, tuned on "
        f"{len(trained.split.tune):,} -> {output} ({output.stat().st_size / 1e6:.1f} MB); use it with "
        f"--relation-model {output}")
