"""``kg html``: write the interactive page for the whole graph or one entity's neighbourhood."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kg.cli.common import (
    DEFAULT_OUT,
    MinConfidenceOption,
    check_confidence,
    fail,
    graph_path,
    load_graph_or_fail,
    say,
    warn,
)
from kg.schema import EntityType, RelationType

if TYPE_CHECKING:
    import networkx as nx

#: Past this many entities (with --max-nodes raised) the page gets slow to lay out.
SLOW_PAGE = 5000
#: Default --max-nodes; the same as kg.sinks.html.MAX_NODES, which is imported only when the
#: command runs (pyvis, jinja2 and OpenCC cost ~0.3 s at every `kg` start-up otherwise).
MAX_NODES = 5000

app = typer.Typer()


class SizeBy(StrEnum):
    DEGREE = "degree"
    MENTIONS = "mentions"


def parse_choices(values: Iterable[str] | None, kind: type[StrEnum], option: str) -> set[str] | None:
    """Repeated and/or comma-separated values (``-t Company,Person -t Chip``), case-insensitive."""
    if not values:
        return None
    by_lower = {str(v).lower(): str(v) for v in kind}
    chosen = set()
    for raw in values:
        for part in raw.split(","):
            name = part.strip()
            if not name:
                continue
            if name.lower() not in by_lower:
                fail(f"{option}: unknown value {name!r}; choose from {', '.join(by_lower.values())}")
            chosen.add(by_lower[name.lower()])
    return chosen or None


def select_subgraph(
    G: nx.MultiDiGraph,
    focus: str | None = None,
    depth: int = 1,
    types: set[str] | None = None,
    relations: set[str] | None = None,
    min_confidence: float = 0.0,
) -> nx.MultiDiGraph:
    """The part of ``G`` to draw: entities of ``types`` joined by ``relations`` at least
    ``min_confidence`` confident, optionally only those within ``depth`` hops of ``focus`` (walking
    edges either way; the focus itself is always kept). Filters apply while walking, so the
    neighbourhood stays connected.
    Raises ``UnknownEntityError`` for an unknown focus.
    """
    import networkx as nx

    from kg.graph.network import new_graph, resolve

    centre = resolve(G, focus) if focus else None

    def node_ok(n: str) -> bool:
        return n == centre or types is None or G.nodes[n].get("type") in types

    def edge_ok(u: str, v: str, k: str) -> bool:
        return ((relations is None or k in relations) and node_ok(u) and node_ok(v)
                and float(G.edges[u, v, k].get("confidence", 0.0) or 0.0) >= min_confidence)

    view = nx.subgraph_view(G, filter_node=node_ok, filter_edge=edge_ok)
    if centre is None:
        keep = set(view.nodes)
    else:
        walk = view.to_undirected(as_view=True)
        keep = set(nx.single_source_shortest_path_length(walk, centre, cutoff=depth))
    H = new_graph()
    for n in G.nodes:
        if n in keep:
            H.add_node(n, **G.nodes[n])
    for u, v, k, data in G.edges(keys=True, data=True):
        if u in keep and v in keep and edge_ok(u, v, k):
            H.add_edge(u, v, key=k, **data)
    return H


@app.command("html")
def html_cmd(
    output: Path = typer.Option(None, "--output", "-o",
                                help="HTML file to write (default: graph.html in the --out folder)."),
    focus: str = typer.Option(None, "--focus", "-f",
                              help="Only this entity's neighbourhood (any alias, either script, English)."),
    depth: int = typer.Option(None, "--depth", "-d", min=1, max=6,
                              help="Hops from --focus to include (default 1)."),
    types: list[str] = typer.Option(None, "--types", "--type", "-t",
                                    help="Only these entity types (repeat or comma-separate)."),
    relations: list[str] = typer.Option(None, "--relations", "--relation", "-r",
                                        help="Only these relation types (repeat or comma-separate)."),
    size_by: SizeBy = typer.Option(SizeBy.DEGREE, "--size-by", case_sensitive=False,
                                   help="Initial node size (the page has a toggle)."),
    title: str = typer.Option(None, "--title", help="Page title."),
    max_nodes: int = typer.Option(MAX_NODES, "--max-nodes", min=0,
                                  help="Draw at most this many entities, the best-connected (0: all)."),
    min_confidence: float = MinConfidenceOption,
    out: Path = typer.Option(DEFAULT_OUT, "--out", help="Folder of `kg build` holding graph.json.",
                             envvar="KG_OUT"),
) -> None:
    """Write an interactive, offline HTML page of the graph (or of one entity's neighbourhood)."""
    from kg.graph.network import UnknownEntityError, resolve
    from kg.io.outputs import OutputError, check_folder_exists, check_not_input, real_target
    from kg.registry import SINKS
    from kg.sinks.outfolder import OutputFolder, check_not_state
    from kg.sinks.page import PageSettings

    if depth is not None and not focus:
        fail("--depth needs --focus NAME")
    type_set = parse_choices(types, EntityType, "--types")
    rel_set = parse_choices(relations, RelationType, "--relations")
    check_confidence(min_confidence)
    G = load_graph_or_fail(out)
    try:
        H = select_subgraph(G, focus, depth or 1, type_set, rel_set, min_confidence)
    except UnknownEntityError as exc:
        fail(str(exc))
    centre = resolve(G, focus) if focus else None
    path = output if output is not None else out / "graph.html"
    if path.is_dir():
        path = path / "graph.html"
    if H.number_of_nodes() == 0:
        warn("nothing to draw: the graph (after filters) has no entities; writing an empty page")
    elif max_nodes and H.number_of_nodes() > max_nodes:
        warn(f"{H.number_of_nodes():,} entities: drawing the {max_nodes:,} best-connected; "
             "use --focus NAME, --types or --max-nodes for the rest")
    elif H.number_of_nodes() > SLOW_PAGE:
        warn(f"{H.number_of_nodes():,} entities: the page will take a while to lay out")
    try:
        check_not_input(path, [graph_path(out)])
        check_not_state(path, out, "page")
        if output is not None:  # the default, in --out, is made with the folder's lock
            check_folder_exists(path)
        # a page inside the output folder is one of a build's files: written under its lock
        inside = real_target(path).parent == real_target(out)
        with OutputFolder(out).lock(on_wait=warn) if inside else contextlib.nullcontext():
            page = SINKS.get("html").write(H, path, PageSettings(title=title, max_nodes=max_nodes,
                                                                 size_by=size_by.value, focus=centre))
    except OSError as exc:
        fail(str(exc) if isinstance(exc, OutputError) else f"cannot write {path}: {exc.strerror or exc}")
    what = f"{centre}, depth {depth or 1}" if centre else "whole graph"
    if page.nodes < H.number_of_nodes():
        drew = (f"drew {page.nodes:,} of {H.number_of_nodes():,} entities, {page.relations:,} of "
                f"{H.number_of_edges():,} relations")
    else:
        drew = f"{page.nodes:,} entities, {page.relations:,} relations"
    say(("wrote", "bold green"), f" {path} ({what}: {drew})")
