"""FlowFuse Dashboard 2 export (flowrt/nodered/families/dashboard2_export.py): a dashboard
imported from Dashboard 2 exports back as Dashboard 2 (``--dashboard`` overrides either way),
and Dashboard 2 -> flowrt -> Dashboard 2 -> flowrt -> Dashboard 2 gives the same nodes, field
by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from flowrt.cli.commands import main
from flowrt.nodered.export import ExportNotes, export_project
from tests.nodered.helpers import errors, node, nr_import, texts
from tests.nodered.test_mapping_dashboard2 import Z, export, widget

V1_TYPES = {"ui_base", "ui_tab", "ui_group", "ui_text", "ui_gauge", "ui_chart", "ui_button",
            "ui_switch", "ui_slider", "ui_numeric", "ui_dropdown", "ui_text_input",
            "ui_template", "ui_toast", "ui_ui_control"}
V2_TYPES = {"ui-base", "ui-theme", "ui-page", "ui-group", "ui-text", "ui-gauge", "ui-chart",
            "ui-button", "ui-switch", "ui-slider", "ui-markdown", "ui-number-input",
            "ui-dropdown", "ui-text-input", "ui-template", "ui-notification", "ui-control"}


def every_widget() -> list[dict[str, Any]]:
    return [
        *export(),
        widget("md", "ui-markdown", 7, content="# Level\n\n{{msg.payload}} %"),
        widget("ni", "ui-number-input", 8, label="Number", topic="topic", topicType="msg",
               min=0, max=20, step=2, passthru=True, wrap=True),
        widget("dd", "ui-dropdown", 9, label="Pick", passthru=False, multiple=True,
               topic="mode", topicType="str",
               options=[{"label": "A", "value": "a", "type": "str"},
                        {"label": "", "value": 2, "type": "num"}]),
        widget("ti", "ui-text-input", 10, label="Secret", topic="topic", topicType="msg",
               mode="password", delay=0, passthru=True),
        widget("tpl", "ui-template", 11, label="Box", storeOutMessages=True, passthru=True,
               templateScope="local",
               format="<template><div>{{ msg.payload }}</div></template>"),
        {"id": "note", "type": "ui-notification", "z": Z, "ui": "base",
         "position": "bottom left", "colorDefault": False, "color": "#ff0000",
         "displayTime": "5", "allowConfirm": False, "raw": False, "name": "", "x": 400,
         "y": 40, "wires": [[]]},
        {"id": "ctl", "type": "ui-control", "z": Z, "name": "", "ui": "base",
         "events": "change", "x": 400, "y": 80, "wires": [[]]},
    ]


def write(conversion: Any, where: Path) -> str:
    where.mkdir()
    for name, content in texts(conversion).items():
        (where / Path(name).name).write_text(content)
    return str(where)


def by_id(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in nodes}


def first_export(tmp_path: Path, **options: Any) -> tuple[list[dict[str, Any]], ExportNotes]:
    conversion = nr_import(every_widget())
    assert not errors(conversion), errors(conversion)
    return export_project([write(conversion, tmp_path / "one")], **options)


def test_a_dashboard_2_import_exports_as_dashboard_2(tmp_path: Path) -> None:
    exported, notes = first_export(tmp_path)
    assert not notes.items, notes.items
    types = {n["type"] for n in exported}
    assert V2_TYPES <= types
    assert not types & V1_TYPES
    nodes = by_id(exported)
    assert (nodes["base"]["type"], nodes["base"]["name"]) == ("ui-base", "My Dashboard")
    assert nodes["base.theme"]["colors"]["bgPage"] == "#202020"  # dark, as imported
    page, group = nodes["base.overview"], nodes["base.overview.climate"]
    assert (page["name"], page["ui"], page["theme"], page["order"]) == (
        "Overview", "base", "base.theme", 1)
    assert (group["name"], group["page"], group["width"], group["showTitle"]) == (
        "Climate", "base.overview", "6", True)
    gauge = nodes["gau"]
    assert (gauge["title"], gauge["units"], gauge["min"], gauge["max"], gauge["gtype"]) == (
        "Boiler", "°C", 0, 10, "gauge-half")
    assert gauge["segments"] == [{"from": "0", "color": "#5cd65c"},
                                 {"from": "4", "color": "#ffc800"},
                                 {"from": "7", "color": "#ea5353"}]
    assert (gauge["group"], gauge["order"], gauge["height"]) == (
        "base.overview.climate", 2, "3")
    chart = nodes["cha"]
    assert (chart["removeOlder"], chart["removeOlderUnit"], chart["colors"],
            chart["width"], chart["height"]) == ("1", "3600", ["#0095ff", "#ff0000"], "6", "8")
    assert (nodes["btn"]["payload"], nodes["btn"]["topic"], nodes["btn"]["topicType"]) == (
        "go", "topic", "msg")
    assert (nodes["sw"]["onvalue"], nodes["sw"]["onvalueType"]) == ("true", "bool")
    assert (nodes["sl"]["outs"], nodes["sl"]["max"]) == ("end", 10)
    assert (nodes["ni"]["step"], nodes["ni"]["wrap"], nodes["ni"]["passthru"]) == (2, True, True)
    assert nodes["dd"]["options"] == [{"label": "A", "value": "a", "type": "str"},
                                      {"label": "", "value": "2", "type": "num"}]
    assert (nodes["dd"]["topic"], nodes["dd"]["multiple"]) == ("mode", True)
    assert nodes["ti"]["mode"] == "password"
    assert nodes["tpl"]["format"] == "<template><div>{{ msg.payload }}</div></template>"
    assert (nodes["note"]["ui"], nodes["note"]["color"], nodes["note"]["displayTime"]) == (
        "base", "#ff0000", "5")
    assert (nodes["ctl"]["ui"], nodes["ctl"]["events"]) == ("base", "change")
    assert "group" not in nodes["note"]


def test_round_trip_gives_the_same_nodes_field_by_field(tmp_path: Path) -> None:
    first, _ = first_export(tmp_path)
    again = nr_import(first)
    assert not errors(again), errors(again)
    assert node(again, "note")["highlight"] == "#ff0000"
    second, notes = export_project([write(again, tmp_path / "two")])
    assert not notes.items, notes.items
    one, two = by_id(first), by_id(second)
    assert set(one) == set(two)
    for nr_id, made in one.items():
        for key in set(made) | set(two[nr_id]):
            assert made.get(key) == two[nr_id].get(key), (nr_id, key)


def test_the_option_overrides_the_family(tmp_path: Path) -> None:
    as_v1, notes = first_export(tmp_path, dashboard="1")
    types = {n["type"] for n in as_v1}
    assert {"ui_base", "ui_tab", "ui_group", "ui_gauge", "ui_toast"} <= types
    assert not types & (V2_TYPES - {"ui-markdown"}), types  # flowrt's markdown: ui_template
    flow = tmp_path / "mine"
    flow.mkdir()
    (flow / "board.yaml").write_text(
        "connections:\n  board: {type: dashboard, title: Mine, pages: [{id: home, groups: "
        "[{id: g, widgets: [level]}]}]}\n"
        "nodes:\n  level: {type: ui-gauge, label: Level, dashboard: board, min: 0, max: 5,"
        " property: tank.level}\n  flat: {type: ui-text, dashboard: board}\n")
    default, notes = export_project([str(flow)])  # written in flowrt: node-red-dashboard 3.x
    assert {n["type"] for n in default} >= {"ui_base", "ui_text"}
    assert any(i.startswith("board/level: ") for i in notes.items)  # 3.x reads msg.payload
    chosen, notes = export_project([str(flow)], dashboard="2")
    assert not notes.items  # Dashboard 2's gauge reads any property
    nodes = by_id(chosen)
    assert (nodes["board"]["type"], nodes["level"]["type"], nodes["level"]["group"]) == (
        "ui-base", "ui-gauge", "board.home.g")
    assert (nodes["level"]["value"], nodes["level"]["title"]) == ("tank.level", "Level")
    assert nodes["board.theme"]["colors"]["bgPage"] == "#eeeeee"


def test_a_widget_dashboard_2_cannot_import_is_a_noted_comment(tmp_path: Path) -> None:
    flow = tmp_path / "mine"
    flow.mkdir()
    (flow / "board.yaml").write_text(
        "connections:\n  board: {type: dashboard, pages: [{id: home, groups: "
        "[{id: g, widgets: [bars]}]}]}\n"
        "nodes:\n  bars: {type: ui-chart, label: Bars, dashboard: board, chart_type: bar}\n")
    nodes, notes = export_project([str(flow)], dashboard="2")
    assert by_id(nodes)["bars"]["type"] == "comment"
    assert any(i.startswith("board/bars: ") and "line charts" in i for i in notes.items)


def test_the_cli_option(tmp_path: Path) -> None:
    conversion = nr_import(every_widget())
    where = write(conversion, tmp_path / "one")
    out = tmp_path / "flows.json"
    result = CliRunner().invoke(main, ["export", "nodered", where, "-o", str(out),
                                       "--dashboard", "1"])
    assert result.exit_code == 0, result.output
    assert '"type": "ui_gauge"' in out.read_text()
    refused = CliRunner().invoke(main, ["export", "nodered", where, "--dashboard", "3"])
    assert refused.exit_code != 0
