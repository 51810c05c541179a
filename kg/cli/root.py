"""The root typer app of the ``kg`` command line: each group of commands is a typer app of its own
module, merged into this one. The console entry point is :func:`kg.cli.main`.
"""

from __future__ import annotations

import typer

from kg import __version__
from kg.cli import build, curate, database, evaluation, explore, export, html, train, train_relations
from kg.cli.common import console

app = typer.Typer(
    name="kg",
    help="Knowledge graphs from Chinese news: extract entities and relations, explore, query, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Knowledge graphs from Chinese news."""


for _group in (build, curate, explore, evaluation, html, database, export, train, train_relations):
    app.add_typer(_group.app)
