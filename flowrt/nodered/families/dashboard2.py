"""FlowFuse Dashboard 2 (@flowfuse/node-red-dashboard): ``ui-base`` becomes the ``dashboard``
connection, its ``ui-page`` and ``ui-group`` nodes the layout (dashboard_layout.py), ``ui-theme``
its theme; ``ui-text``, ``ui-gauge``, ``ui-chart``, ``ui-button``, ``ui-switch`` and
``ui-slider`` become flowrt's widgets of the same names. The export writes a dashboard whose
widgets came from Dashboard 2 (or all, with ``--dashboard 2``) back as Dashboard 2
(dashboard2_export.py); others as node-red-dashboard 3.x (dashboard.py).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flowrt.nodered.families import dashboard2_export as ex2
from flowrt.nodered.families import dashboard_export as ex
from flowrt.nodered.families import dashboard_inputs as inputs
from flowrt.nodered.families import dashboard_template as templates
from flowrt.nodered.families.dashboard_common import (
    COLOR,
    SECONDS,
    V2,
    base_config,
    number,
    tidy,
    topic,
    typed,
    value_range,
    widget,
)
from flowrt.nodered.families.dashboard_text import translate_format
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import property_path


def import_base(node: NrNode, cx: MapContext) -> Mapped:
    config = base_config(node, cx, V2, {
        t.type: t.imports for t in TYPES if t.type in V2.placed and t.imports})
    config["title"] = str(node.get("name") or "Dashboard")
    themes = {p.get("theme") for p in cx.export_nodes() if p.type == V2.page}
    for theme in themes:
        found = cx.config_node(theme)
        colors = found.get("colors") if found is not None else None
        page = colors.get("bgPage") if isinstance(colors, dict) else None
        if isinstance(page, str) and _dark(page):
            config["theme"] = "dark"
    return Mapped("dashboard", config)


def _dark(color: str) -> bool:
    text = color.lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    try:
        r, g, b = (int(text[i:i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return 0.299 * r + 0.587 * g + 0.114 * b < 128


def _value(node: NrNode, cx: MapContext, config: dict[str, Any], key: str = "value",
           kind_key: str = "valueType") -> None:
    kind = node.get(kind_key) or "msg"
    if kind != "msg":
        raise Unsupported(f"the value from `{kind}`: flowrt's widget reads a message property")
    path = property_path(node.get(key) or "payload", cx.note)
    if path != "payload":
        config["property"] = path


def import_text(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V2, node.get("label"))
    _value(node, cx, config)
    config["format"] = translate_format(str(node.get("format") or "{{msg.payload}}"), cx)
    if node.word("layout", "row-spread").startswith("col"):
        config["layout"] = "column"
    return Mapped("ui-text", config)


V2_GAUGES = {"gauge-half": "gage", "gauge-34": "three-quarter", "gauge-tile": "tile",
          "gauge-battery": "battery", "gauge-tank": "tank"}
"""Dashboard 2's gauge types (``gtype``) -> flowrt's ui-gauge shapes."""


def import_gauge(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V2, node.get("title"))
    _value(node, cx, config)
    kind = node.word("gtype", "gauge-half")
    if kind not in V2_GAUGES:
        cx.note(f"a `{kind}` gauge is drawn as flowrt's half-circle dial")
    if V2_GAUGES.get(kind, "gage") != "gage":
        config["gtype"] = V2_GAUGES[kind]
    low, high = value_range(node, "gauge")
    config |= {"min": low, "max": high}
    if node.get("units"):
        config["units"] = str(node.get("units"))
    prefix, suffix = str(node.get("prefix") or ""), str(node.get("suffix") or "")
    if prefix or suffix:
        config["format"] = f"{prefix}{{{{value}}}}{suffix}"
    segments = [s for s in node.get("segments") or [] if isinstance(s, dict)
                and isinstance(s.get("color"), str) and COLOR.match(s["color"])
                and as_number(s.get("from")) is not None]
    segments.sort(key=lambda s: float(as_number(s["from"]) or 0))
    ends = [min(max(float(as_number(s["from"]) or 0), low), high) for s in segments[1:]]
    config["sectors"] = [{"to": tidy(to), "color": s["color"]}
                         for to, s in zip([*ends, high], segments, strict=False)]
    return Mapped("ui-gauge", config)


def import_chart(node: NrNode, cx: MapContext) -> Mapped:
    kind = node.word("chartType", "line")
    if kind != "line" or node.word("xAxisType", "time") != "time":
        raise Unsupported(f"a `{kind}` chart on a `{node.get('xAxisType')}` axis: flowrt's "
                          "ui-chart draws lines over time")
    config = widget(node, cx, V2, node.get("label"))
    _value(node, cx, config, "yAxisProperty", "yAxisPropertyType")
    if node.get("categoryType", "msg") == "msg" and node.get("category") not in (None, "",
                                                                                   "topic"):
        config["series"] = property_path(node.get("category"), cx.note)
    elif node.get("categoryType", "msg") != "msg":
        cx.note("the series name is not from the message: one series a topic")
    if node.word("action", "append") != "append":
        cx.note("`replace` is read as `append`: each message adds a point")
    unit = SECONDS.get(str(node.get("removeOlderUnit") or "3600"), 3600)
    config["max_age"] = number(node, "removeOlder", 1) * unit
    points = as_number(node.get("removeOlderPoints"))
    if points is not None and points >= 1 and points != 1000:
        config["max_points"] = int(min(points, 100_000))
    y_min, y_max = as_number(node.get("ymin")), as_number(node.get("ymax"))
    if y_min is not None and (y_max is None or y_max > y_min):
        config["y_min"] = y_min
    if y_max is not None and (y_min is None or y_max > y_min):
        config["y_max"] = y_max
    colors = node.get("colors")
    if isinstance(colors, list) and colors and all(isinstance(c, str) and c for c in colors):
        config["colors"] = list(colors)
    return Mapped("ui-chart", config)


def import_button(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V2, node.get("label"))
    if as_bool(node.get("enablePointerdown")) or as_bool(node.get("enablePointerup")):
        cx.note("pointer down and up payloads are not sent: a click sends its payload")
    kind = node.get("payloadType") or "str"
    config["payload"] = {"type": "date"} if kind == "date" else typed(
        node, "payload", "payloadType", cx, "str")
    config["topic"] = topic(node, cx)
    color = node.get("buttonColor") or node.get("bgcolor")
    if isinstance(color, str) and COLOR.match(color):
        config["color"] = color
    if not as_bool(node.get("emulateClick")):
        cx.note("a message in presses the button (in Dashboard 2 only with `emulate click`)")
    return Mapped("ui-button", config)


def import_switch(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V2, node.get("label"))
    config["on_value"] = typed(node, "onvalue", "onvalueType", cx, "bool")
    config["off_value"] = typed(node, "offvalue", "offvalueType", cx, "bool")
    config["topic"] = topic(node, cx)
    config["passthru"] = as_bool(node.get("passthru"))
    if as_bool(node.get("decouple")):
        cx.note("decouple: flowrt's switch shows what is clicked too")
    return Mapped("ui-switch", config)


def import_slider(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V2, node.get("label"))
    low, high = value_range(node, "slider")
    step = number(node, "step", 1)
    config |= {"min": low, "max": high, "step": step if step > 0 else 1,
               "topic": topic(node, cx), "passthru": as_bool(node.get("passthru")),
               "send": "continuous" if node.word("outs", "all") == "all" else "release"}
    return Mapped("ui-slider", config)


def import_markdown(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V2, None)
    content = str(node.get("content") or "")
    if "<" in content:
        cx.note("HTML in the Markdown is shown as text")
    config["content"] = translate_format(content, cx, "content")
    return Mapped("ui-markdown", config)


def prepare_import(export: Any) -> None:
    ex.add_base(export, V2)


def finish_export(docs: list[Any], made: dict[str, dict[str, dict[str, Any]]],
                  options: dict[str, Any]) -> list[dict[str, Any]]:
    return ex2.finish(docs, made, options)


TYPES = (
    NrType("ui-base", "dashboard", import_base, config=True),
    NrType("ui-page", config=True, folded=True),
    NrType("ui-group", config=True, folded=True),
    NrType("ui-theme", config=True, folded=True),
    NrType("ui-text", "ui-text", import_text),
    NrType("ui-gauge", "ui-gauge", import_gauge),
    NrType("ui-chart", "ui-chart", import_chart),
    NrType("ui-button", "ui-button", import_button),
    NrType("ui-switch", "ui-switch", import_switch),
    NrType("ui-slider", "ui-slider", import_slider),
    NrType("ui-markdown", "ui-markdown", import_markdown),
    NrType("ui-number-input", "ui-numeric", partial(inputs.import_numeric, scheme=V2)),
    NrType("ui-dropdown", "ui-dropdown", partial(inputs.import_dropdown, scheme=V2)),
    NrType("ui-text-input", "ui-text-input", partial(inputs.import_text_input, scheme=V2)),
    NrType("ui-notification", "ui-notification", partial(inputs.import_toast, scheme=V2)),
    NrType("ui-control", "ui-control", partial(inputs.import_control, scheme=V2)),
    NrType("ui-template", "ui-template", templates.import_template_v2),
)
