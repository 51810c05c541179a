"""Placeholder: commands registered by this module are added in their own issue."""

import typer


def register(app: typer.Typer) -> None:
    return None
