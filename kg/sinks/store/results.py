"""Turning query results into plain JSON values and into readable table cells."""

from __future__ import annotations

from typing import Any

from neo4j.graph import Node, Path, Relationship

_COMMON_LABEL = "Entity"


def _label(node: Node) -> str:
    labels = sorted(set(node.labels) - {_COMMON_LABEL}) or sorted(node.labels)
    return ":".join(labels)


def _node_name(node: Node) -> str:
    props = dict(node)
    return str(props.get("name", node.element_id))


def to_plain(value: Any) -> Any:
    """A JSON-serialisable version of a value returned by the driver."""
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": to_plain(dict(value))}
    if isinstance(value, Relationship):
        return {"type": value.type,
                "start": _node_name(value.start_node) if value.start_node else None,
                "end": _node_name(value.end_node) if value.end_node else None,
                "properties": to_plain(dict(value))}
    if isinstance(value, Path):
        return {"nodes": [to_plain(n) for n in value.nodes],
                "relationships": [to_plain(r) for r in value.relationships]}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # temporal and spatial values


def _path_text(path: Path) -> str:
    parts = [_node_name(path.nodes[0])]
    for rel, node in zip(path.relationships, path.nodes[1:], strict=False):
        forward = rel.start_node is not None and rel.start_node.element_id != node.element_id
        parts.append(f"-[:{rel.type}]->" if forward else f"<-[:{rel.type}]-")
        parts.append(_node_name(node))
    return " ".join(parts)


MAX_TEXT = 120  # characters of one string in a table cell
MAX_ITEMS = 3  # items of one list in a table cell


def to_cell(value: Any, short: bool = True) -> str:
    """Text for one table cell: list items one per line, nodes as ``name (Label)``.

    With ``short`` long strings and lists are cut (``--json`` shows them whole).
    """
    if value is None:
        return ""
    if isinstance(value, Node):
        return f"{_node_name(value)} ({_label(value)})"
    if isinstance(value, Relationship):
        return f":{value.type}"
    if isinstance(value, Path):
        return _path_text(value)
    if isinstance(value, float):
        return f"{value:.3g}"
    if isinstance(value, list | tuple):
        items = list(value)
        if short and len(items) > MAX_ITEMS:
            return "\n".join([*(to_cell(v, short) for v in items[:MAX_ITEMS]),
                              f"… (+{len(items) - MAX_ITEMS} more)"])
        return "\n".join(to_cell(v, short) for v in items)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {to_cell(v, short)}" for k, v in value.items())
    text = str(value)
    return text[:MAX_TEXT - 1] + "…" if short and len(text) > MAX_TEXT else text
