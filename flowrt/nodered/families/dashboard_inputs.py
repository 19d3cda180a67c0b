"""node-red-dashboard 3.x's other widgets, both ways: ui_numeric, ui_dropdown, ui_text_input,
ui_colour_picker, ui_date_picker and ui_form (placed in groups, as dashboard.py's), ui_toast and
ui_ui_control (never placed: flowrt's ui-notification and ui-control). Shapes as the package's
nodes/*.html defaults write them (3.6.6)."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import NoCounterpart, typed
from flowrt.nodered.families.dashboard_common import (
    COLOR,
    NODE_RED_NUMBERS,
    NOT_NUMBER,
    V1,
    export_topic,
    number,
    topic,
    value_range,
    widget,
)
from flowrt.nodered.families.dashboard_layout import Scheme
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number

PLACED = ("ui_numeric", "ui_dropdown", "ui_text_input", "ui_colour_picker", "ui_date_picker",
          "ui_form")
_MODES = {"text", "number", "email", "password", "date", "time", "color"}
_FIELDS = {"text", "multiline", "number", "email", "password", "checkbox", "date", "time"}
_POSITIONS = {"top right", "top left", "bottom right", "bottom left"}


def _value_widget(node: NrNode, cx: MapContext, scheme: Scheme) -> dict[str, Any]:
    config = widget(node, cx, scheme, node.get("label"))
    config["topic"] = topic(node, cx)
    config["passthru"] = as_bool(node.get("passthru"))
    return config


def import_numeric(node: NrNode, cx: MapContext, scheme: Scheme = V1) -> Mapped:
    config = _value_widget(node, cx, scheme)
    low, high = value_range(node, "numeric input")
    step = number(node, "step", 1)
    config |= {"min": low, "max": high, "step": step if step > 0 else 1,
               "wrap": as_bool(node.get("wrap"))}
    if scheme is V1:
        config |= NODE_RED_NUMBERS
        if config["passthru"]:
            cx.note(NOT_NUMBER)
    shown = str(node.get("format") or "{{value}}")
    if shown != "{{value}}":
        from flowrt.nodered.families.dashboard_text import translate_format

        config["format"] = translate_format(shown, cx)
    return Mapped("ui-numeric", config)


def _option(item: dict[str, Any], cx: MapContext) -> Any:
    value, kind = item.get("value"), item.get("type") or "str"
    if kind == "num" and as_number(value) is not None:
        value = as_number(value)
    elif kind == "bool":
        value = value in (True, "true")
    elif kind not in ("str", "num"):
        cx.note(f"an option of type `{kind}` is sent as text")
        value = "" if value is None else str(value)
    label = item.get("label")
    return {"label": str(label), "value": value} if label else value


def import_dropdown(node: NrNode, cx: MapContext, scheme: Scheme = V1) -> Mapped:
    config = _value_widget(node, cx, scheme)
    options = node.get("options") if isinstance(node.get("options"), list) else []
    config["options"] = [_option(o, cx) for o in options if isinstance(o, dict)
                         and o.get("value") not in (None, "")]
    config["placeholder"] = str(node.get("place") or "")
    config["multiple"] = as_bool(node.get("multiple"))
    return Mapped("ui-dropdown", config)


def import_text_input(node: NrNode, cx: MapContext, scheme: Scheme = V1) -> Mapped:
    config = _value_widget(node, cx, scheme)
    mode = node.word("mode", "text")
    if mode not in _MODES:
        cx.note(f"a `{mode}` field is a text field")
        mode = "text"
    delay = as_number(node.get("delay"))
    config |= {"mode": mode, "delay": int(min(max(delay or 0, 0), 60_000))}
    if as_bool(node.get("sendOnBlur"), True) and not delay and scheme is V1:
        cx.note("sent as it is typed after no delay, not when the field loses focus")
    return Mapped("ui-text-input", config)


def import_colour_picker(node: NrNode, cx: MapContext, scheme: Scheme = V1) -> Mapped:
    config = _value_widget(node, cx, scheme)
    fmt = node.word("format", "hex")
    config["format"] = fmt if fmt in ("hex", "rgb", "hsl") else "hex"
    config["outformat"] = "object" if node.get("outformat") == "object" else "string"
    return Mapped("ui-colour-picker", config)


def import_date_picker(node: NrNode, cx: MapContext, scheme: Scheme = V1) -> Mapped:
    return Mapped("ui-date-picker", _value_widget(node, cx, scheme))


def import_form(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V1, node.get("label"))
    fields = []
    for item in node.get("options") or []:
        if not isinstance(item, dict) or not item.get("value"):
            continue
        kind = item.get("type") or "text"
        if kind == "switch":
            kind = "checkbox"
        if kind not in _FIELDS:
            raise Unsupported(f"a form field of type `{kind}`")
        field: dict[str, Any] = {"name": str(item["value"]), "type": kind}
        if item.get("label"):
            field["label"] = str(item["label"])
        if as_bool(item.get("required")):
            field["required"] = True
        if kind == "multiline" and as_number(item.get("rows")):
            field["rows"] = int(min(max(as_number(item.get("rows")) or 3, 1), 20))
        fields.append(field)
    if not fields:
        raise Unsupported("a form with no fields")
    config |= {"fields": fields, "submit": str(node.get("submit") or ""),
               "cancel": str(node.get("cancel") or ""), "topic": topic(node, cx)}
    return Mapped("ui-form", config)


def import_toast(node: NrNode, cx: MapContext, scheme: Scheme = V1) -> Mapped:
    position = node.word("position", "top right")
    if position in ("dialog", "prompt") or as_bool(node.get("allowConfirm")):
        raise Unsupported(f"a `{position}` notification waits for an answer; flowrt's "
                          "ui-notification only shows")
    config = widget(node, cx, scheme, None)
    config["position"] = position if position in _POSITIONS else "top right"
    seconds = as_number(node.get("displayTime"))
    config["display_time"] = min(max(float(seconds), 0.5), 3600) if seconds else 3
    highlight = node.get("highlight")
    if scheme is not V1 and not as_bool(node.get("colorDefault"), True):
        highlight = node.get("color")  # Dashboard 2's colour, unless the theme's
    if isinstance(highlight, str) and COLOR.match(highlight):
        config["highlight"] = highlight
    if as_bool(node.get("raw")):
        cx.note("the message is shown as text, not as HTML")
    if node.get("topic"):
        cx.note("its fixed title is not shown: flowrt's title is `msg.topic`")
    return Mapped("ui-notification", config)


def import_control(node: NrNode, cx: MapContext, scheme: Scheme = V1) -> Mapped:
    config = widget(node, cx, scheme, None)
    events = node.word("events", "all")
    config["events"] = events if events in ("all", "connect", "change") else "all"
    return Mapped("ui-control", config)


# -- export ---------------------------------------------------------------------------------------


def _value_export(c: dict[str, Any]) -> dict[str, Any]:
    return {"tooltip": "", "passthru": bool(c.get("passthru", False)), **export_topic(c),
            "className": ""}


def export_numeric(c: dict[str, Any]) -> dict[str, Any]:
    return {**_value_export(c), "wrap": bool(c.get("wrap")), "format": c.get("format",
            "{{value}}"), "min": c.get("min", 0), "max": c.get("max", 10),
            "step": c.get("step", 1)}


def export_dropdown(c: dict[str, Any]) -> dict[str, Any]:
    options = []
    for item in c.get("options") or []:
        entry = item if isinstance(item, dict) else {"value": item}
        value, kind = typed(entry.get("value"))
        options.append({"label": entry.get("label", ""), "value": value, "type": kind})
    return {**_value_export(c), "place": c.get("placeholder", "Select option"),
            "multiple": bool(c.get("multiple")), "options": options, "payload": ""}


def export_text_input(c: dict[str, Any]) -> dict[str, Any]:
    return {**_value_export(c), "mode": c.get("mode", "text"), "delay": c.get("delay", 300),
            "sendOnBlur": True}


def export_colour_picker(c: dict[str, Any]) -> dict[str, Any]:
    return {**_value_export(c), "format": c.get("format", "hex"),
            "outformat": c.get("outformat", "string"), "showSwatch": True,
            "showPicker": False, "showValue": False, "showHue": False, "showAlpha": False,
            "showLightness": True, "square": "false", "dynOutput": "false"}


def export_date_picker(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("min") or c.get("max"):
        raise NoCounterpart("node-red-dashboard's date picker has no first or last date")
    return _value_export(c)


def export_form(c: dict[str, Any]) -> dict[str, Any]:
    options = [{"label": f.get("label", ""), "value": f["name"], "type": f.get("type", "text"),
                "required": bool(f.get("required")), "rows": f.get("rows", 3)}
               for f in c.get("fields") or []]
    return {**export_topic(c), "options": options,
            "formValue": {f["value"]: "" for f in options}, "payload": "",
            "submit": c.get("submit", "submit"), "cancel": c.get("cancel", "cancel"),
            "splitLayout": "", "className": ""}


def export_notification(c: dict[str, Any]) -> dict[str, Any]:
    return {"position": c.get("position", "top right"),
            "displayTime": str(c.get("display_time", 3)), "highlight": c.get("highlight", ""),
            "sendall": True, "outputs": 0, "ok": "OK", "cancel": "", "raw": False,
            "topic": "", "className": ""}


def export_control(c: dict[str, Any]) -> dict[str, Any]:
    return {"events": c.get("events", "all")}
