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
