"""The export half of flowrt/nodered/families/dashboard2.py: flowrt's dashboard connection and
widgets as FlowFuse Dashboard 2 nodes (the shapes its editor writes), for a dashboard whose
widgets were imported from Dashboard 2 or when ``flowrt export nodered --dashboard 2`` asks.

The export first writes every widget as node-red-dashboard 3.x (dashboard_export.py); this
module's :func:`finish` writes the widgets of a Dashboard 2 connection again from their flowrt
configuration, and returns the ``ui-base`` (replacing the ``ui_base`` of the same id), a
``ui-theme`` and the ``ui-page`` and ``ui-group`` nodes. Each conversion is the inverse of the
import's in dashboard2.py, so an export imports back to the same flows.
"""

from __future__ import annotations

import json
from typing import Any

from flowrt.nodered.export_values import NoCounterpart, typed
from flowrt.nodered.families.dashboard_common import V2, export_topic, scheme_of
from flowrt.nodered.families.dashboard_layout import V1, export_layout
from flowrt.nodered.families.dashboard_template import export_template

LABELS = {"ui-gauge": "title", "ui-text": "label", "ui-chart": "label", "ui-button": "label",
          "ui-switch": "label", "ui-slider": "label", "ui-number-input": "label",
          "ui-dropdown": "label", "ui-text-input": "label", "ui-template": "label"}
"""Dashboard 2's widgets -> the property holding the label they show."""

THEMES = {
    "light": {"name": "Default Theme", "colors": {
        "surface": "#ffffff", "primary": "#0094CE", "bgPage": "#eeeeee", "groupBg": "#ffffff",
        "groupOutline": "#cccccc"}},
    "dark": {"name": "Dark Theme", "colors": {
        "surface": "#111111", "primary": "#0d74ce", "bgPage": "#202020", "groupBg": "#2a2a2a",
        "groupOutline": "#444444"}},
}
"""flowrt's themes as ui-theme colours (the import reads a dark ``bgPage`` as dark)."""

_SIZES = {"pagePadding": "12px", "groupGap": "12px", "groupBorderRadius": "4px",
          "widgetGap": "12px"}
_GAUGES = {"gage": "gauge-half", "three-quarter": "gauge-34", "tile": "gauge-tile",
           "battery": "gauge-battery", "tank": "gauge-tank"}
_UNITS = (604800, 86400, 3600, 60, 1)
_KEPT = ("id", "z", "name", "d", "info", "x", "y", "wires")


def _text(value: Any) -> str:
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


def _msg(c: dict[str, Any]) -> dict[str, str]:
    return {"value": str(c.get("property", "payload")), "valueType": "msg"}


def export_base(c: dict[str, Any], conn_id: str) -> dict[str, Any]:
    return {"id": conn_id, "type": V2.base, "name": c.get("title", "Dashboard"),
            "path": "/dashboard", "appIcon": "", "includeClientData": True,
            "acceptsClientConfig": ["ui-notification", "ui-control"],
            "showPathInSidebar": False, "showPageTitle": True, "navigationStyle": "default",
            "titleBarStyle": "default"}


def export_text(c: dict[str, Any]) -> dict[str, Any]:
    shown = str(c.get("format", "{{value}}"))  # Dashboard 2's text writes msg paths
    shown = shown.replace("{{value}}", "{{msg." + str(c.get("property", "payload")) + "}}")
    return {**_msg(c), "format": shown,
            "layout": "col-center" if c.get("layout") == "column" else "row-spread",
            "style": False, "font": "", "fontSize": 16, "color": "#717171", "wrapText": False,
            "className": ""}


def export_gauge(c: dict[str, Any]) -> dict[str, Any]:
    low, high = c.get("min", 0), c.get("max", 100)
    shown = str(c.get("format", "{{value}}"))
    prefix, _, suffix = shown.partition("{{value}}") if shown.count("{{value}}") == 1 else (
        "", "", "")
    sectors = list(c.get("sectors") or [])
    starts = [low, *(s.get("to") for s in sectors[:-1])]
    return {**_msg(c), "gtype": _GAUGES.get(c.get("gtype", "gage"), "gauge-half"),
            "gstyle": "needle", "units": c.get("units", ""), "prefix": prefix,
            "suffix": suffix, "min": low, "max": high, "icon": "",
            "segments": [{"from": _text(f), "color": s.get("color")}
                         for f, s in zip(starts, sectors, strict=False)], "className": ""}


