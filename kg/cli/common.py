"""Shared pieces of the command-line interface: options, one-line errors, console.

Every ``kg`` command but ``--version`` imports this module (the root imports only the module of the
command that runs: see :mod:`kg.cli.root`), so it imports only what is cheap; extraction, networkx,
pydantic and the database driver are imported inside the commands that use them (a lookup such as
``kg neighbours`` is a process of about a tenth of a second).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from kg.extraction.ner.taggers import DEFAULT_TAGGER
from kg.io.textsafety import json_text, visible
from kg.registry import TAGGERS

if TYPE_CHECKING:
    import networkx as nx

    from kg.extraction.extractor import Extractor

console = Console()
err_console = Console(stderr=True)

DEFAULT_OUT = Path("kg-out")

OutOption = typer.Option(DEFAULT_OUT, "--out", "-o", help="Output folder of `kg build`.",
                         envvar="KG_OUT")

# Connection settings, the Neo4j way (the same options on every command that reaches a database).
UriOption = typer.Option(
    None, "--uri", envvar="NEO4J_URI",
    help="Bolt URI of a Neo4j (or other Bolt) server, e.g. bolt://localhost:7687. "
         "Without it kg runs its own embedded FalkorDB server with data in OUT/db.")
UserOption = typer.Option("neo4j", "--user", envvar="NEO4J_USERNAME", help="User name for --uri.")
PasswordOption = typer.Option(None, "--password", envvar="NEO4J_PASSWORD",
                              help="Password for --uri (none: connect without authentication).")
DatabaseOption = typer.Option(None, "--database", envvar="NEO4J_DATABASE",
                              help="Database name on a multi-database Neo4j (default: the server's default).")


def plain(text: object, style: str = "") -> Text:
    """Text from documents (or any user data) for the terminal: no markup is interpreted, and
    control, bidi and zero-width characters show as escapes (see :mod:`kg.io.textsafety`)."""
    return Text(visible(str(text)), style=style)


def say(*parts: object, err: bool = False) -> None:
    """Print one line made of ``parts``: strings and other values as plain text, ``(text, style)``
    pairs styled (the style is ours; the text is still plain), and rich ``Text`` as it is (built by
    us from plain pieces, e.g. evidence with its two ends marked)."""
    line = Text()
    for part in parts:
        if isinstance(part, Text):
            line.append_text(part)
        else:
            line.append_text(plain(*part) if isinstance(part, tuple) else plain(part))
    (err_console if err else console).print(line, highlight=False, soft_wrap=True)


def print_json(value: object) -> None:
    """Machine-readable output: JSON with control and format characters escaped, never styled."""
    typer.echo(json_text(value))


_reported = False


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit non-zero."""
    global _reported
    _reported = True
    say(("error:", "bold red"), " ", message, err=True)
    raise typer.Exit(code)


def error_reported() -> bool:
    """Has :func:`fail` printed the command's one error line? (Then ``kg.cli.main`` adds none.)"""
    return _reported


def warn(message: str) -> None:
    say(("warning:", "yellow"), " ", message, err=True)


def graph_path(out: Path) -> Path:
    return out / "graph.json"


def load_graph_or_fail(out: Path) -> nx.MultiDiGraph:
    from kg.graph.network import GraphFormatError, load_json

    try:
        return load_json(graph_path(out))
    except GraphFormatError as exc:
        fail(str(exc))


# How documents are read: the same options on every command that extracts.
NerOption = typer.Option(DEFAULT_TAGGER, "--ner", envvar="KG_NER", metavar="NAME",
                         help=f"Entity tagger. {escape(TAGGERS.help_text())}.")
DictionaryOption = typer.Option(None, "--dictionary", metavar="FILE", readable=False,
                                help="A dictionary of names (kg/data/entities.tsv format) read after the shipped "
                                     "one, its entries winning; repeat for more.")
