"""Interactive HTML view of the graph: one self-contained, offline page.

pyvis builds the vis-network node and edge lists; our own template (``kg/web/graph.html.j2``) inlines
vis-network (shipped inside pyvis, so no CDN) plus ``graph.js``/``graph.css`` for the legend, search,
filters and the detail panel. Everything read from documents travels as JSON inside
``<script type="application/json">`` blocks with ``<``, ``>``, ``&`` and ``'`` escaped, and the page
renders it with ``textContent`` only. A Content-Security-Policy allowing just our two inline scripts
(by hash) is a second line of defence: an injected ``<script>`` or ``onerror=`` could not run anyway.
"""

from __future__ import annotations

import base64
import hashlib
import math
import unicodedata
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import opencc
import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyvis.edge import Edge
from pyvis.network import Network

from kg.evidence import end_marks, segments, window
from kg.normalize import key
from kg.outputs import write_text
from kg.schema import SYMMETRIC, EntityType, RelationType
from kg.textsafety import visible

WEB = Path(__file__).resolve().parent / "web"
PYVIS_TEMPLATES = Path(pyvis.__file__).resolve().parent / "templates"
VIS_DIR = "lib/vis-9.1.2"

SizeBy = Literal["degree", "mentions"]

#: Canvas labels and page text: CJK fonts first (Linux, macOS, Windows), then generic fallbacks.
FONT_STACK = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
              '"Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans SC", system-ui, sans-serif')

#: type -> (colour, vis shape, Chinese gloss). Tableau-10 colours: distinct, colour-blind tolerant.
ENTITY_STYLE: dict[EntityType, tuple[str, str, str]] = {
    EntityType.COMPANY: ("#4e79a7", "square", "公司"),
    EntityType.PERSON: ("#f28e2b", "dot", "人物"),
    EntityType.PLACE: ("#59a14f", "triangle", "地点"),
    EntityType.ORGANIZATION: ("#76b7b2", "hexagon", "机构"),
    EntityType.CHIP: ("#e15759", "diamond", "芯片"),
    EntityType.AIMODEL: ("#b07aa1", "star", "AI 模型"),
    EntityType.PRODUCT: ("#edc948", "triangleDown", "产品"),
    # vis has only seven label-outside shapes; events are the eighth, a dashed ring.
    EntityType.EVENT: ("#ff9da7", "dot", "事件"),
}
UNKNOWN_STYLE = ("#9aa5b1", "dot", "其他")

#: relation -> (colour, Chinese gloss). Warm = people, blue = corporate, purple/green = technology.
RELATION_STYLE: dict[RelationType, tuple[str, str]] = {
    RelationType.CHAIRMAN_OF: ("#d9480f", "董事长"),
    RelationType.FOUNDER_OF: ("#e8590c", "创始人"),
    RelationType.CEO_OF: ("#f08c00", "首席执行官"),
    RelationType.SUPPORTS: ("#c2255c", "支持"),
    RelationType.SUBSIDIARY_OF: ("#1864ab", "子公司"),
    RelationType.PARTNERS_WITH: ("#1c7ed6", "合作"),
    RelationType.LISTED_ON: ("#0b7285", "上市"),
    RelationType.DEVELOPS: ("#7048e8", "研发"),
    RelationType.USES: ("#2b8a3e", "使用"),
    RelationType.BENCHMARKED_AGAINST: ("#ae3ec9", "对标"),
    RelationType.LOCATED_IN: ("#868e96", "位于"),
}
UNKNOWN_RELATION = ("#adb5bd", "")

#: Above these sizes the page switches to the "large graph" layout (see ``vis_options``).
LARGE_NODES = 300
LARGE_EDGES = 800
#: Bigger graphs are cut to their best-connected entities (``best_connected``); use ``kg html --focus``.
MAX_NODES = 5000
#: Evidence sentences kept per edge in the page (the rest are counted, not shipped).
MAX_EVIDENCE = 5
LOW_CONFIDENCE = 0.5

_S2T = opencc.OpenCC("s2t")


def is_large(n_nodes: int, n_edges: int) -> bool:
    return n_nodes > LARGE_NODES or n_edges > LARGE_EDGES