def export_chart(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("chart_type", "line") != "line":
        raise NoCounterpart("the import of Dashboard 2 reads line charts over time only; "
                            "export with `--dashboard 1` for this chart")
    age = float(c.get("max_age", 3600))
    unit = next((u for u in _UNITS if age and age % u == 0), 1)
    out: dict[str, Any] = {
        "chartType": "line", "category": c.get("series", "topic"), "categoryType": "msg",
        "xAxisProperty": "", "xAxisPropertyType": "timestamp", "xAxisType": "time",
        "yAxisProperty": str(c.get("property", "payload")), "yAxisPropertyType": "msg",
        "ymin": _text(c.get("y_min")), "ymax": _text(c.get("y_max")), "action": "append",
        "removeOlder": _text(age / unit), "removeOlderUnit": str(unit),
        "removeOlderPoints": str(c["max_points"]) if c.get("max_points") else "",
        "pointShape": "circle", "pointRadius": 4, "showLegend": True, "className": ""}
    if c.get("colors"):
        out["colors"] = list(c["colors"])
    return out


def export_button(c: dict[str, Any]) -> dict[str, Any]:
    payload = c.get("payload", {"type": "date"})
    value, kind = ("", "date") if payload == {"type": "date"} else typed(payload)
    return {"emulateClick": True, "tooltip": "", "color": "", "bgcolor": "",
            "buttonColor": c.get("color", ""), "textColor": "", "iconColor": "", "icon": "",
            "iconPosition": "left", "payload": value, "payloadType": kind,
            "enablePointerdown": False, "enablePointerup": False, "className": "",
            **export_topic(c)}


def export_switch(c: dict[str, Any]) -> dict[str, Any]:
    on, on_type = typed(c.get("on_value", True))
    off, off_type = typed(c.get("off_value", False))
    return {"passthru": bool(c.get("passthru", False)), "decouple": False, **export_topic(c),
            "style": "", "onvalue": on, "onvalueType": on_type, "onicon": "", "oncolor": "",
            "offvalue": off, "offvalueType": off_type, "officon": "", "offcolor": "",
            "layout": "row-spread", "clickableArea": "switch", "className": ""}


def export_slider(c: dict[str, Any]) -> dict[str, Any]:
    return {"tooltip": "", "passthru": bool(c.get("passthru", False)),
            "outs": "all" if c.get("send") == "continuous" else "end", **export_topic(c),
            "thumbLabel": True, "showTicks": "always", "min": c.get("min", 0),
            "max": c.get("max", 100), "step": c.get("step", 1), "className": ""}


def export_markdown(c: dict[str, Any]) -> dict[str, Any]:
    return {"content": c.get("content", "") or "{{msg.payload}}", "className": ""}


def _value_widget(c: dict[str, Any]) -> dict[str, Any]:
    return {"tooltip": "", "passthru": bool(c.get("passthru", False)), **export_topic(c),
            "className": ""}


def export_numeric(c: dict[str, Any]) -> dict[str, Any]:
    return {**_value_widget(c), "min": c.get("min", 0), "max": c.get("max", 10),
            "step": c.get("step", 1), "wrap": bool(c.get("wrap")),
            "format": c.get("format", "{{value}}"), "delay": 300, "sendOnDelay": False,
            "sendOnBlur": True, "sendOnEnter": True, "spinner": "default", "clearable": False,
            "icon": ""}


def export_dropdown(c: dict[str, Any]) -> dict[str, Any]:
    options = []
    for item in c.get("options") or []:
        entry = item if isinstance(item, dict) else {"value": item}
        value, kind = typed(entry.get("value"))
        options.append({"label": entry.get("label", ""), "value": value, "type": kind})
    return {**_value_widget(c), "place": c.get("placeholder", ""),
            "multiple": bool(c.get("multiple")), "chips": False, "clearable": False,
            "options": options, "payload": "", "typeIsComboBox": True,
            "msgTrigger": "onChange"}


def export_text_input(c: dict[str, Any]) -> dict[str, Any]:
    return {**_value_widget(c), "mode": c.get("mode", "text"), "delay": c.get("delay", 300),
            "sendOnDelay": False, "sendOnBlur": True, "sendOnEnter": True, "clearable": False,
            "icon": ""}


def export_notification(c: dict[str, Any], base: str) -> dict[str, Any]:
    return {"ui": base, "position": c.get("position", "top right"),
            "colorDefault": "highlight" not in c, "color": c.get("highlight"),
            "displayTime": _text(c.get("display_time", 3)), "showCountdown": True,
            "outputs": 1, "allowDismiss": True, "dismissText": "Close", "allowConfirm": False,
            "confirmText": "Confirm", "raw": False, "className": ""}


def export_template_v2(c: dict[str, Any]) -> dict[str, Any]:
    v1 = export_template(c)
    return {"format": f"<template>{v1['format']}</template>",
            "storeOutMessages": v1["storeOutMessages"], "passthru": v1["fwdInMessages"],
            "resendOnRefresh": True, "templateScope": "local", "className": ""}


EXPORTS: dict[str, tuple[str, Any]] = {
    "ui-text": ("ui-text", export_text), "ui-gauge": ("ui-gauge", export_gauge),
    "ui-chart": ("ui-chart", export_chart), "ui-button": ("ui-button", export_button),
    "ui-switch": ("ui-switch", export_switch), "ui-slider": ("ui-slider", export_slider),
    "ui-markdown": ("ui-markdown", export_markdown),
    "ui-numeric": ("ui-number-input", export_numeric),
    "ui-dropdown": ("ui-dropdown", export_dropdown),
    "ui-text-input": ("ui-text-input", export_text_input),
    "ui-template": ("ui-template", export_template_v2),
}
"""flowrt widget -> its Dashboard 2 type and export (notifications and controls, which name
the base, are in :func:`_widget`)."""


def _widget(decl: Any, base: str) -> dict[str, Any]:
    c = dict(decl.config)
    if decl.type == "ui-notification":
        return {"type": "ui-notification", **export_notification(c, base)}
    if decl.type == "ui-control":
        return {"type": "ui-control", "ui": base, "events": c.get("events", "all")}
    if decl.type not in EXPORTS:
        raise NoCounterpart(f"flowrt's `{decl.type}` has no Dashboard 2 export (the import "
                            "does not read Dashboard 2's); export with `--dashboard 1`")
    kind, export = EXPORTS[decl.type]
    return {"type": kind, **export(c)}


def _rewrite(node: dict[str, Any], decl: Any, base: str, note: Any) -> None:
    kept = {k: node[k] for k in _KEPT if k in node}
    try:
        made = _widget(decl, base)
    except NoCounterpart as exc:
        note(f"{exc}; exported as a comment holding its configuration")
        made = {"type": "comment", "info": f"flowrt `{decl.type}` node (no Dashboard 2 "
                f"counterpart):\n\n```json\n{json.dumps(decl.config, indent=2)}\n```"}
        kept["wires"] = []
    node.clear()
    node.update({"id": kept.pop("id"), "type": made.pop("type"), **kept, **made})
    key = LABELS.get(str(node["type"]))
    if key is not None:
        node[key] = node.get("name") or ""


def _layout(conn_id: str, c: dict[str, Any], made: dict[str, dict[str, Any]]
            ) -> list[dict[str, Any]]:
    theme = "dark" if c.get("theme") == "dark" else "light"
    theme_id = f"{conn_id}.theme"
    out: list[dict[str, Any]] = [{"id": theme_id, "type": "ui-theme", **THEMES[theme],
                                  "sizes": dict(_SIZES)}]
    for node in export_layout(conn_id, list(c.get("pages") or []), made, V2.placed):
        if node["type"] == V1.page:
            path = node["id"][len(conn_id) + 1:]
            out.append({"id": node["id"], "type": V2.page, "name": node["name"],
                        "ui": conn_id, "path": f"/{path}", "icon": "home", "layout": "grid",
                        "theme": theme_id, "breakpoints": [], "order": node["order"],
                        "className": "", "visible": "true", "disabled": "false"})
        else:
            out.append({"id": node["id"], "type": V2.group, "name": node["name"],
                        V2.page_key: node["tab"], "width": node["width"], "height": "1",
                        "order": node["order"], "showTitle": node["disp"], "className": "",
                        "visible": "true", "disabled": "false", "groupType": "default"})
    return out


def finish(docs: list[Any], made: dict[str, dict[str, dict[str, Any]]],
           options: dict[str, Any]) -> list[dict[str, Any]]:
    """Each Dashboard 2 connection's widgets written again as Dashboard 2's, and its base,
    theme, pages and groups."""
    out: list[dict[str, Any]] = []
    notes = options.get("notes")
    for doc in docs:
        nodes = made.get(doc.id, {})
        for conn in doc.connections.values():
            if conn.type != "dashboard" or scheme_of(doc, conn.id, options) is not V2:
                continue
            for decl in doc.nodes.values():
                node = nodes.get(decl.id)
                if node is None or decl.config.get("dashboard") != conn.id:
                    continue
                where = f"{doc.id}/{node['id']}"
                if notes is not None:  # what the 3.x export noted does not apply
                    notes.items = [i for i in notes.items if not i.startswith(where + ": ")]
                _rewrite(node, decl, conn.id,
                         lambda text, w=where: notes.add(w, text) if notes else None)
            out.append(export_base(dict(conn.config), conn.id))
            out.extend(_layout(conn.id, dict(conn.config), nodes))
    return out
