"""Interactive HTML view of the graph: one self-contained, offline page.

pyvis builds the vis-network node and edge lists; our own template (``kg/web/graph.html.j2``) inlines
vis-network (shipped inside pyvis, so no CDN) plus ``graph.js``/``graph.css`` for the legend, search,
filters and the detail panel. Everything read from documents travels as JSON inside
``<script type="application/json">`` blocks with ``<``, ``>``, ``&`` and ``'`` escaped, and the page
renders it with ``textContent`` only. A Content-Security-Policy allowing just our two inline scripts
(by hash) is a second line of defence: an injected ``<script>`` or ``onerror=`` could not run anyway.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import opencc
from pyvis.edge import Edge
from pyvis.network import Network

from kg.io.normalize import key
from kg.io.outputs import write_text
from kg.io.textsafety import visible
from kg.schema import SYMMETRIC
from kg.sinks.webassets import csp, environment, scripts, style
from kg.sinks.webitems import (  # noqa: F401  (ENTITY_STYLE, RELATION_STYLE ...: the page's styles, also read from here)
    ENTITY_STYLE,
    FONT_STACK,
    LARGE_EDGES,
    LARGE_NODES,
    LOW_CONFIDENCE,
    MAX_EVIDENCE,
    MAX_NODES,
    RELATION_STYLE,
    edge_options,
    entity_style,
    evidence_record,
    is_large,
    legend,
    node_options,
    relation_style,
    vis_options,
)

SizeBy = Literal["degree", "mentions"]
_S2T = opencc.OpenCC("s2t")


@lru_cache(maxsize=65536)
def search_keys(name: str) -> tuple[str, ...]:
    """Keys a name can be found by: its matching key (simplified), the traditional spelling of that
    key, and the name as written (OpenCC's s2t may pick another variant, e.g. 峯 for 峰).

    The page folds a query the same way minus script conversion (NFKC, lower case, no spaces,
    hyphens, underscores, middle dots), so a query typed in either script hits one of these.
    """
    simplified = key(name)
    as_written = "".join(ch for ch in unicodedata.normalize("NFKC", name).lower()
                         if not ch.isspace() and ch not in "-_·・")
    return tuple(dict.fromkeys([simplified, _S2T.convert(simplified).lower(), as_written]))


def build_network(G: nx.MultiDiGraph, size_by: SizeBy = "degree") -> Network:
    """The pyvis network of ``G``: nodes grouped by type, edges coloured and labelled by relation."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    degree = dict(G.degree())
    for name, data in G.nodes(data=True):
        options = node_options(name, data, degree[name], size_by)
        net.add_node(name, label=name, **options)
    pairs: dict[frozenset[str], int] = Counter(frozenset((u, v)) for u, v in G.edges())
    seen: dict[frozenset[str], int] = defaultdict(int)
    # Fainter edges in big graphs so nodes and hub labels stay visible (graph.js uses the same rule).
    opacity = 0.5 if is_large(G.number_of_nodes(), G.number_of_edges()) else 0.85
    for i, (u, v, kind, data) in enumerate(_sorted_edges(G)):
        options = edge_options(f"e{i}", u, v, kind, data, opacity)
        pair = frozenset((u, v))
        if pairs[pair] > 1:
            # Several relations between the same two entities: fan them out so labels stay readable.
            nth = seen[pair]
            seen[pair] += 1
            options["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.15 + 0.2 * nth}
        # Edge() directly rather than net.add_edge: the latter scans the node list per edge (O(n*m)).
        net.edges.append(Edge(u, v, directed=True, **options).options)
    net.options = vis_options(G.number_of_nodes(), G.number_of_edges())
    return net


def _sorted_edges(G: nx.MultiDiGraph) -> list[tuple[str, str, str, dict[str, Any]]]:
    return sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))