def vis_options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    """vis-network options tuned to the graph's size.

    Physics (ForceAtlas2: clear clusters around hubs) always runs a bounded stabilisation and is
    then switched off by ``graph.js``, so the picture never keeps jiggling. Large graphs skip vis's
    "improved" initial layout (its clustering gives up at 2,000 nodes after ~15 s), use a coarser
    Barnes-Hut approximation (theta 0.8) and fewer iterations, straight edges, no edges while
    dragging, and label only the hubs until you zoom in.
    """
    large = is_large(n_nodes, n_edges)
    groups = {
        str(t): {"shape": shape, "color": _node_colour(colour),
                 **({"shapeProperties": {"borderDashes": [3, 2]}, "borderWidth": 2.5}
                    if t is EntityType.EVENT else {})}
        for t, (colour, shape, _) in ENTITY_STYLE.items()
    }
    physics: dict[str, Any] = {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": (
            # Measured at 2,000 nodes / 5,000 edges: ~3 s to settle in headless Chromium on 2 cores.
            {"theta": 0.8, "gravitationalConstant": -80, "centralGravity": 0.01, "springLength": 60,
             "springConstant": 0.08, "damping": 0.4, "avoidOverlap": 0}
            if large else
            {"gravitationalConstant": -80, "centralGravity": 0.02, "springLength": 100,
             "springConstant": 0.05, "damping": 0.5, "avoidOverlap": 1}),
        # Small graphs settle well before the cap; mid-sized ones would use all of it (seconds).
        "stabilization": {"enabled": True, "iterations": 150 if large else 800 if n_nodes <= 120 else 300,
                          "updateInterval": 10 if large else 25, "fit": True},
        "minVelocity": 1.5 if large else 0.75,
    }
    return {
        "autoResize": True,
        "layout": {"improvedLayout": not large and n_nodes <= 150, "randomSeed": 7},
        "physics": physics,
        "groups": groups,
        "nodes": {
            "shape": "dot",
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "font": {"face": FONT_STACK, "size": 14, "color": "#1f2933", "strokeWidth": 3,
                     "strokeColor": "#ffffff"},
            "scaling": {"min": 5 if large else 10, "max": 45 if large else 34,
                        # Label size grows with the node and labels under drawThreshold screen pixels
                        # are skipped: zooming into a big graph names the hubs first, then the rest.
                        "label": {"enabled": True, "min": 8 if large else 12, "max": 36 if large else 20,
                                  "drawThreshold": 6}},
        },
        "edges": {
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "font": {"face": FONT_STACK, "size": 10, "color": "#52606d", "strokeWidth": 3,
                     "strokeColor": "#ffffff", "align": "middle"},
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
            "color": {"inherit": False},
            "selectionWidth": 2,
            "hoverWidth": 1,
            "scaling": {"label": {"enabled": False, "drawThreshold": 6}},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": large,
                        "hideEdgesOnZoom": large, "multiselect": False, "navigationButtons": False,
                        "keyboard": False},
    }


def _node_colour(colour: str) -> dict[str, Any]:
    light = _mix(colour, "#ffffff", 0.35)
    dark = _mix(colour, "#000000", 0.3)
    return {"background": colour, "border": dark,
            "highlight": {"background": light, "border": "#111827"},
            "hover": {"background": light, "border": dark}}


