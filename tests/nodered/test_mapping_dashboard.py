"""node-red-dashboard 3.x (flowrt/nodered/families/dashboard.py): the layout from ui_tab and
ui_group, the six widgets as the package's editor writes them (defaults read from
node-red-dashboard 3.6.6's nodes/*.html), the caveats and reasons, the export back and an
import -> export -> import round trip; every import passes `flowrt validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowrt.load import load_project
from flowrt.nodered.export import export_project
from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.families.dashboard_export import export_gauge, export_text
from tests.nodered.helpers import entry, errors, node, nr_import, tab, texts

Z = "t1"


def base(**extra: Any) -> dict[str, Any]:
    return {"id": "b1", "type": "ui_base", "theme": {"name": "theme-dark"},
            "site": {"name": "Plant", "hideToolbar": "false", "allowSwipe": "false",
                     "lockMenu": "false", "allowTempTheme": "true",
                     "dateFormat": "DD/MM/YYYY", "sizes": {"sx": 48, "sy": 48}}, **extra}


def ui_tab(tab_id: str, name: str, order: int, **extra: Any) -> dict[str, Any]:
    return {"id": tab_id, "type": "ui_tab", "name": name, "icon": "dashboard",
            "order": order, "disabled": False, "hidden": False, **extra}


def ui_group(group_id: str, name: str, tab_id: str, order: int, width: str = "6",
             **extra: Any) -> dict[str, Any]:
    return {"id": group_id, "type": "ui_group", "name": name, "tab": tab_id, "order": order,
            "disp": True, "width": width, "collapse": False, "className": "", **extra}


def text(node_id: str, group: str, order: int, **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "type": "ui_text", "z": Z, "group": group, "order": order,
            "width": 0, "height": 0, "name": "", "label": "text", "format": "{{msg.payload}}",
            "layout": "row-spread", "className": "", "style": False, "font": "",
            "fontSize": 16, "color": "#000000", "x": 300, "y": 60 + 40 * order,
            "wires": [], **extra}


GAUGE = {"id": "gau", "type": "ui_gauge", "z": Z, "name": "", "group": "g1", "order": 3,
         "width": 0, "height": 0, "gtype": "gage", "title": "Boiler", "label": "°C",
         "format": "{{value}}", "min": 0, "max": "100",
         "colors": ["#00b500", "#e6e600", "#ca3838"], "seg1": "40", "seg2": "70",
         "diff": False, "className": "", "x": 300, "y": 200, "wires": []}
CHART = {"id": "cha", "type": "ui_chart", "z": Z, "name": "", "group": "g2", "order": 1,
         "width": "8", "height": "5", "label": "History", "chartType": "line",
         "legend": "false", "xformat": "HH:mm:ss", "interpolate": "linear", "nodata": "",
         "dot": False, "ymin": "0", "ymax": "", "removeOlder": "10", "removeOlderPoints": "500",
         "removeOlderUnit": "60", "cutout": 0, "useOneColor": False, "useUTC": False,
         "colors": ["#1f77b4", "#aec7e8", "#ff7f0e"], "outputs": 1,
         "useDifferentColor": False, "className": "", "x": 300, "y": 240, "wires": [[]]}
BUTTON = {"id": "btn", "type": "ui_button", "z": Z, "name": "", "group": "g3", "order": 1,
          "width": 0, "height": 0, "passthru": False, "label": "Reset", "tooltip": "",
          "color": "", "bgcolor": "#ff0000", "className": "", "icon": "", "payload": "reset",
          "payloadType": "str", "topic": "topic", "topicType": "msg", "x": 100, "y": 300,
          "wires": [["dbg"]]}
SWITCH = {"id": "sw", "type": "ui_switch", "z": Z, "name": "", "label": "Heating",
          "tooltip": "", "group": "g3", "order": 2, "width": 0, "height": 0, "passthru": True,
          "decouple": "false", "topic": "heating", "topicType": "str", "style": "",
          "onvalue": "on", "onvalueType": "str", "onicon": "", "oncolor": "",
          "offvalue": "off", "offvalueType": "str", "officon": "", "offcolor": "",
          "animate": False, "className": "", "x": 100, "y": 340, "wires": [["dbg"]]}
SLIDER = {"id": "sl", "type": "ui_slider", "z": Z, "name": "", "label": "Set point",
          "tooltip": "", "group": "g3", "order": 3, "width": 0, "height": 0, "passthru": True,
          "outs": "end", "topic": "topic", "topicType": "msg", "min": "10", "max": "30",
          "step": "0.5", "className": "", "x": 100, "y": 380, "wires": [["dbg"]]}


def dashboard_export() -> list[dict[str, Any]]:
    return [
        tab(Z, "Sensors"),
        {"id": "inj", "type": "inject", "z": Z, "props": [{"p": "payload"}], "repeat": "",
         "once": False, "payload": "21.5", "payloadType": "num", "x": 100, "y": 80,
         "wires": [["txt", "gau", "cha"]]},
        text("txt", "g1", 1, label="Hall", format="{{msg.payload | number:1}} °C"),
        text("txt2", "g1", 2, label="Status", width="3", height="2"),
        GAUGE, CHART, BUTTON, SWITCH, SLIDER,
        {"id": "dbg", "type": "debug", "z": Z, "active": True, "complete": "false",
         "x": 400, "y": 300, "wires": []},
        ui_group("g1", "Now", "tabA", 1),
        ui_group("g2", "Default", "tabA", 2, width="8", disp=False),
        ui_group("g3", "Default", "tabB", 1),
        ui_tab("tabB", "Controls", 2),
        ui_tab("tabA", "Home", 1),
        base(),
    ]


def dashboard_of(conversion: Any) -> dict[str, Any]:
    flow = conversion.flows[0]
    found = [c for c in flow.connections.values() if c.type == "dashboard"]
    assert len(found) == 1
    return dict(found[0].config)


def test_the_layout_comes_from_tabs_groups_and_the_widgets_places() -> None:
    conversion = nr_import(dashboard_export())
    assert not errors(conversion), errors(conversion)
    assert dashboard_of(conversion) == {
        "title": "Plant", "theme": "dark", "pages": [
            {"id": "home", "title": "Home", "groups": [
                {"id": "now", "title": "Now", "width": 6, "widgets": [
                    "txt", {"node": "txt2", "width": 3, "height": 2},
                    {"node": "gau", "height": 4}]},  # auto: half the group's width, plus one
                {"id": "default", "width": 8, "widgets": [
                    {"node": "cha", "width": 8, "height": 5}]}]},
            {"id": "controls", "title": "Controls", "groups": [
                {"id": "default-2", "title": "Default", "width": 6,
                 "widgets": ["btn", "sw", "sl"]}]}]}
    for nr_id in ("tabA", "tabB", "g1", "g2", "g3"):
        assert entry(conversion, nr_id).reason == ""


def test_the_widgets_as_the_package_writes_them() -> None:
    conversion = nr_import(dashboard_export())
    assert node(conversion, "txt") == {"type": "ui-text", "label": "Hall",
                                       "dashboard": "b1", "format": "{{msg.payload}} °C"}
    assert any("| number:1" in n for n in entry(conversion, "txt").notes)
    assert node(conversion, "gau") == {
        "type": "ui-gauge", "label": "Boiler", "dashboard": "b1", "min": 0, "max": 100,
        "units": "°C",
        "sectors": [{"to": 40, "color": "#00b500"}, {"to": 70, "color": "#e6e600"},
                    {"to": 100, "color": "#ca3838"}]}
    assert node(conversion, "cha") == {
        "type": "ui-chart", "label": "History", "dashboard": "b1", "max_age": 600,
        "max_points": 500, "y_min": 0, "colors": ["#1f77b4", "#aec7e8", "#ff7f0e"]}
    assert node(conversion, "btn") == {
        "type": "ui-button", "label": "Reset", "dashboard": "b1", "payload": "reset",
        "topic": {"type": "msg", "value": "topic"}, "color": "#ff0000", "to": "dbg"}
    assert node(conversion, "sw") == {
        "type": "ui-switch", "label": "Heating", "dashboard": "b1", "on_value": "on",
        "off_value": "off", "topic": "heating", "passthru": True, "others": "position",
        "to": "dbg"}
    assert node(conversion, "sl") == {
        "type": "ui-slider", "label": "Set point", "dashboard": "b1", "min": 10, "max": 30,
        "step": 0.5, "topic": {"type": "msg", "value": "topic"}, "passthru": True,
        "send": "release", "outside": "keep", "repeats": "drop", "to": "dbg"}


@pytest.mark.parametrize(("props", "config", "note"), [
    ({"payload": "", "payloadType": "str"}, {"payload": "btn"}, None),  # the node's id
    ({"payloadType": "date", "payload": ""}, {"payload": {"type": "date"}}, None),
    ({"payload": "{\"a\":1}", "payloadType": "json"},
     {"payload": {"type": "json", "value": {"a": 1}}}, None),
    ({"passthru": False}, {}, "a message in presses the button"),
])
def test_button_payloads(props: dict[str, Any], config: dict[str, Any],
                         note: str | None) -> None:
    wired = [{"id": "in", "type": "inject", "z": Z, "x": 0, "y": 0, "wires": [["btn"]]}]
    conversion = nr_import([n if n.get("id") != "btn" else {**BUTTON, **props}
                            for n in dashboard_export()] + (wired if note else []))
    made = node(conversion, "btn")
    for key, value in config.items():
        assert made[key] == value
    if note:
        assert any(note in n for n in entry(conversion, "btn").notes)


def test_format_constructs_and_gauge_types_are_caveats() -> None:
    conversion = nr_import([n if n.get("id") != "txt" else text(
        "txt", "g1", 1, format="<b>{{msg.payload.toFixed(2)}}</b> {{msg.topic}}")
        for n in dashboard_export() if n.get("id") != "gau"]
        + [{**GAUGE, "gtype": "donut", "seg1": "", "seg2": "", "max": 9}])
    made = node(conversion, "txt")
    assert made["format"] == "<b>{{msg.payload.toFixed(2)}}</b> {{msg.topic}}"
    notes = " ".join(entry(conversion, "txt").notes)
    assert "toFixed" in notes and "HTML" in notes
    gauge = node(conversion, "gau")
    assert [s["to"] for s in gauge["sectors"]] == [3, 6, 9]
    assert gauge["gtype"] == "donut"  # test_mapping_dashboard_gauges.py has the others
    assert not any("donut" in n for n in entry(conversion, "gau").notes)
    assert not errors(conversion), errors(conversion)


@pytest.mark.parametrize(("nr_node", "reason"), [
    ({**CHART, "chartType": "bubble"}, "`bubble` chart"),
    ({**SLIDER, "min": "5", "max": "5"}, "not above min"),
    ({**GAUGE, "group": "nowhere"}, "is not in the export"),
])
def test_what_is_not_imported_says_why(nr_node: dict[str, Any], reason: str) -> None:
    conversion = nr_import([n for n in dashboard_export() if n.get("id") != nr_node["id"]]
                           + [nr_node])
    assert reason in entry(conversion, nr_node["id"]).reason
    assert not errors(conversion), errors(conversion)


def test_widgets_on_another_tab_stay_out_of_the_layout() -> None:
    other = [tab("t2", "Other"), text("far", "g1", 9, z="t2", label="Far")]
    conversion = nr_import(dashboard_export() + other)
    assert "place" in entry(conversion, "far").reason
    assert "far" not in str(dashboard_of(conversion))
    assert not errors(conversion), errors(conversion)


def test_an_export_with_no_base_gets_one() -> None:
    conversion = nr_import([n for n in dashboard_export() if n["type"] != "ui_base"])
    config = dashboard_of(conversion)
    assert (config["title"], config["theme"]) == ("Node-RED Dashboard", "light")
    assert node(conversion, "txt")["dashboard"] == "dashboard"
    assert not errors(conversion), errors(conversion)


def _write(conversion: Any, where: Path) -> None:
    where.mkdir()
    for name, content in texts(conversion).items():
        (where / Path(name).name).write_text(content)


def test_the_export_is_node_red_dashboard_and_imports_back_the_same(tmp_path: Path) -> None:
    first = nr_import(dashboard_export())
    _write(first, tmp_path / "one")
    assert not load_project([str(tmp_path / "one")]).diagnostics
    exported, notes = export_project([str(tmp_path / "one")])
    assert not notes.items, notes.items
    by_id = {n["id"]: n for n in exported}
    assert by_id["b1"]["type"] == "ui_base"
    assert by_id["b1"]["site"]["name"] == "Plant"
    assert by_id["b1"]["theme"]["name"] == "theme-dark"
    tabs = sorted((n for n in exported if n["type"] == "ui_tab"), key=lambda n: n["order"])
    assert [t["name"] for t in tabs] == ["Home", "Controls"]
    groups = {n["id"]: n for n in exported if n["type"] == "ui_group"}
    gauge = by_id["gau"]
    assert (gauge["title"], gauge["label"], gauge["seg1"], gauge["seg2"]) == (
        "Boiler", "°C", "40", "70")
    assert groups[gauge["group"]]["name"] == "Now"
    assert groups[gauge["group"]]["tab"] == tabs[0]["id"]
    assert (gauge["order"], gauge["height"]) == (3, "4")
    switch = by_id["sw"]
    assert (switch["onvalue"], switch["onvalueType"], switch["passthru"]) == ("on", "str", True)
    assert by_id["sl"]["outs"] == "end"
    chart = by_id["cha"]
    assert (chart["removeOlder"], chart["removeOlderUnit"], chart["removeOlderPoints"]) == (
        "10", "60", "500")
    second = nr_import(exported)
    assert not errors(second), errors(second)
    assert texts(second) == texts(first)


def _input(node_id: str, kind: str, order: int, **props: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "z": Z, "name": "", "group": "g3", "order": order,
            "width": 0, "height": 0, "passthru": True, "topic": "topic", "topicType": "msg",
            "className": "", "x": 100, "y": 400 + 40 * order, "wires": [["dbg"]], **props}


OTHERS = [
    _input("num", "ui_numeric", 4, label="Fans", wrap=False, format="{{value}}", min=0,
           max="8", step=1),
    _input("dd", "ui_dropdown", 5, label="Mode", place="Select option", multiple=False,
           options=[{"label": "Auto", "value": "auto", "type": "str"},
                    {"label": "", "value": "3", "type": "num"},
                    {"label": "On", "value": True, "type": "bool"}], payload=""),
    _input("ti", "ui_text_input", 6, label="Name", mode="text", delay=300, sendOnBlur=True),
    _input("cp", "ui_colour_picker", 7, label="", format="hex", outformat="string",
           showSwatch=True, showPicker=False, showValue=False, showHue=False,
           showAlpha=False, showLightness=True, square="false", dynOutput="false"),
    _input("dp", "ui_date_picker", 8, label="date"),
    _input("fm", "ui_form", 9, label="", formValue={"who": "", "n": ""}, payload="",
           submit="submit", cancel="cancel", splitLayout="",
           options=[{"label": "Who", "value": "who", "type": "text", "required": True,
                     "rows": None},
                    {"label": "N", "value": "n", "type": "number", "required": False,
                     "rows": None}]),
    {"id": "toast", "type": "ui_toast", "z": Z, "position": "top right", "displayTime": "3",
     "highlight": "", "sendall": True, "outputs": 0, "ok": "OK", "cancel": "", "raw": False,
     "className": "", "topic": "", "name": "", "x": 500, "y": 100, "wires": []},
    {"id": "ctl", "type": "ui_ui_control", "z": Z, "name": "", "events": "connect",
     "x": 500, "y": 140, "wires": [["dbg"]]},
]


def test_the_other_widgets_import_and_come_back(tmp_path: Path) -> None:
    first = nr_import(dashboard_export() + OTHERS)
    assert not errors(first), errors(first)
    for nr_id in ("num", "dd", "ti", "cp", "dp", "fm", "toast", "ctl"):
        assert entry(first, nr_id).reason == "", (nr_id, entry(first, nr_id).reason)
    assert node(first, "dd")["options"] == [{"label": "Auto", "value": "auto"}, 3,
                                            {"label": "On", "value": True}]
    assert node(first, "fm")["fields"] == [
        {"name": "who", "type": "text", "label": "Who", "required": True},
        {"name": "n", "type": "number", "label": "N"}]
    assert node(first, "ctl") == {"type": "ui-control", "dashboard": "b1",
                                  "events": "connect", "to": "dbg"}
    assert node(first, "toast")["position"] == "top right"
    controls = dashboard_of(first)["pages"][1]["groups"][0]["widgets"]
    assert controls == ["btn", "sw", "sl", "num", "dd", "ti", "cp", "dp", "fm"]
    _write(first, tmp_path / "one")
    exported, notes = export_project([str(tmp_path / "one")])
    assert not notes.items, notes.items
    assert "group" not in next(n for n in exported if n["id"] == "toast")
    assert texts(nr_import(exported)) == texts(first)


def test_a_dialog_is_not_a_notification() -> None:
    dialog = {**OTHERS[-2], "position": "dialog", "ok": "OK", "cancel": "Cancel"}
    conversion = nr_import(dashboard_export() + [dialog])
    assert "waits for an answer" in entry(conversion, "toast").reason


# ui_template: tests/nodered/test_mapping_dashboard_template.py


def test_odd_sizes_and_orders_still_validate() -> None:
    nodes = [n if n.get("id") not in ("g1", "txt", "gau", "tabA") else {
        "g1": {**ui_group("g1", "Now", "tabA", 1), "width": "24", "order": "x"},
        "txt": text("txt", "g1", 1, width="30", height="40"),
        "gau": {**GAUGE, "width": [3], "height": None, "order": None},
        "tabA": {**ui_tab("tabA", "Home", 1), "name": ["not", "text"], "hidden": "true"},
    }[n["id"]] for n in dashboard_export()]
    conversion = nr_import(nodes)
    assert not errors(conversion), errors(conversion)
    page = dashboard_of(conversion)["pages"][0]
    assert page["groups"][0]["width"] == 12
    assert page["id"] == "page"  # a name that is not text
    assert {"node": "txt", "width": 12, "height": 12} in page["groups"][0]["widgets"]
    notes = " ".join(entry(conversion, "b1").notes)
    assert "24 units wide" in notes and "hidden or disabled" in notes


def test_missing_numbers_take_the_package_defaults() -> None:
    bare = {k: v for k, v in GAUGE.items() if k not in ("min", "max", "seg1", "seg2")}
    slider = {k: v for k, v in SLIDER.items() if k not in ("min", "max", "step")}
    conversion = nr_import([n for n in dashboard_export() if n["id"] not in ("gau", "sl")]
                           + [bare, slider])
    gauge = node(conversion, "gau")
    assert (gauge["min"], gauge["max"]) == (0, 10)  # the package's defaults
    assert (node(conversion, "sl")["min"], node(conversion, "sl")["max"],
            node(conversion, "sl")["step"]) == (0, 10, 1)


def test_the_export_of_a_widget_reading_another_property() -> None:
    assert export_text({"property": "payload.t", "format": "{{value}} °C"})["format"] == (
        "{{msg.payload.t}} °C")
    with pytest.raises(NoCounterpart, match="change node"):
        export_gauge({"property": "level"})


def test_a_wired_chart_output_is_dropped_with_a_note_and_the_import_validates() -> None:
    # node-red-dashboard's chart sends its data on; flowrt's ui-chart has no output. A node's
    # `label` (a node key, not configuration) once hid the port count, so the wire was kept
    # and `flowrt validate` failed with E032 on the imported file.
    conversion = nr_import([
        tab(), {**CHART, "wires": [["dbg"]]},
        {"id": "dbg", "type": "debug", "z": Z, "active": True, "complete": "false",
         "x": 400, "y": 300, "wires": []},
        ui_group("g2", "Default", "tabA", 1), ui_tab("tabA", "Home", 1), base()])
    assert errors(conversion) == []
    assert "to" not in node(conversion, "cha")
    assert "output 1 has no flowrt counterpart: its wires are dropped" in entry(
        conversion, "cha").notes


@pytest.mark.parametrize(("passthru", "decouple", "indicator"), [
    (False, "false", "output"),  # the indicator shows the output: a message in moves nothing
    (False, "true", None),  # it shows the input: flowrt's default
    (True, "false", None),  # pass-through: it follows what it passes on (decouple hidden)
])
def test_a_switchs_indicator_imports_and_exports_back(
        tmp_path: Path, passthru: bool, decouple: str, indicator: str | None) -> None:
    nr_switch = {**SWITCH, "passthru": passthru, "decouple": decouple}
    first = nr_import([tab(Z), nr_switch, ui_group("g3", "Default", "tabB", 1),
                       ui_tab("tabB", "Controls", 1), base(),
                       {"id": "dbg", "type": "debug", "z": Z, "active": True,
                        "complete": "false", "x": 400, "y": 300, "wires": []}])
    assert not errors(first), errors(first)
    assert node(first, "sw").get("indicator") == indicator
    _write(first, tmp_path / "one")
    assert not load_project([str(tmp_path / "one")]).diagnostics
    exported, notes = export_project([str(tmp_path / "one")])
    assert not notes.items, notes.items
    switch = next(n for n in exported if n["id"] == "sw")
    assert (switch["passthru"], switch["decouple"]) == (passthru, decouple)
