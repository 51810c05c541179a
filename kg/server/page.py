"""The live page of ``kg serve``: ``graph.html``'s template, script and style, started empty (or on one
entity) and filled from the server's API as the user searches and expands."""

from __future__ import annotations

from typing import Any

from kg.io.textsafety import visible
from kg.server.records import plainly
from kg.sinks.webassets import csp, environment, scripts, style
from kg.sinks.webitems import FONT_STACK, LARGE_EDGES, LARGE_NODES, vis_options

#: Relations fetched per expansion of an entity.
PAGE = 50


def page_security_policy() -> str:
    vis_js, _css, page_js = scripts()
    return csp(vis_js, page_js, connect=True)


def render(stats: dict[str, Any], focus: int | None, title: str) -> str:
    """The page: the legend and totals of ``stats`` (:func:`kg.server.records.stats`), no entity yet;
    ``focus`` (an entity's id) is put on it and expanded as soon as it loads."""
    vis_js, vis_css, page_js = scripts()
    payload = {
        "title": title, "api": "api/", "page": PAGE, "focus": focus, "sizeBy": "degree", "large": False,
        "showProgress": False, "entityTypes": stats["entityTypes"], "relationTypes": stats["relationTypes"],
        "nodes": [], "edges": [], "total": {"nodes": stats["nodes"], "edges": stats["edges"]},
    }
    return environment().get_template("graph.html.j2").render(
        title=visible(title), csp=page_security_policy(), font_stack=FONT_STACK, live=True,
        total_nodes=stats["nodes"], vis_js=vis_js, vis_css=vis_css, page_js=page_js, graph_css=style(),
        vis_nodes=[], vis_edges=[], vis_options=vis_options(LARGE_NODES, LARGE_EDGES), payload=plainly(payload))
