"""A Node-RED dashboard's layout as flowrt's: pages of groups of placed widgets, both ways.

Node-RED spreads a dashboard over config nodes (node-red-dashboard 3.x: ``ui_base``, ``ui_tab``,
``ui_group``; FlowFuse Dashboard 2: ``ui-base``, ``ui-page``, ``ui-group``) and a ``group``,
``order``, ``width`` and ``height`` on every widget. flowrt keeps the layout in one ``dashboard``
connection (nodes/dashboard/dashboard_layout.py). The import reads the whole export to build it
(:func:`import_pages`); the export writes the tabs and groups back and sets each widget's place
(:func:`export_layout`).

flowrt places the widgets of one flow file: the dashboard goes in the tab holding most of the
widgets (:func:`home_tab`), and a widget on another tab, in a subflow or in no group is not
imported (:func:`misplaced`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowrt.nodered.mapping import MapContext
from flowrt.nodered.nrnode import NrNode, as_bool, as_number

COLUMNS = 12
ROW_HEIGHT = 1
_NOT_ID = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Scheme:
    """The config node types and property names of one dashboard package."""

    package: str
    base: str
    page: str
    group: str
    page_key: str
    """The group's property naming its page."""
    show_title: str
    """The group's property saying whether its title bar is shown."""
    tall: frozenset[str]
    """Widget types whose automatic height is half their width plus one (gauges, charts)."""
    placed: frozenset[str]
    """The widget types the import maps that are placed in a group."""
    unplaced: frozenset[str] = frozenset()
    """The widget types the import maps that are in no group (notifications, controls)."""

    @property
    def widgets(self) -> frozenset[str]:
        return self.placed | self.unplaced


V1 = Scheme("node-red-dashboard", "ui_base", "ui_tab", "ui_group", "tab", "disp",
            frozenset({"ui_gauge", "ui_chart"}),
            frozenset({"ui_text", "ui_gauge", "ui_chart", "ui_button", "ui_switch", "ui_slider",
                       "ui_numeric", "ui_dropdown", "ui_text_input", "ui_colour_picker",
                       "ui_date_picker", "ui_form", "ui_template"}),
            frozenset({"ui_toast", "ui_ui_control"}))
V2 = Scheme("@flowfuse/node-red-dashboard", "ui-base", "ui-page", "ui-group", "page",
            "showTitle", frozenset({"ui-gauge", "ui-chart"}),
            frozenset({"ui-text", "ui-gauge", "ui-chart", "ui-button", "ui-switch",
                       "ui-slider", "ui-markdown", "ui-number-input", "ui-dropdown",
                       "ui-text-input", "ui-template"}),
            frozenset({"ui-notification", "ui-control"}))


def _number(value: Any, default: float) -> float:
    number = as_number(value)
    return float(number) if number is not None else default


def _order(node: NrNode) -> float:
    return _number(node.get("order"), 0)


def _of_type(cx: MapContext, kind: str) -> list[NrNode]:
    return [n for n in cx.export_nodes() if n.type == kind]


def home_tab(cx: MapContext, scheme: Scheme) -> str:
    """The tab the dashboard goes in: the ``z`` of the base when it is on a tab, else the tab
    with most widgets (the first of them on a tie)."""
    counts: dict[str, int] = {}
    tabs = {n.id for n in cx.export_nodes() if n.type == "tab"}
    for node in cx.export_nodes():
        if node.z in tabs and (node.type in scheme.unplaced or (
                node.type in scheme.placed and _group_of(cx, scheme, node) is not None)):
            counts[node.z] = counts.get(node.z, 0) + 1
    bases = _of_type(cx, scheme.base)
    if bases and bases[0].z in counts:
        return bases[0].z
    return max(counts, key=lambda z: (counts[z], -list(counts).index(z)), default="")


def base_id(cx: MapContext, scheme: Scheme) -> str | None:
    """The Node-RED id of the dashboard's base config node (the first, as Node-RED uses one)."""
    bases = _of_type(cx, scheme.base)
    return bases[0].id if bases else None


def _group_of(cx: MapContext, scheme: Scheme, node: NrNode) -> NrNode | None:
    group = cx.config_node(node.get("group"))
    if group is None or group.type != scheme.group:
        return None
    page = cx.config_node(group.get(scheme.page_key))
    return group if page is not None and page.type == scheme.page else None


def misplaced(cx: MapContext, scheme: Scheme, node: NrNode) -> str | None:
    """Why a widget cannot be on flowrt's dashboard, or None."""
    if node.type not in scheme.unplaced and _group_of(cx, scheme, node) is None:
        return (f"its group `{node.get('group')}` (or that group's page) is not in the export: "
                f"{scheme.package} does not show it either")
    home = home_tab(cx, scheme)
    if node.z != home:
        tabs = {n.id: n for n in cx.export_nodes() if n.type == "tab"}
        if node.z not in tabs:
            return "a dashboard widget inside a subflow: flowrt's dashboard places nodes of a flow"
        where = tabs[home].get("label") or home if home in tabs else home
        return (f"flowrt's dashboard places the widgets of one flow file, and this dashboard's "
                f"is tab `{where}`: move this widget there (link nodes can carry its messages)")
    return None


