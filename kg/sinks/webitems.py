"""What the graph page draws, item by item, for the static page (:mod:`kg.sinks.html`) and the live one
of ``kg serve`` (:mod:`kg.server`) alike: the colours, shapes and glosses of entity and relation types,
vis-network's options, and each node's and edge's vis item, hover text and detail record.

Light on purpose (no networkx, no pyvis): ``kg serve`` builds items a page at a time from the index.
Every string here is data; the page renders it with ``textContent`` only.
"""

from __future__ import annotations

import math
from typing import Any

from kg.extraction.evidence import end_marks, segments, window
from kg.schema import SYMMETRIC, EntityType, RelationType

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


def node_options(name: str, data: dict[str, Any], degree: int, size_by: str = "degree") -> dict[str, Any]:
    """A node's vis-network options (besides its id and label): group, shape, hover text, size."""
    value = degree if size_by == "degree" else data.get("mentions", 0)
    kind = str(data.get("type", ""))
    # The shape must be given per node: pyvis writes shape="dot" on every node, overriding groups.
    return {"group": kind, "shape": entity_style(kind)[1], "title": _node_title(name, data, degree),
            "value": max(value, 1), "kgType": kind, "degree": degree,
            # Unconnected entities sit out the simulation; graph.js lines them up afterwards.
            "physics": degree > 0, "mentions": int(data.get("mentions", 0) or 0)}


def edge_options(edge_id: str, u: str, v: str, kind: str, data: dict[str, Any], opacity: float) -> dict[str, Any]:
    """An edge's vis-network options (besides its ends): colour, label, hover text, width, arrows, dashes."""
    colour = relation_style(kind)[0]
    evidence = data.get("evidence", [])
    options: dict[str, Any] = {
        "id": edge_id, "label": kind, "relation": kind,
        "title": _edge_title(u, v, kind, evidence),
        "color": {"color": colour, "highlight": colour, "hover": colour, "opacity": opacity},
        "width": 1 + min(3.0, math.log2(max(len(evidence), 1))),
    }
    if kind in SYMMETRIC:
        options["arrows"] = {"to": {"enabled": False}}
    if float(data.get("confidence", 1.0) or 0.0) < LOW_CONFIDENCE:
        options["dashes"] = [5, 4]
    return options


def evidence_record(item: dict[str, Any]) -> dict[str, Any]:
    """One evidence sentence for the detail panel, cut at the relation's two ends (``parts``)."""
    return {"doc_id": item.get("doc_id"), "text": item.get("text", ""), "confidence": item.get("confidence"),
            "parts": _marked_parts(item)}


def legend(type_counts: dict[str, int], relation_counts: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The page's legend: every entity and relation type (the schema's first, in its order), with its
    colour, shape, gloss and count."""
    known_types = [str(t) for t in ENTITY_STYLE]
    entity_types = [*known_types, *sorted(set(type_counts) - set(known_types))]
    known_rels = [str(r) for r in RELATION_STYLE]
    relation_types = [*known_rels, *sorted(set(relation_counts) - set(known_rels))]
    return {
        "entityTypes": [{"name": t, "color": entity_style(t)[0], "shape": entity_style(t)[1],
                         "dashed": t == EntityType.EVENT, "zh": entity_style(t)[2],
                         "count": type_counts.get(t, 0)} for t in entity_types],
        "relationTypes": [{"name": r, "color": relation_style(r)[0], "zh": relation_style(r)[1],
                           "symmetric": r in SYMMETRIC, "count": relation_counts.get(r, 0)}
                          for r in relation_types],
    }
