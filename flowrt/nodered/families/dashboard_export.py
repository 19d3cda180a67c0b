"""The export half of flowrt/nodered/families/dashboard.py: flowrt's dashboard connection and
widgets as node-red-dashboard 3.x nodes (the shapes its editor writes, read from the package's
nodes/*.html defaults), and the base an import adds to an export that has none."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import NoCounterpart, typed
from flowrt.nodered.families.dashboard_common import CHARTS, GAUGES, export_topic, scheme_of
from flowrt.nodered.families.dashboard_layout import V1, Scheme, export_layout
from flowrt.nodered.nrnode import NrNode

LABELS = {kind: "title" if kind == "ui_gauge" else "label" for kind in V1.placed
          if kind != "ui_template"}
"""The widgets placed in groups -> the property holding the label they show (a gauge's
`label` is its units)."""

_FONT = ("-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Oxygen-Sans,Ubuntu,Cantarell,"
         "Helvetica Neue,sans-serif")
_UNITS = (604800, 86400, 3600, 60, 1)


def add_base(export: Any, scheme: Scheme) -> None:
    """Add a base config node (marked ``flowrt_made``) to an export whose widgets have none."""
    if any(n.type == scheme.base for n in export.configs):
        return
    if not any(n.type in scheme.widgets for n in export.flow_nodes):
        return
    node_id, n = "dashboard", 1
    while node_id in export.nodes:
        n += 1
        node_id = f"dashboard-{n}"
    node = NrNode(node_id, scheme.base, {"id": node_id, "type": scheme.base,
                                         "flowrt_made": True})
    export.nodes[node_id] = node
    export.configs.append(node)


def finish(docs: list[Any], made: dict[str, dict[str, dict[str, Any]]],
           options: dict[str, Any]) -> list[dict[str, Any]]:
    """The tabs and groups of each dashboard connection exported as node-red-dashboard 3.x
    (dashboard2_export.py writes the others); each widget gets its place and the label it shows
    (from its node's label)."""
    out: list[dict[str, Any]] = []
    for doc in docs:
        nodes = made.get(doc.id, {})
        for node in nodes.values():
            key = LABELS.get(str(node.get("type")))
            if key is not None:
                node[key] = node.get("name") or ""
            if node.get("type") in V1.placed:
                node.setdefault("group", "")
        for conn in doc.connections.values():
            if conn.type == "dashboard" and scheme_of(doc, conn.id, options) is V1:
                out.extend(export_layout(conn.id, list(conn.config.get("pages") or []),
                                         nodes, V1.placed))
    return out


def export_base(c: dict[str, Any]) -> dict[str, Any]:
    theme = "theme-dark" if c.get("theme") == "dark" else "theme-light"
    light = {"default": "#0094CE", "baseColor": "#0094CE", "baseFont": _FONT, "edited": False,
             "reset": False}
    dark = {"default": "#097479", "baseColor": "#097479", "baseFont": _FONT, "edited": False,
            "reset": False}
    return {"theme": {"name": theme, "lightTheme": light, "darkTheme": dark,
                      "customTheme": {"name": "Untitled Theme 1", "default": "#4B7930",
                                      "baseColor": "#4B7930", "baseFont": _FONT},
                      "angularTheme": {"primary": "indigo", "accents": "blue", "warn": "red",
                                       "background": "grey", "palette": "light"}},
            "site": {"name": c.get("title", "Dashboard"), "hideToolbar": "false",
                     "allowSwipe": "false", "lockMenu": "false", "allowTempTheme": "true",
                     "dateFormat": "DD/MM/YYYY",
                     "sizes": {"sx": 48, "sy": 48, "gx": 6, "gy": 6, "cx": 6, "cy": 6,
                               "px": 0, "py": 0}}}


def _text(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def _reads_payload(c: dict[str, Any], kind: str) -> None:
    if c.get("property", "payload") != "payload" or c.get("series", "topic") != "topic":
        raise NoCounterpart(f"node-red-dashboard's {kind} reads msg.payload (and msg.topic); "
                            "move the value there with a change node first")


def export_text(c: dict[str, Any]) -> dict[str, Any]:
    shown = str(c.get("format", "{{value}}"))
    if c.get("property", "payload") != "payload":  # the package's {{value}} is msg.payload
        shown = shown.replace("{{value}}", "{{msg." + str(c["property"]) + "}}")
    return {"format": shown,
            "layout": "col-center" if c.get("layout") == "column" else "row-spread",
            "className": "", "style": False, "font": "", "fontSize": 16, "color": "#000000"}


def export_gauge(c: dict[str, Any]) -> dict[str, Any]:
    _reads_payload(c, "gauge")
    low, high = c.get("min", 0), c.get("max", 100)
    sectors = list(c.get("sectors") or [])
    colors = [s.get("color") for s in sectors[:3]]
    colors += ["#00B500", "#E6E600", "#CA3838"][len(colors):]
    ends = [s.get("to") for s in sectors[:2]]
    shape = c.get("gtype", "gage")  # flowrt's shapes node-red-dashboard has not: its dial
    return {"gtype": shape if shape in GAUGES else "gage",
            "label": c.get("units", ""), "format": c.get("format", "{{value}}"),
            "min": low, "max": high, "colors": colors,
            "seg1": _text(ends[0]) if len(ends) > 0 else "",
            "seg2": _text(ends[1]) if len(ends) > 1 else "", "diff": False, "className": ""}


_CHART_TYPES = {flowrt: nr for nr, flowrt in CHARTS.items()}


def export_chart(c: dict[str, Any]) -> dict[str, Any]:
    _reads_payload(c, "chart")
    age = float(c.get("max_age", 3600))
    unit = next((u for u in _UNITS if age and age % u == 0), 1)
    out: dict[str, Any] = {
        "chartType": _CHART_TYPES.get(c.get("chart_type", "line"), "line"), "legend": "false",
        "xformat": "HH:mm:ss",
        "interpolate": "linear",
        "nodata": "", "dot": False, "ymin": _text(c.get("y_min")), "ymax": _text(c.get("y_max")),
        "removeOlder": _text(age / unit), "removeOlderPoints": str(c.get("max_points", 1000)),
        "removeOlderUnit": str(unit), "cutout": 0, "useOneColor": False, "useUTC": False,
        "outputs": 1, "useDifferentColor": False, "className": ""}
    if c.get("colors"):
        out["colors"] = list(c["colors"])
    return out


def export_button(c: dict[str, Any]) -> dict[str, Any]:
    payload, kind = typed(c.get("payload", {"type": "date"}))
    return {"passthru": True, "tooltip": "", "color": "", "bgcolor": c.get("color", ""),
            "className": "", "icon": "", "payload": payload, "payloadType": kind, **export_topic(c)}


def export_switch(c: dict[str, Any]) -> dict[str, Any]:
    on, on_type = typed(c.get("on_value", True))
    off, off_type = typed(c.get("off_value", False))
    passthru = bool(c.get("passthru", False))
    # node-red-dashboard follows messages in only with pass-through or decouple "true"
    decouple = "true" if not passthru and c.get("indicator", "input") == "input" else "false"
    return {"tooltip": "", "passthru": passthru, "decouple": decouple,
            **export_topic(c), "style": "", "onvalue": on, "onvalueType": on_type, "onicon": "",
            "oncolor": "", "offvalue": off, "offvalueType": off_type, "officon": "",
            "offcolor": "", "animate": False, "className": ""}


def export_slider(c: dict[str, Any]) -> dict[str, Any]:
    return {"tooltip": "", "passthru": bool(c.get("passthru", False)),
            "outs": "all" if c.get("send") == "continuous" else "end", **export_topic(c),
            "min": c.get("min", 0), "max": c.get("max", 100), "step": c.get("step", 1),
            "className": ""}


def export_markdown(c: dict[str, Any]) -> dict[str, Any]:
    return {"format": c.get("content", "{{value}}") or "{{msg.payload}}",
            "storeOutMessages": True, "fwdInMessages": True, "resendOnRefresh": True,
            "templateScope": "local", "className": ""}
