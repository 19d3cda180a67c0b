"""node-red-dashboard 3.x: ``ui_base`` becomes the ``dashboard`` connection, whose ``pages``
are built from the ``ui_tab`` and ``ui_group`` config nodes and the widgets' places
(dashboard_layout.py); ``ui_text``, ``ui_gauge``, ``ui_chart``, ``ui_button``, ``ui_switch`` and
``ui_slider`` become flowrt's widgets of the same names, and ``ui_template`` flowrt's
``ui-template`` (dashboard_template.py). The export writes them back, with the tabs and groups
(dashboard_export.py). The other input widgets, notifications and controls are
dashboard_inputs.py; FlowFuse Dashboard 2 is dashboard2.py.

Node-RED types that stay unsupported, each with its reason, are at the end of ``TYPES``.
"""

from __future__ import annotations

from typing import Any

from flowrt.nodered.families import dashboard_export as ex
from flowrt.nodered.families import dashboard_inputs as inputs
from flowrt.nodered.families import dashboard_template as templates
from flowrt.nodered.families.dashboard_common import (
    CHARTS,
    COLOR,
    GAUGES,
    NODE_RED_NUMBERS,
    NOT_NUMBER,
    SECONDS,
    V1,
    base_config,
    number,
    tidy,
    topic,
    typed,
    value_range,
    widget,
    wired_in,
)
from flowrt.nodered.families.dashboard_text import translate_format
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType


def import_base(node: NrNode, cx: MapContext) -> Mapped:
    return Mapped("dashboard", base_config(node, cx, V1, {
        t.type: t.imports for t in TYPES if t.type in V1.placed and t.imports}))


# -- widgets -------------------------------------------------------------------------------------


def import_text(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V1, node.get("label"))
    config["format"] = translate_format(str(node.get("format") or "{{msg.payload}}"), cx)
    layout = node.word("layout", "row-spread")
    if layout.startswith("col"):
        config["layout"] = "column"
    if as_bool(node.get("style")):
        cx.note("its own font, size and colour are not drawn")
    return Mapped("ui-text", config)


def import_gauge(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V1, node.get("title"))
    kind = node.word("gtype", "gage")
    if kind not in GAUGES:
        cx.note(f"a `{kind}` gauge is drawn as flowrt's dial")
        kind = "gage"
    if kind != "gage":
        config["gtype"] = kind
    low, high = value_range(node, "gauge")
    config |= {"min": low, "max": high}
    if node.get("label"):
        config["units"] = str(node.get("label"))
    shown = translate_format(str(node.get("format") or "{{value}}"), cx)
    if shown != "{{value}}":
        config["format"] = shown
    # a compass and a wave are drawn in the theme's colour: the three colours are not used
    config["sectors"] = sectors(node, low, high, cx) if kind in ("gage", "donut") else []
    return Mapped("ui-gauge", config)


def sectors(node: NrNode, low: float, high: float, cx: MapContext) -> list[dict[str, Any]]:
    """node-red-dashboard's three colours up to ``seg1``, ``seg2`` and ``max``."""
    colors = node.get("colors")
    if not (isinstance(colors, list) and len(colors) == 3
            and all(isinstance(c, str) and COLOR.match(c) for c in colors)):
        cx.note("its colours are not three CSS colours flowrt draws: none are drawn")
        return []
    seg1, seg2 = as_number(node.get("seg1")), as_number(node.get("seg2"))
    if seg1 is None or seg2 is None:
        cx.note("with no segments Node-RED shades one colour along the range; flowrt draws "
                "the three colours as equal thirds")
        seg1, seg2 = low + (high - low) / 3, low + 2 * (high - low) / 3
    ends = sorted(min(max(float(s), low), high) for s in (seg1, seg2))
    return [{"to": tidy(round(to, 6)), "color": c} for to, c in zip([*ends, high], colors,
                                                             strict=True)]


def import_chart(node: NrNode, cx: MapContext) -> Mapped:
    kind = node.word("chartType", "line")
    if kind not in CHARTS:
        raise Unsupported(f"a `{kind}` chart: flowrt's ui-chart draws lines, bars, pies, "
                          "radars and polar areas")
    config = widget(node, cx, V1, node.get("label"))
    if kind != "line":
        config["chart_type"] = CHARTS[kind]
    unit = SECONDS.get(str(node.get("removeOlderUnit") or "3600"), 3600)
    config["max_age"] = number(node, "removeOlder", 1) * unit
    points = as_number(node.get("removeOlderPoints"))
    if points is not None and points >= 1:
        if points != 1000:
            config["max_points"] = int(min(points, 100_000))
    else:
        cx.note("Node-RED keeps every point in the time window; flowrt keeps 1000 a series "
                "(set `max_points`)")
    y_min, y_max = as_number(node.get("ymin")), as_number(node.get("ymax"))
    if y_min is not None and y_max is not None and y_max <= y_min:
        cx.note("ymax is not above ymin: the axis follows the values")
        y_min = y_max = None
    if y_min is not None:
        config["y_min"] = tidy(y_min)
    if y_max is not None:
        config["y_max"] = tidy(y_max)
    colors = node.get("colors")
    if isinstance(colors, list) and colors and all(isinstance(c, str) and c for c in colors):
        config["colors"] = list(colors)
    if as_bool(node.get("legend")):
        cx.note("the legend is not drawn")
    if node.word("interpolate", "linear") != "linear":
        cx.note(f"`{node.get('interpolate')}` lines are drawn straight")
    cx.note("a whole chart sent as `msg.payload = [{series, data, labels}]` is not read; "
            "send one number a message (`[]` clears)")
    return Mapped("ui-chart", config)


