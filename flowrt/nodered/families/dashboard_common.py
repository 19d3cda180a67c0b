"""What the dashboard families share (dashboard.py, dashboard_inputs.py, dashboard2.py): the
base node as the dashboard connection, the fields every widget has, and Node-RED's typed
values and topics as the widgets read them."""

from __future__ import annotations

import re
from typing import Any, cast

from flowrt.nodered.export_values import typed as export_typed
from flowrt.nodered.families.dashboard_layout import (
    V1,
    V2,
    Scheme,
    base_id,
    import_pages,
    misplaced,
)
from flowrt.nodered.families.dashboard_text import static_label
from flowrt.nodered.mapping import MapContext, Mapper, Unsupported, apply
from flowrt.nodered.nrnode import NrNode, as_number
from flowrt.nodered.values import typed_value

__all__ = ["CHARTS", "COLOR", "GAUGES", "NODE_RED_NUMBERS", "NOT_NUMBER", "SECONDS", "V1",
           "V2", "base_config", "export_topic", "number", "scheme_of", "tidy", "topic", "typed",
           "widget", "wired_in"]

NOT_NUMBER = ("passing on: a payload that is not a number is not passed on (node-red-dashboard "
              "passes `min` on)")
"""The caveat of an imported slider or numeric that passes messages on (the differential
test, tests/nodered/test_same_behaviour_dashboard.py, found it)."""

NODE_RED_NUMBERS = {"outside": "keep", "repeats": "drop"}
"""How node-red-dashboard's slider and numeric take a number in (ui.js ``toNumber``: no range,
a multiple of the step; ``emitOnlyNewValues``: the value held already does nothing), as
flowrt's ui-slider and ui-numeric fields."""

CHARTS = {"line": "line", "bar": "bar", "horizontalBar": "horizontal-bar", "pie": "pie",
          "radar": "radar", "polarArea": "polar-area"}
"""node-red-dashboard's chart types (``chartType``) -> flowrt's ui-chart ``chart_type``."""

GAUGES = ("gage", "donut", "compass", "wave")
"""node-red-dashboard's gauge shapes (``gtype``), which flowrt's ui-gauge has by the same
names (its others export as the dial)."""

SECONDS = {"1": 1, "60": 60, "3600": 3600, "86400": 86400, "604800": 604800}
"""A chart's ``removeOlderUnit`` (both packages) -> seconds."""

COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")
"""The colours flowrt's widgets take (nodes/dashboard: `#2e7d32`, `orange`)."""


class _Quiet:
    """A node's mapping context that keeps no caveats: for trying a widget's mapping."""

    def __init__(self, cx: MapContext) -> None:
        self._cx = cx

    def note(self, text: str) -> None:
        pass

    def connection(self, nr_id: Any, flowrt_type: str, what: str) -> str:
        return "(being made)"  # the dashboard, which this trial is part of making

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cx, name)


def base_config(node: NrNode, cx: MapContext, scheme: Scheme,
                mappers: dict[str, Mapper]) -> dict[str, Any]:
    """The dashboard connection of a base node: its title, theme and the layout, which places
    the widgets whose own mapping (in ``mappers``) succeeds; the others are reported
    unsupported."""

    def imports(widget: NrNode) -> bool:
        try:
            apply(mappers[widget.type], widget, cast(MapContext, _Quiet(cx)))
        except Unsupported:
            return False
        return True

    if node.get("flowrt_made"):
        cx.note(f"the export has no `{scheme.base}` (the dashboard's settings): made with "
                "defaults")
    site = node.get("site") if isinstance(node.get("site"), dict) else {}
    theme = node.get("theme") if isinstance(node.get("theme"), dict) else {}
    title = site.get("name") or node.get("name") or "Node-RED Dashboard"
    name = str(theme.get("name") or "theme-light")
    if name not in ("theme-light", "theme-dark"):
        cx.note(f"theme `{name}`: flowrt's dashboard is drawn light")
    return {"title": str(title), "theme": "dark" if name == "theme-dark" else "light",
            "pages": import_pages(cx, scheme, imports)}


def widget(node: NrNode, cx: MapContext, scheme: Scheme, label: Any) -> dict[str, Any]:
    """The fields every widget has: its label and its dashboard; Unsupported when flowrt
    cannot show it."""
    why = misplaced(cx, scheme, node)
    if why:
        raise Unsupported(why)
    config: dict[str, Any] = {}
    if isinstance(label, str) and label:
        config["label"] = static_label(label, cx)
    config["dashboard"] = cx.connection(base_id(cx, scheme), "dashboard", scheme.base)
    return config


def number(node: NrNode, key: str, default: float) -> float:
    """A numeric property (a whole number as an int, as flow files write it)."""
    found = as_number(node.get(key))
    value = float(found) if found is not None else float(default)
    return int(value) if value.is_integer() else value


def value_range(node: NrNode, widget: str) -> tuple[float, float]:
    """A widget's `min` and `max` (0 and 10 when missing); Unsupported unless max is above
    min."""
    low, high = number(node, "min", 0), number(node, "max", 10)
    if high <= low:
        raise Unsupported(f"max ({high:g}) is not above min ({low:g}); flowrt's {widget} "
                          "needs it")
    return low, high


def tidy(value: float) -> float:
    """A whole number as an int, as flow files write it."""
    return int(value) if float(value).is_integer() else value


def typed(node: NrNode, key: str, kind_key: str, cx: MapContext, default_kind: str) -> Any:
    ok, value = typed_value(node.get(key), node.get(kind_key) or default_kind, cx.note)
    if not ok:
        raise Unsupported(f"`{key}` of type `{node.get(kind_key)}` has no flowrt counterpart")
    return value


def topic(node: NrNode, cx: MapContext) -> Any:
    kind = node.get("topicType") or "str"
    if kind == "str" and not node.get("topic"):
        return None
    return typed(node, "topic", "topicType", cx, "str")


def export_topic(c: dict[str, Any]) -> dict[str, str]:
    value = c.get("topic")
    if value is None:
        return {"topic": "", "topicType": "str"}
    text, kind = export_typed(value)
    return {"topic": text, "topicType": kind}


def wired_in(node: NrNode, cx: MapContext) -> bool:
    return any(node.id in port for n in cx.export_nodes() for port in n.wires)


def scheme_of(doc: Any, conn_id: str, options: dict[str, Any]) -> Scheme:
    """The package a dashboard connection exports as: the one ``options["dashboard"]`` names
    (``1``: node-red-dashboard 3.x, ``2``: FlowFuse Dashboard 2), else Dashboard 2 when its
    widgets were imported from Dashboard 2 only (their ``origin`` types), else 3.x."""
    chosen = str(options.get("dashboard") or "")
    if chosen in ("1", "2"):
        return V2 if chosen == "2" else V1
    kinds = {d.origin.type for d in doc.nodes.values() if d.origin is not None
             and d.config.get("dashboard") == conn_id}
    return V2 if kinds & V2.widgets and not kinds & V1.widgets else V1