def page_data(G: nx.MultiDiGraph, *, title: str, focus: str | None, size_by: SizeBy) -> dict[str, Any]:
    """Everything the page's script needs besides the vis node/edge lists (all plain JSON)."""
    degree = dict(G.degree())
    type_counts = Counter(str(d.get("type", "")) for _, d in G.nodes(data=True))
    rel_counts = Counter(k for _, _, k in G.edges(keys=True))
    nodes = []
    for name, data in G.nodes(data=True):
        names = [name, *data.get("aliases", []), data.get("english") or ""]
        # [key, the name it came from]: the page shows which alias a search hit matched.
        search = {k: n for n in reversed(names) if n for k in search_keys(n)}
        nodes.append({"id": name, "type": str(data.get("type", "")),
                      "aliases": list(data.get("aliases", [])), "english": data.get("english"),
                      "mentions": int(data.get("mentions", 0) or 0), "docs": list(data.get("docs", [])),
                      "degree": degree[name], "search": [[k, n] for k, n in search.items()]})
    edges = []
    for i, (u, v, kind, data) in enumerate(_sorted_edges(G)):
        evidence = data.get("evidence", [])
        edges.append({"id": f"e{i}", "from": u, "to": v, "relation": kind,
                      "symmetric": kind in SYMMETRIC, "confidence": data.get("confidence", 0.0),
                      "evidence": [evidence_record(e) for e in evidence[:MAX_EVIDENCE]],
                      "more_evidence": max(0, len(evidence) - MAX_EVIDENCE)})
    return {
        "title": title,
        "focus": focus if focus in G else None,
        "sizeBy": size_by,
        "large": is_large(G.number_of_nodes(), G.number_of_edges()),
        "showProgress": G.number_of_nodes() > 120,
        **legend(type_counts, rel_counts),
        "nodes": nodes,
        "edges": edges,
    }


def best_connected(G: nx.MultiDiGraph, max_nodes: int | None, keep: str | None = None) -> nx.MultiDiGraph:
    """``G`` itself, or the subgraph of its ``max_nodes`` best-connected entities (by relations,
    then mentions) when it is bigger: a page of 100,000 entities would be unusable. ``keep`` (the
    focus) always stays in."""
    if not max_nodes or G.number_of_nodes() <= max_nodes:
        return G
    degree = G.degree()
    ranked = sorted(G.nodes, key=lambda n: (-degree[n], -(G.nodes[n].get("mentions") or 0), n))
    chosen = ranked[:max_nodes]
    if keep in G and keep not in chosen:
        chosen[-1] = keep
    return G.subgraph(chosen)


def render_html(
    G: nx.MultiDiGraph,
    *,
    title: str | None = None,
    focus: str | None = None,
    size_by: SizeBy = "degree",
    max_nodes: int | None = MAX_NODES,
) -> str:
    """The complete page for ``G`` as a string (no external resources).

    Graphs over ``max_nodes`` entities show their best-connected ``max_nodes`` (the page says so).
    """
    return _page(G, best_connected(G, max_nodes, focus), title, focus, size_by)


def _page(G: nx.MultiDiGraph, shown: nx.MultiDiGraph, title: str | None, focus: str | None,
          size_by: SizeBy) -> str:
    """The page drawing ``shown``, the part of ``G`` on it."""
    net = build_network(shown, size_by)
    nodes, edges, _heading, _height, _width, _options = net.get_network_data()
    vis_js, vis_css, page_js = scripts()
    if title is None:
        title = f"kg · {focus} neighbourhood" if focus else "kg · knowledge graph"
    payload = page_data(shown, title=title, focus=focus, size_by=size_by)
    payload["total"] = {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()}
    template = environment().get_template("graph.html.j2")
    return template.render(
        title=visible(title), csp=csp(vis_js, page_js), font_stack=FONT_STACK,
        vis_js=vis_js, vis_css=vis_css, page_js=page_js, graph_css=style(),
        vis_nodes=shown_plainly(nodes), vis_edges=shown_plainly(edges), vis_options=net.options,
        payload=shown_plainly(payload),
    )


def shown_plainly(value: Any) -> Any:
    """Every string in ``value`` with its control, bidi and zero-width characters as visible
    escapes (names, ids and evidence alike, so links between them still match): a hidden right-
    to-left override cannot make ‮moc.live‬ read "evil.com" on the page.

    >>> print(shown_plainly({"text": "evil" + chr(0x202e) + "moc."})["text"])
    evil\u202emoc.
    """
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, list | tuple):
        return [shown_plainly(v) for v in value]
    if isinstance(value, dict):
        return {k: shown_plainly(v) for k, v in value.items()}
    return value


def write_html(
    G: nx.MultiDiGraph,
    path: Path,
    *,
    title: str | None = None,
    focus: str | None = None,
    size_by: SizeBy = "degree",
    max_nodes: int | None = MAX_NODES,
) -> tuple[int, int]:
    """Write the interactive page for ``G`` to ``path`` atomically; the numbers of entities and
    relations it draws.

    ``focus`` names a node to select and centre once the layout has settled; ``size_by`` picks the
    initial node size (the page has a toggle); graphs over ``max_nodes`` entities are cut to their
    best-connected ``max_nodes`` (``None`` or 0: no limit).
    """
    shown = best_connected(G, max_nodes, focus)
    write_text(Path(path), _page(G, shown, title, focus, size_by))
    return shown.number_of_nodes(), shown.number_of_edges()
