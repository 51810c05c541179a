"""The root typer app of the ``kg`` command line. The console entry point is :func:`kg.cli.main`.

Each command lives in a module of its own group (``kg.cli.build``, ``kg.cli.explore`` ...), and the
root imports that module only when its command runs: ``kg neighbours`` never pays for the modules of
``kg build`` or ``kg serve``, and ``kg --version`` for none of them. :data:`COMMANDS` says which module
holds which command, in the order ``kg --help`` lists them (a test checks it against the modules).
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

from kg import __version__

#: command name -> the module holding it ("module:attribute" for a group of its own, e.g. ``kg db``).
COMMANDS: dict[str, str] = {
    "build": "kg.cli.build",
    "remove": "kg.cli.build",
    "extract": "kg.cli.build",
    "merge": "kg.cli.curate",
    "rename": "kg.cli.curate",
    "forget": "kg.cli.curate",
    "neighbours": "kg.cli.explore",
    "path": "kg.cli.explore",
    "stats": "kg.cli.explore",
    "serve": "kg.cli.serve",
    "eval": "kg.cli.evaluation",
    "html": "kg.cli.html",
    "load": "kg.cli.database",
    "query": "kg.cli.database",
    "db": "kg.cli.dbserver:app",
    "export": "kg.cli.export",
    "train-ner": "kg.cli.train",
    "train-relations": "kg.cli.train_relations",
}


def load_command(name: str) -> Any:
    """The click command (or group) called ``name``, its module imported now."""
    module_name, _, attribute = COMMANDS[name].partition(":")
    module = importlib.import_module(module_name)
    if attribute:  # a group of its own: the whole typer app is the command
        command = typer.main.get_command(getattr(module, attribute))
    else:
        command = typer.main.get_command(module.app)
        # an app of one command is that command; of several, a group holding them
        command = command.commands[name] if isinstance(command, typer.core.TyperGroup) else command
    # typer gives a top-level command shell-completion options; kg has none (add_completion=False)
    command.params = [p for p in command.params if p.name not in ("install_completion", "show_completion")]
    return command


class LazyGroup(TyperGroup):
    """The root group: its commands are imported when asked for, not when ``kg`` starts."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    name="kg",
    cls=LazyGroup,
    help="Knowledge graphs from Chinese news: extract entities and relations, explore, query, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kg {__version__}")  # plain echo: rich is not needed to print one line
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Knowledge graphs from Chinese news."""
