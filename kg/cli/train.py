"""``kg train-ner``: train the statistical tagger on your own annotated corpora (and/or the public ones)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kg.cli.common import fail, say

if TYPE_CHECKING:
    from kg.extraction.ner.statistical.corpora import Example, LabelMap

app = typer.Typer()

PRESETS = ("ensemble", "linear")
FORMATS = ("auto", "bmes", "bio", "bioes", "char", "conll-digit", "cluener")


def parse_corpus(spec: str) -> tuple[Path, str, str]:
    """``PATH[:FORMAT[:LABELS]]`` -> (path, format, label map name); ``ValueError`` names what is wrong.

    >>> parse_corpus("my.jsonl:cluener")
    (PosixPath('my.jsonl'), 'cluener', 'cluener')
    >>> parse_corpus("news.bmes::msra")
    (PosixPath('news.bmes'), 'auto', 'msra')
    """
    from kg.extraction.ner.statistical.corpora import LABEL_MAPS

    path, _, rest = spec.partition(":")
    fmt, _, labels = rest.partition(":")
    fmt = fmt or "auto"
    labels = labels or ("cluener" if fmt == "cluener" else "generic")
    if not path:
        raise ValueError(f"--corpus {spec!r}: no file")
    if fmt not in FORMATS:
        raise ValueError(f"--corpus {spec}: unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
    if labels not in LABEL_MAPS:
        raise ValueError(f"--corpus {spec}: unknown labels {labels!r}; choose from: {', '.join(LABEL_MAPS)}")
    return Path(path), fmt, labels


def parse_repeats(specs: list[str]) -> dict[str, int]:
    """``NAME=N`` options -> {name: times}; ``ValueError`` names what is wrong.

    >>> parse_repeats(["weibo=3", "mine=2"])
    {'weibo': 3, 'mine': 2}
    """
    repeats: dict[str, int] = {}
    for spec in specs:
        name, _, times = spec.partition("=")
        if not name or not times.isdigit() or int(times) < 1:
            raise ValueError(f"--repeat {spec!r}: expected CORPUS=N with N a whole number >= 1")
        repeats[name] = int(times)
    return repeats


def _apply_repeats(corpora: list[tuple[list[Example], LabelMap]], names: list[str],
                   repeats: dict[str, int]) -> None:
    # A small corpus read N times per epoch weighs N times as much against the large ones.
    unknown = sorted(set(repeats) - set(names))
    if unknown:
        fail(f"--repeat: no corpus {unknown[0]!r}; the corpora are {', '.join(names)}")
    for i, name in enumerate(names):
        examples, labels = corpora[i]
        corpora[i] = (examples * repeats.get(name, 1), labels)


def _read_corpora(public: Path | None, specs: list[str]) -> tuple[list[tuple[list[Example], LabelMap]], list[str]]:
    from kg.extraction.ner.statistical.corpora import LABEL_MAPS, CorpusError, load_public, read_corpus

    corpora: list[tuple[list[Example], LabelMap]] = []
    names: list[str] = []
    try:
        if public is not None:
            train, _ = load_public(public)
            for name in ("msra", "cluener", "resume", "weibo"):
                corpora.append(([ex for ex in train if ex.corpus == name], LABEL_MAPS[name]))
                names.append(name)
        for spec in specs:
            path, fmt, labels = parse_corpus(spec)
            examples = read_corpus(path, fmt, labels)
            if not examples:
                raise ValueError(f"{path}: no sentences")
            corpora.append((examples, LABEL_MAPS[labels]))
            name = path.stem
            names.append(name if name not in names else f"{name}{len(names)}")
    except FileNotFoundError as exc:
        fail(f"{exc.filename}: no such file")
    except (CorpusError, ValueError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{exc.filename}: {exc.strerror}")
    if not corpora:
        fail("no training data: give --corpus FILE and/or --public DIR")
    return corpora, names


@app.command("train-ner")
def train_ner(
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the model (.npz); replaced only "
                                                              "when training has finished."),
    corpus: list[str] = typer.Option([], "--corpus", metavar="PATH[:FORMAT[:LABELS]]",
                                     help="An annotated corpus; repeat for more. FORMAT: bmes/bio (a character and "
                                          "its tag per line, blank line between sentences), conll-digit (Weibo), "
                                          "cluener (JSON lines); default from the suffix. LABELS: how its labels "
                                          "map to kg's types: msra, cluener, resume, weibo or generic (PER/LOC/ORG/"
                                          "GPE/COMPANY...)."),
    public: Path | None = typer.Option(None, "--public", metavar="DIR", readable=False,
                                       help="Also train on the fixed train split of MSRA, CLUENER2020, Resume and "
                                            "Weibo in DIR (msra/, cluener/, resume/, weibo/; e.g. ../shared/data/ner), "
                                            "as the shipped model was."),
    preset: str = typer.Option("ensemble", "--preset",
                               help="ensemble: the shipped recipe (linear CRF with per-corpus styles + BiLSTM, "
                                    "~15 min CPU on the public corpora); linear: the linear CRF alone (faster)."),
    epochs: int | None = typer.Option(None, "--epochs", min=1, help="Passes over the data (default: the preset's)."),
    seed: int = typer.Option(13, "--seed", help="The same data and seed give the same file, byte for byte."),
    entities: Path | None = typer.Option(None, "--entities", metavar="FILE", readable=False,
                                         help="A dictionary (kg/data/entities.tsv format) whose names are a feature "
                                              "(default: the shipped dictionary)."),
    default_style: str | None = typer.Option(None, "--default-style", metavar="CORPUS",
                                             help="Follow this corpus' annotation conventions by default (its file "
                                                  "stem, or msra/cluener/resume/weibo with --public)."),
    repeat: list[str] = typer.Option([], "--repeat", metavar="CORPUS=N",
                                     help="Read a corpus N times per epoch, to weigh a small one more (its file "
                                          "stem, or msra/cluener/resume/weibo with --public); repeatable."),
    news: Path | None = typer.Option(None, "--news", metavar="DIR", readable=False,
                                     help="Annotated news (texts/ and gold/ as in shared/data/schema_news): train "
                                          "the two-stage tagger of all eight types on its training split (its "
                                          "development split, every fifth article per topic, is never read), over "
                                          "the base model trained from --public/--corpus or read from --base."),
    base: Path | None = typer.Option(None, "--base", metavar="FILE", readable=False,
                                     help="With --news: take the base model from this model file (a single model, "
                                          "or the base part of a two-stage tagger) instead of training one from "
                                          "--public/--corpus (which then only teach the span classifier)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    r"""Train a model for `--ner statistical` (use it with `--ner-model FILE`). Needs torch:
    pip install 'kg\[train]'. The shipped model: --public ../shared/data/ner --news ../shared/data/schema_news."""
    if preset not in PRESETS:
        fail(f"--preset: unknown preset {preset!r}; choose from: {', '.join(PRESETS)}")
    try:
        from kg.extraction.ner.statistical import train as training
    except ImportError as exc:
        fail(f"kg train-ner needs {exc.name or 'torch'}: pip install 'kg[train]'")
    from kg.extraction.ner.taggers.statistical import load_model

    if entities is None:
        from importlib import resources

        entities = Path(str(resources.files("kg") / "data" / "entities.tsv"))
    elif not entities.is_file():
        fail(f"{entities}: no such dictionary file")
    try:
        repeats = parse_repeats(repeat)
    except ValueError as exc:
        fail(str(exc))
    if base is not None and news is None:
        fail("--base needs --news (it is the first stage of a two-stage tagger)")
    articles = _read_news(news) if news is not None else None
    if articles is not None and public is None and not corpus:
        corpora, names, sentences = [], [], 0
    else:
        corpora, names = _read_corpora(public, corpus)
        sentences = sum(len(examples) for examples, _ in corpora)  # each corpus once, as read
    as_read = list(corpora)  # before --repeat: the public shares of the span classifier sample these
    _apply_repeats(corpora, names, repeats)
    if default_style is not None and default_style not in names:
        fail(f"--default-style: no corpus {default_style!r}; the corpora are {', '.join(names)}")
    log = (lambda _line: None) if quiet else (lambda line: say(line, err=True))
    lexicon = {"entities_tsv": str(entities)}
    epochs_override = {"epochs": epochs} if epochs else {}
    from kg.io.outputs import OutputError, check_folder_exists, check_not_input, replacing
    from kg.sinks.outfolder import check_not_state

    try:
        check_not_input(output, [*(parse_corpus(spec)[0] for spec in corpus), entities])
        check_not_state(output, None, "model")
        check_folder_exists(output)
        with tempfile.TemporaryDirectory() as work:
            trained = Path(work) / "model.npz"
            base_model = _base_model(base, Path(work)) if base is not None else None

            def train_base(data: list[tuple[list[Example], LabelMap]], path: Path) -> Path:
                if preset == "ensemble":
                    training.train_ensemble(data, path, seed=seed, domains=names, log=log,
                                            linear_overrides={**lexicon, **epochs_override},
                                            neural_overrides={**lexicon, **epochs_override})
                else:
                    cfg = training.Config(**{**training.LINEAR_DOMAIN, **lexicon, **epochs_override})
                    cfg.extra["domains"] = names
                    training.train(data, path, seed=seed, cfg=cfg, log=log)
                if default_style is not None:
                    training.set_default_style(path, default_style)
                return path

            if corpora and base_model is None:
                base_model = train_base(corpora, Path(work) / "base.npz")
            if articles is not None:
                from kg.extraction.ner.statistical.train_two_stage import public_shares, train_two_stage

                shares = public_shares(as_read, corpora, Path(work), train_base, log) if corpora else []
                train_two_stage(articles, base_model, trained, crf_overrides=lexicon, seed=seed, log=log,
                                public=shares)
            else:
                assert base_model is not None
                trained = base_model
            load_model.__wrapped__(trained)  # what is about to replace OUTPUT loads
            with replacing(output, binary=True) as fh:
                fh.write(trained.read_bytes())
    except OutputError as exc:
        fail(str(exc))
    sources = [f"{sentences:,} sentences ({', '.join(names)})"] if names and base is None else []
    if base is not None:
        sources.append(f"the base model of {base}")
    if articles is not None:
        sources.append(f"{len(articles)} annotated articles")
    say(f"trained on {' and '.join(sources)} -> {output} ({output.stat().st_size / 1e6:.1f} MB); "
        f"use it with --ner-model {output}")


def _read_news(folder: Path) -> list:
    """The training split of annotated news (the development split is left for measuring)."""
    from kg.annotated_news import AnnotatedError, read_annotated, split

    try:
        docs = read_annotated(folder)
    except AnnotatedError as exc:
        fail(str(exc))
    if not docs:
        fail(f"{folder}: no gold graphs (expected gold/<id>.json and texts/<id>.txt)")
    return split(docs)[0]


def _base_model(path: Path, work: Path) -> Path:
    """A single model file of the base model in ``path`` (itself, or the base part of a two-stage tagger)."""
    import zipfile

    from kg.extraction.ner.statistical.two_stage import TwoStageTagger

    try:
        return TwoStageTagger.base_model_file(path, work / "base-from-file.npz")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        fail(f"{path}: not a kg NER model (kg train-ner writes one)")
    except ValueError as exc:
        fail(str(exc))