def _auto_height(kind: str, width: int, group_width: int, scheme: Scheme) -> int:
    if kind not in scheme.tall:
        return ROW_HEIGHT
    return max(1, min(12, (width or group_width) // 2 + 1))


def import_pages(cx: MapContext, scheme: Scheme,
                 imports: Callable[[NrNode], bool]) -> list[dict[str, Any]]:
    """The ``pages`` of the dashboard: the pages and groups in their ``order``, each group's
    widgets in theirs (those of the home tab that ``imports``), with their sizes on flowrt's
    12-column grid."""
    home = home_tab(cx, scheme)
    members: dict[str, list[NrNode]] = {}
    for node in cx.export_nodes():
        if (node.type in scheme.placed and node.z == home and _group_of(cx, scheme, node)
                and imports(node)):
            members.setdefault(str(node.get("group")), []).append(node)
    taken: set[str] = set()
    group_ids: set[str] = set()
    pages = []
    for page in sorted(_of_type(cx, scheme.page), key=_order):
        groups = [g for g in _of_type(cx, scheme.group) if g.get(scheme.page_key) == page.id]
        title = page.name
        out: dict[str, Any] = {"id": _unique(_slug(title) or "page", taken)}
        if title and title != out["id"]:
            out["title"] = title
        if as_bool(page.get("disabled")) or as_bool(page.get("hidden")) or page.get(
                "visible") in (False, "false"):
            cx.note(f"page `{title}` is hidden or disabled in Node-RED; flowrt shows it")
        out["groups"] = [_group(cx, scheme, g, members.get(g.id, []), group_ids)
                         for g in sorted(groups, key=_order)]
        pages.append(out)
    return pages


def _group(cx: MapContext, scheme: Scheme, group: NrNode, widgets: list[NrNode],
           taken: set[str]) -> dict[str, Any]:
    name = group.name
    width = int(_number(group.get("width"), 6)) or 6
    if width > COLUMNS:
        cx.note(f"group `{name}` is {width} units wide; flowrt's grid has {COLUMNS} columns")
        width = COLUMNS
    out: dict[str, Any] = {"id": _unique(_slug(name) or "group", taken)}
    if name and as_bool(group.get(scheme.show_title), True):
        out["title"] = name
    out["width"] = width
    places: list[Any] = []
    for node in sorted(widgets, key=_order):
        w = min(max(int(_number(node.get("width"), 0)), 0), width)
        h = int(_number(node.get("height"), 0)) or _auto_height(node.type, w, width, scheme)
        place: dict[str, Any] = {"node": cx.node_ref(node.id)}
        if w:
            place["width"] = w
        if min(h, 12) != ROW_HEIGHT:
            place["height"] = min(h, 12)
        places.append(place["node"] if len(place) == 1 else place)
    out["widgets"] = places
    return out


def _slug(text: str) -> str:
    """A page or group id (``^[A-Za-z0-9_-]+$``, the dashboard's) of a Node-RED name:
    ``Living room`` -> ``living-room``."""
    return _NOT_ID.sub("-", text.lower()).strip("-")[:32].strip("-")


def _unique(text: str, taken: set[str]) -> str:
    candidate, n = text, 1
    while candidate in taken:
        n += 1
        candidate = f"{text}-{n}"
    taken.add(candidate)
    return candidate


# -- export: flowrt -> node-red-dashboard 3.x --------------------------------------------------


def export_layout(conn_id: str, pages: list[dict[str, Any]], made: dict[str, dict[str, Any]],
                  widgets: frozenset[str]) -> list[dict[str, Any]]:
    """The ``ui_tab`` and ``ui_group`` config nodes of a dashboard connection's ``pages``; sets
    ``group``, ``order``, ``width`` and ``height`` on each placed widget (a node of the types
    ``widgets``) in ``made`` (flowrt id -> the Node-RED node made of it)."""
    out: list[dict[str, Any]] = []
    for p, page in enumerate(pages):
        tab_id = f"{conn_id}.{page['id']}"
        out.append({"id": tab_id, "type": V1.page, "name": page.get("title") or page["id"],
                    "icon": "dashboard", "order": p + 1, "disabled": False, "hidden": False})
        for g, group in enumerate(page.get("groups") or []):
            group_id = f"{tab_id}.{group['id']}"
            title = group.get("title") or ""
            width = group.get("width", 6)
            out.append({"id": group_id, "type": V1.group, "name": title or group["id"],
                        "tab": tab_id, "order": g + 1, "disp": bool(title),
                        "width": str(width), "collapse": False, "className": ""})
            for o, item in enumerate(group.get("widgets") or []):
                place = {"node": item} if isinstance(item, str) else item
                node = made.get(place["node"])
                if node is None or node.get("type") not in widgets:
                    continue
                height = place.get("height", ROW_HEIGHT)
                node.update(group=group_id, order=o + 1, width=str(place.get("width", 0)),
                            height=str(height))
    return out