NerModelOption = typer.Option(None, "--ner-model", metavar="FILE", readable=False,
                              help="A model of the statistical tagger trained with kg train-ner (default: the "
                                   "shipped one).")


RelationModelOption = typer.Option(None, "--relation-model", metavar="FILE", readable=False,
                                   help="A relation model trained with kg train-relations: the classifier and the "
                                        "measured precision of the rules (default: the shipped one).")
MinConfidenceOption = typer.Option(0.0, "--min-confidence", metavar="X",
                                   help="Leave out relations less confident than X (0..1; confidences are "
                                        "calibrated: about the share of such relations that are right).")


ConfigOption = typer.Option(None, "--config", metavar="FILE", readable=False,
                            help="A configuration file (TOML: tagger, dictionaries, min_confidence, "
                                 "relation_rules ..., and a [components.NAME] block of settings per component); "
                                 "the options given on the command line win over it.")
SetOption = typer.Option(None, "--set", metavar="KEY=VALUE",
                         help="A setting of the extractor, over --config and the options: min_confidence=0.5, "
                              "components.statistical.model=my.npz (a dotted KEY for a component's block; "
                              "repeat for more).")
ClassifierOption = typer.Option(True, "--classifier/--no-classifier",
                                help="Run the trained relation classifier beside the rules (--no-classifier: the "
                                     "rules alone, faster, fewer relations found).")


def check_confidence(value: float) -> float:
    """``value`` if it is a confidence (0..1), else a one-line error."""
    if not 0.0 <= value <= 1.0:
        fail(f"--min-confidence: {value} is not between 0 and 1")
    return value


def given_options(ctx: typer.Context) -> frozenset[str]:
    """The parameters of a command the user gave on the command line (a configuration file named
    there wins over the environment, such as KG_NER, and over the defaults)."""
    # by the source's name: typer may carry its own copy of click's ParameterSource
    return frozenset(name for name in ctx.params
                     if getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE")


def extractor_from_options(ner: str, dictionaries: list[Path] | None, ner_model: Path | None = None,
                           relation_model: Path | None = None, min_confidence: float = 0.0,
                           relation_rules: tuple[str, ...] | None = None, classifier: bool = True,
                           config_file: Path | None = None, given: frozenset[str] = frozenset(),
                           settings: list[str] | None = None) -> Extractor:
    """The extractor the options describe (over ``config_file``'s settings: an option in ``given``
    wins over the file; ``settings``, ``--set KEY=VALUE``, win over both), built now, so a bad name,
    dictionary, model or missing package is one line before any document is read."""
    from kg.extraction.config import ConfigError, extraction_values, make_config, read_config_file, with_settings
    from kg.extraction.dictionary import DictionaryError
    from kg.extraction.extractor import Extractor
    from kg.extraction.ner.taggers.base import MissingPackageError, ModelError
    from kg.registry import RELATION_RULES

    try:
        values = extraction_values(read_config_file(config_file)) if config_file is not None else {}
        everything = config_file is None  # without a file every option counts, given or not
        if everything or "ner" in given:
            values["tagger"] = ner
        if dictionaries:
            values["dictionaries"] = (*values.get("dictionaries", ()), *dictionaries)
        for field, value in (("ner_model", ner_model), ("relation_model", relation_model)):
            if value is not None:
                values[field] = value
        if everything or "min_confidence" in given:
            values["min_confidence"] = check_confidence(min_confidence)
        if relation_rules is not None:
            values["relation_rules"] = relation_rules
        if not classifier:
            chosen = values.get("relation_rules") or RELATION_RULES.names()
            values["relation_rules"] = tuple(name for name in chosen if name != "classifier")
        extractor = Extractor(make_config(**with_settings(values, settings or [])))
        extractor.components  # noqa: B018  (builds and caches them)
    except (ConfigError, DictionaryError, MissingPackageError, ModelError) as exc:
        fail(str(exc))
    return extractor