def _mix(a: str, b: str, t: float) -> str:
    """Blend two ``#rrggbb`` colours: ``t=0`` gives ``a``, ``t=1`` gives ``b``."""
    ca = [int(a[i:i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(ca, cb, strict=True))


def entity_style(kind: str) -> tuple[str, str, str]:
    try:
        return ENTITY_STYLE[EntityType(kind)]
    except ValueError:
        return UNKNOWN_STYLE


def relation_style(kind: str) -> tuple[str, str]:
    try:
        return RELATION_STYLE[RelationType(kind)]
    except ValueError:
        return UNKNOWN_RELATION


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


def _node_title(name: str, data: dict[str, Any], degree: int) -> str:
    """Hover text (vis shows strings with innerText, so this is plain text, never HTML)."""
    lines = [f"{name} · {data.get('type', '?')}"]
    others = [a for a in [*data.get("aliases", []), data.get("english") or ""] if a and a != name]
    if others:
        lines.append("aka " + ", ".join(dict.fromkeys(others)))
    docs = len(data.get("docs", []))
    lines.append(f"{degree} relations · {data.get('mentions', 0)} mentions in {docs} documents")
    lines.append("click for details and evidence")
    return "\n".join(lines)


def _marked_parts(item: dict[str, Any]) -> list[list[str | None]]:
    """The evidence text cut at the relation's two ends, ``[piece, "head"|"tail"|"both"|None]``:
    the page puts each end in a ``<mark>`` element whose text is a text node (never HTML)."""
    return [[piece, role] for piece, role in segments(str(item.get("text", "")), end_marks(item))]


def _edge_title(u: str, v: str, kind: str, evidence: list[dict[str, Any]]) -> str:
    arrow = "↔" if kind in SYMMETRIC else "→"
    lines = [f"{u} {arrow} {kind} {arrow} {v}"]
    for ev in evidence[:2]:
        # hover text is plain text: the two ends in 【】
        text, marks = window(str(ev.get("text", "")), end_marks(ev), 160)
        marked = "".join(f"【{piece}】" if role else piece for piece, role in segments(text, marks))
        lines.append(f"“{marked}” ({ev.get('doc_id', '?')})")
    if len(evidence) > 2:
        lines.append(f"+{len(evidence) - 2} more: click the edge")
    return "\n".join(lines)


def build_network(G: nx.MultiDiGraph, size_by: SizeBy = "degree") -> Network:
    """The pyvis network of ``G``: nodes grouped by type, edges coloured and labelled by relation."""
    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    degree = dict(G.degree())
    for name, data in G.nodes(data=True):
        value = degree[name] if size_by == "degree" else data.get("mentions", 0)
        kind = str(data.get("type", ""))
        # The shape must be given per node: pyvis writes shape="dot" on every node, overriding groups.
        net.add_node(name, label=name, group=kind, shape=entity_style(kind)[1],
                     title=_node_title(name, data, degree[name]), value=max(value, 1),
                     kgType=kind, degree=degree[name],
                     # Unconnected entities sit out the simulation; graph.js lines them up afterwards.
                     physics=degree[name] > 0,
                     mentions=int(data.get("mentions", 0) or 0))
    pairs: dict[frozenset[str], int] = Counter(frozenset((u, v)) for u, v in G.edges())
    seen: dict[frozenset[str], int] = defaultdict(int)
    # Fainter edges in big graphs so nodes and hub labels stay visible (graph.js uses the same rule).
    opacity = 0.5 if is_large(G.number_of_nodes(), G.number_of_edges()) else 0.85
    for i, (u, v, kind, data) in enumerate(_sorted_edges(G)):
        colour = relation_style(kind)[0]
        evidence = data.get("evidence", [])
        options: dict[str, Any] = {
            "id": f"e{i}", "label": kind, "relation": kind,
            "title": _edge_title(u, v, kind, evidence),
            "color": {"color": colour, "highlight": colour, "hover": colour, "opacity": opacity},
            "width": 1 + min(3.0, math.log2(max(len(evidence), 1))),
        }
        if kind in SYMMETRIC:
            options["arrows"] = {"to": {"enabled": False}}
        if float(data.get("confidence", 1.0) or 0.0) < LOW_CONFIDENCE:
            options["dashes"] = [5, 4]
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
                      "evidence": [{"doc_id": e.get("doc_id"), "text": e.get("text", ""),
                                    "confidence": e.get("confidence"), "parts": _marked_parts(e)}
                                   for e in evidence[:MAX_EVIDENCE]],
                      "more_evidence": max(0, len(evidence) - MAX_EVIDENCE)})
    known_types = [str(t) for t in ENTITY_STYLE]
    entity_types = [*known_types, *sorted(set(type_counts) - set(known_types))]
    known_rels = [str(r) for r in RELATION_STYLE]
    relation_types = [*known_rels, *sorted(set(rel_counts) - set(known_rels))]
    return {
        "title": title,
        "focus": focus if focus in G else None,
        "sizeBy": size_by,
        "large": is_large(G.number_of_nodes(), G.number_of_edges()),
        "showProgress": G.number_of_nodes() > 120,
        "entityTypes": [{"name": t, "color": entity_style(t)[0], "shape": entity_style(t)[1],
                         "dashed": t == EntityType.EVENT, "zh": entity_style(t)[2],
                         "count": type_counts.get(t, 0)} for t in entity_types],
        "relationTypes": [{"name": r, "color": relation_style(r)[0], "zh": relation_style(r)[1],
                           "symmetric": r in SYMMETRIC, "count": rel_counts.get(r, 0)}
                          for r in relation_types],
        "nodes": nodes,
        "edges": edges,
    }


@lru_cache(maxsize=1)
def _environment() -> Environment:
    # Our template first, pyvis's bundled vis-network files second (for the inline includes).
    env = Environment(loader=FileSystemLoader([str(WEB), str(PYVIS_TEMPLATES)]),
                      autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
    # tojson = htmlsafe_json_dumps: escapes < > & ' as \u003c etc. UTF-8 instead of \uXXXX halves
    # the size of Chinese text.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False,
                                         "separators": (",", ":")}
    return env


@lru_cache(maxsize=1)
def _scripts() -> tuple[str, str, str]:
    """(vis-network JS, vis-network CSS, our JS): read once per process."""
    vis_js = (PYVIS_TEMPLATES / VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    vis_css = (PYVIS_TEMPLATES / VIS_DIR / "vis-network.css").read_text(encoding="utf-8")
    page_js = (WEB / "graph.js").read_text(encoding="utf-8")
    return vis_js, vis_css, page_js


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


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
    vis_js, vis_css, page_js = _scripts()
    if title is None:
        title = f"kg · {focus} neighbourhood" if focus else "kg · knowledge graph"
    csp = ("default-src 'none'; "
           f"script-src {_csp_hash(vis_js)} {_csp_hash(page_js)}; "
           "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; base-uri 'none'; "
           "form-action 'none'")
    payload = page_data(shown, title=title, focus=focus, size_by=size_by)
    payload["total"] = {"nodes": G.number_of_nodes(), "edges": G.number_of_edges()}
    template = _environment().get_template("graph.html.j2")
    return template.render(
        title=visible(title), csp=csp, font_stack=FONT_STACK,
        vis_js=vis_js, vis_css=vis_css, page_js=page_js, graph_css=(WEB / "graph.css").read_text("utf-8"),
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
