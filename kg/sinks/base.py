"""What every sink is: a place a graph is written to, in one format, with its own settings.

``kg build`` writes the sinks it is asked for into the build folder (staged and published with
the rest); ``kg export`` writes one of them anywhere. Both find a sink by name in
:data:`kg.registry.SINKS`, so a new format is one module defining a :class:`Sink` and one
registration (a line in :mod:`kg.sinks.formats`, or a ``kg.sinks`` entry point of a plugin package;
see docs/plugins.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, ClassVar, Literal, Protocol, runtime_checkable

from pydantic import BaseModel

from kg.settings import NoSettings

__all__ = ["Escaped", "Export", "ExportError", "NoSettings", "Note", "PathOrFile", "Sink"]

if TYPE_CHECKING:
    import networkx as nx

#: A file name, or an open binary file (``-o /dev/stdout`` streams; tests write to buffers).
PathOrFile = str | Path | IO[bytes]


class ExportError(ValueError):
    """A graph that cannot be written as asked; the message is one line for the user."""


@dataclass(frozen=True)
class Escaped:
    """A plain-text value written with escapes, because the format cannot hold some of its characters."""

    where: str  #: which value: ``entity name``, ``english of 科大讯飞``, ``alias of X`` ...
    value: str  #: the value as it is in the graph
    chars: tuple[str, ...]  #: the characters that were escaped, each once


@dataclass
class Export:
    """What a sink wrote: the files (none for an open file), counts, and what had to be escaped."""

    format: str
    files: list[Path]
    nodes: int
    relations: int
    escaped: list[Escaped] = field(default_factory=list, repr=False)
    #: CSV values written with a leading ``'`` (they began as a spreadsheet formula does)
    neutralised: list[Escaped] = field(default_factory=list, repr=False)


#: A line for the user after a sink wrote: ``("warning", text)`` or ``("info", text)``.
Note = tuple[Literal["warning", "info"], str]


@runtime_checkable
class Sink(Protocol):
    """A format a graph can be written in.

    ``write`` gets the graph, the target (a file, or for a ``folder`` sink a folder) and an instance
    of the sink's own ``Settings`` model (its options: ``kg export --set NAME=VALUE``), and returns
    what it wrote. The rest describes the sink to the commands: the name shown to users
    (``title``), its default file in a build folder (``target``), which file suffixes select it
    (``suffixes``) and a word on what it is for (``help``, shown in ``kg export --help``).
    """

    title: ClassVar[str]
    help: ClassVar[str]
    target: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    #: a folder sink writes ``files`` into the folder it is given
    folder: ClassVar[bool]
    files: ClassVar[tuple[str, ...]]
    #: what its escapes are for, in the warning that lists them ("XML 1.0 cannot carry")
    unsafe: ClassVar[str]
    Settings: ClassVar[type[BaseModel]]

    def write(self, G: nx.MultiDiGraph, target: PathOrFile, settings: BaseModel) -> Export:
        """Write ``G`` to ``target`` (a file or open file; a folder for a folder sink), all or nothing."""
        ...

    def notes(self, export: Export, settings: BaseModel) -> list[Note]:
        """What the user should read after the sink wrote (the command that imports it ...)."""
        ...
