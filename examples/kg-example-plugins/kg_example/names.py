"""A sink: the graph's entity names, one a line (``kg export -f names``, ``kg build --export names``).

One module and one entry point (``[project.entry-points."kg.sinks"]``); its settings
(``kg export -f names --set separator=,``) are its own pydantic model.
"""

from pathlib import Path
from typing import ClassVar

import networkx as nx
from pydantic import BaseModel, ConfigDict

from kg.io.outputs import write_text
from kg.sinks.base import Export, Note, PathOrFile


class NamesSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    #: what goes between two names
    separator: str = "\n"


class Names:
    title: ClassVar[str] = "entity names"
    help: ClassVar[str] = "the entity names, one a line"
    target: ClassVar[str] = "names.txt"
    suffixes: ClassVar[tuple[str, ...]] = (".names",)
    folder: ClassVar[bool] = False
    files: ClassVar[tuple[str, ...]] = ()
    unsafe: ClassVar[str] = ""
    Settings: ClassVar[type[BaseModel]] = NamesSettings

    def write(self, G: nx.MultiDiGraph, target: PathOrFile, settings: BaseModel) -> Export:
        assert isinstance(settings, NamesSettings)
        path = Path(target)  # a file name (this sink does not stream)
        write_text(path, settings.separator.join(sorted(G)) + "\n")
        return Export("names", [path], G.number_of_nodes(), 0)

    def notes(self, export: Export, settings: BaseModel) -> list[Note]:
        return []


SINK = Names()