def import_button(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V1, node.get("label"))
    kind = node.get("payloadType") or "str"
    if kind == "str" and not node.get("payload"):
        config["payload"] = node.id  # Node-RED sends the node's id
    elif kind == "date":
        config["payload"] = {"type": "date"}
    else:
        config["payload"] = typed(node, "payload", "payloadType", cx, "str")
    config["topic"] = topic(node, cx)
    color = node.get("bgcolor")
    if isinstance(color, str) and color:
        if COLOR.match(color):
            config["color"] = color
        else:
            cx.note(f"background `{color}` is not a colour flowrt draws")
    if not as_bool(node.get("passthru")) and wired_in(node, cx):
        cx.note("a message in presses the button (in Node-RED only with pass through on)")
    return Mapped("ui-button", config)


def import_switch(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V1, node.get("label"))
    config["on_value"] = typed(node, "onvalue", "onvalueType", cx, "bool")
    config["off_value"] = typed(node, "offvalue", "offvalueType", cx, "bool")
    config["topic"] = topic(node, cx)
    config["passthru"] = as_bool(node.get("passthru"))
    if config["passthru"]:
        config["others"] = "position"  # ui.js passes any other payload on as the position
    if not config["passthru"] and str(node.get("decouple")) != "true":
        # ui_switch.js: without pass-through and with the indicator on the output (decouple
        # "false", its default) convert() keeps the old value: a message in moves nothing
        config["indicator"] = "output"
    if str(node.get("decouple")) == "true":
        cx.note("the switch shows what it is sent, not what is clicked (decouple) in "
                "Node-RED; flowrt's shows both")
    if node.get("onicon") or node.get("officon"):
        cx.note("its on and off icons are not drawn")
    return Mapped("ui-switch", config)


def import_slider(node: NrNode, cx: MapContext) -> Mapped:
    config = widget(node, cx, V1, node.get("label"))
    low, high = value_range(node, "slider")
    step = number(node, "step", 1)
    if step <= 0:
        cx.note(f"step {step:g} is read as 1")
        step = 1
    config |= {"min": low, "max": high, "step": step, "topic": topic(node, cx),
               "passthru": as_bool(node.get("passthru"))}
    config["send"] = "continuous" if node.word("outs", "all") == "all" else "release"
    config |= NODE_RED_NUMBERS
    if config["passthru"]:
        cx.note(NOT_NUMBER)
    return Mapped("ui-slider", config)


def prepare_import(export: Any) -> None:
    """Give an export with widgets but no base (a selection exported alone) a base, so that
    the dashboard connection is made (dashboard2.py does the same for its scheme)."""
    ex.add_base(export, V1)


def finish_export(docs: list[Any], made: dict[str, dict[str, dict[str, Any]]],
                  options: dict[str, Any]) -> list[dict[str, Any]]:
    return ex.finish(docs, made, options)


_LATER = "node-red-dashboard's `{}` has no flowrt widget yet ({})"

TYPES = (
    NrType("ui_base", "dashboard", import_base, ex.export_base, config=True, stub="title"),
    NrType("ui_tab", config=True, folded=True),
    NrType("ui_group", config=True, folded=True),
    NrType("ui_text", "ui-text", import_text, ex.export_text),
    NrType("ui_gauge", "ui-gauge", import_gauge, ex.export_gauge),
    NrType("ui_chart", "ui-chart", import_chart, ex.export_chart),
    NrType("ui_button", "ui-button", import_button, ex.export_button),
    NrType("ui_switch", "ui-switch", import_switch, ex.export_switch),
    NrType("ui_slider", "ui-slider", import_slider, ex.export_slider),
    NrType("ui_numeric", "ui-numeric", inputs.import_numeric, inputs.export_numeric),
    NrType("ui_dropdown", "ui-dropdown", inputs.import_dropdown, inputs.export_dropdown),
    NrType("ui_text_input", "ui-text-input", inputs.import_text_input,
           inputs.export_text_input),
    NrType("ui_colour_picker", "ui-colour-picker", inputs.import_colour_picker,
           inputs.export_colour_picker),
    NrType("ui_date_picker", "ui-date-picker", inputs.import_date_picker,
           inputs.export_date_picker),
    NrType("ui_form", "ui-form", inputs.import_form, inputs.export_form),
    NrType("ui_toast", "ui-notification", inputs.import_toast, inputs.export_notification),
    NrType("ui_ui_control", "ui-control", inputs.import_control, inputs.export_control),
    NrType("ui_spacer", config=True,
           unsupported="a spacer is a config node of node-red-dashboard, which the import "
           "does not make a node: the widgets after it close up (add a ui-spacer node to the "
           "group's widgets in flowrt)"),
    NrType("ui_template", "ui-template", templates.import_template, templates.export_template,
           variants=(("ui-markdown", ex.export_markdown),)),
    NrType("ui_audio", unsupported=_LATER.format("ui_audio", "speech and sound in the "
                                                 "browser")),
    NrType("ui_link", unsupported=_LATER.format("ui_link", "a link in the menu")),
)
