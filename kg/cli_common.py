"""Shared pieces of the command-line interface: options, one-line errors, console."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import networkx as nx
import typer
from rich.console import Console

from kg.graph import GraphFormatError, load_json

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


class UserError(Exception):
    """A problem with what the user gave us: reported as one line, exit code 2, no traceback."""


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    err_console.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)


def graph_path(out: Path) -> Path:
    return out / "graph.json"


def load_graph_or_fail(out: Path) -> nx.MultiDiGraph:
    try:
        return load_json(graph_path(out))
    except GraphFormatError as exc:
        fail(str(exc))
