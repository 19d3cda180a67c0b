"""Dashboards: a layout places nodes that are widgets of that dashboard, and every widget is
on a page. The layout is the ``pages`` of a ``dashboard`` connection; a widget is a node of the
``dashboard`` pack that names the connection in ``dashboard:`` (see docs/dashboard.md)."""

from __future__ import annotations

from typing import Any

from flowrt.check.context import CheckContext, located
from flowrt.diagnostics import Diagnostic, diagnostic, suggest
from flowrt.load.document import Document

PACK = "dashboard"
CONNECTION = "dashboard"


def check_dashboard(doc: Document, ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    widgets = {node.id: node for node in doc.nodes.values() if _is_widget(node.type, ctx)}
    placed: set[str] = set()
    for conn in doc.connections.values():
        if conn.type != CONNECTION:
            continue
        for path, node_id in _places(conn.config):
            where = located(doc, (*conn.path, *path))
            placed.add(node_id)
            node = widgets.get(node_id)
            if node is None:
                what = ("is not a dashboard widget" if node_id in doc.nodes
                        else "is not a node of this flow")
                hint = suggest(node_id, set(widgets)) or (
                    "place nodes of the dashboard pack (ui-text, ui-gauge, ui-chart, "
                    "ui-button, ui-dropdown, ...; `flowrt nodes` lists them)")
                found.append(diagnostic(
                    "E047", f"dashboard '{conn.id}' places '{node_id}', which {what}", hint,
                    **where))
            elif not _placed(node.type, ctx):
                found.append(diagnostic(
                    "E047", f"dashboard '{conn.id}' places '{node_id}', a {node.type}, which "
                    "shows over the page and has no place in a group",
                    f"remove '{node_id}' from the layout", node=node_id, **where))
            elif node.config.get("dashboard") != conn.id:
                found.append(diagnostic(
                    "E048",
                    f"dashboard '{conn.id}' places '{node_id}', a widget of dashboard "
                    f"'{node.config.get('dashboard')}'",
                    f"set `dashboard: {conn.id}` on the node, or place it in the layout of "
                    f"'{node.config.get('dashboard')}'", node=node_id, **where))
    for node in widgets.values():
        if node.id not in placed and not node.disabled and _placed(node.type, ctx):
            found.append(diagnostic(
                "W112", "this widget is on no page of its dashboard, so no browser shows it",
                f"add `{node.id}` to the `widgets` of a group in the `pages` of dashboard "
                f"'{node.config.get('dashboard')}'", node=node.id, node_type=node.type,
                path=node.path, file=node.span.file, line=node.span.line,
                column=node.span.column))
    return found


def _is_widget(node_type: str, ctx: CheckContext) -> bool:
    spec = ctx.registry.get(node_type)
    return spec is not None and spec.pack == PACK and not spec.is_connection


def _placed(node_type: str, ctx: CheckContext) -> bool:
    """Whether a widget is shown in a group (a notification or a control is not)."""
    spec = ctx.registry.get(node_type)
    return spec is None or bool(getattr(spec.cls, "placed", True))


def _places(config: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """(path in the connection, node id) of each widget its pages place."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    pages = config.get("pages")
    for p, page in enumerate(pages if isinstance(pages, list) else []):
        groups = page.get("groups") if isinstance(page, dict) else None
        for g, group in enumerate(groups if isinstance(groups, list) else []):
            widgets = group.get("widgets") if isinstance(group, dict) else None
            for w, item in enumerate(widgets if isinstance(widgets, list) else []):
                if isinstance(item, str):
                    found.append((("pages", p, "groups", g, "widgets", w), item))
                elif isinstance(item, dict) and isinstance(item.get("node"), str):
                    found.append((("pages", p, "groups", g, "widgets", w, "node"),
                                  item["node"]))
    return found
