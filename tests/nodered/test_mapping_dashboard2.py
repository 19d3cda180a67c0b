"""FlowFuse Dashboard 2 (flowrt/nodered/families/dashboard2.py): ui-base, ui-page, ui-group,
ui-theme and the six widgets as @flowfuse/node-red-dashboard 1.31's editor writes them
(defaults read from its nodes/**/*.html); the import passes `flowrt validate` and exports (with
`--dashboard 1`) as node-red-dashboard 3.x, which imports back the same (the Dashboard 2 export:
test_export_dashboard2.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowrt.nodered.export import export_project
from tests.nodered.helpers import entry, errors, node, nr_import, tab, texts

Z = "t1"


def widget(node_id: str, kind: str, order: int, **props: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "z": Z, "group": "grp", "order": order,
            "width": 0, "height": 0, "name": "", "className": "", "x": 200,
            "y": 40 * order, "wires": [] if kind in ("ui-text",) else [[]], **props}


def export() -> list[dict[str, Any]]:
    return [
        tab(Z, "Board"),
        {"id": "base", "type": "ui-base", "name": "My Dashboard", "path": "/dashboard",
         "appIcon": "", "includeClientData": True,
         "acceptsClientConfig": ["ui-notification", "ui-control"],
         "showPathInSidebar": False, "navigationStyle": "default", "titleBarStyle": "default"},
        {"id": "theme", "type": "ui-theme", "name": "Dark",
         "colors": {"surface": "#111111", "primary": "#0d74ce", "bgPage": "#202020",
                    "groupBg": "#2a2a2a", "groupOutline": "#444444"},
         "sizes": {"pagePadding": "12px", "groupGap": "12px", "groupBorderRadius": "4px",
                   "widgetGap": "12px"}},
        {"id": "page", "type": "ui-page", "name": "Overview", "ui": "base", "path": "/page1",
         "icon": "home", "layout": "grid", "theme": "theme", "breakpoints": [], "order": 1,
         "className": "", "visible": "true", "disabled": "false"},
        {"id": "grp", "type": "ui-group", "name": "Climate", "page": "page", "width": "6",
         "height": "1", "order": 1, "showTitle": True, "className": "", "visible": "true",
         "disabled": "false", "groupType": "default"},
        widget("txt", "ui-text", 1, label="Hall", format="{{msg.payload}} °C",
               layout="row-spread", style=False, font="Helvetica", fontSize=16,
               color="#717171", wrapText=False, value="payload", valueType="msg"),
        widget("gau", "ui-gauge", 2, value="payload", valueType="msg", height=3,
               gtype="gauge-half", gstyle="needle", title="Boiler", units="°C", prefix="",
               suffix="", segments=[{"from": "0", "color": "#5cd65c"},
                                    {"from": "4", "color": "#ffc800"},
                                    {"from": "7", "color": "#ea5353"}], min=0, max=10),
        widget("cha", "ui-chart", 3, label="History", chartType="line", category="topic",
               categoryType="msg", xAxisProperty="", xAxisPropertyType="timestamp",
               xAxisType="time", yAxisProperty="payload", yAxisPropertyType="msg",
               ymin="", ymax="", action="append", removeOlder=1, removeOlderUnit="3600",
               removeOlderPoints="", colors=["#0095ff", "#ff0000"], width=6, height=8),
        widget("btn", "ui-button", 4, label="Go", emulateClick=True, payload="go",
               payloadType="str", topic="topic", topicType="msg", buttonColor=""),
        widget("sw", "ui-switch", 5, label="Fan", passthru=False, decouple=False,
               topic="topic", topicType="msg", onvalue="true", onvalueType="bool",
               offvalue="false", offvalueType="bool"),
        widget("sl", "ui-slider", 6, label="Level", passthru=False, outs="end",
               topic="topic", topicType="msg", min=0, max=10, step=1),
    ]


def test_dashboard_2_imports_as_flowrt_dashboard() -> None:
    conversion = nr_import(export())
    assert not errors(conversion), errors(conversion)
    flow = conversion.flows[0]
    board = next(c for c in flow.connections.values() if c.type == "dashboard")
    assert board.config == {"title": "My Dashboard", "theme": "dark", "pages": [
        {"id": "overview", "title": "Overview", "groups": [
            {"id": "climate", "title": "Climate", "width": 6, "widgets": [
                "txt", {"node": "gau", "height": 3}, {"node": "cha", "width": 6, "height": 8},
                "btn", "sw", "sl"]}]}]}
    assert node(conversion, "txt") == {"type": "ui-text", "label": "Hall",
                                       "dashboard": "base", "format": "{{msg.payload}} °C"}
    assert node(conversion, "gau") == {
        "type": "ui-gauge", "label": "Boiler", "dashboard": "base", "min": 0, "max": 10,
        "units": "°C", "sectors": [{"to": 4, "color": "#5cd65c"}, {"to": 7, "color": "#ffc800"},
                                   {"to": 10, "color": "#ea5353"}]}
    assert node(conversion, "cha")["max_age"] == 3600
    assert node(conversion, "btn")["payload"] == "go"
    assert node(conversion, "sw")["on_value"] is True
    assert node(conversion, "sl")["send"] == "release"
    for nr_id in ("base", "page", "grp", "theme", "txt", "gau", "cha", "btn", "sw", "sl"):
        assert entry(conversion, nr_id).reason == "", nr_id


def test_markdown_is_markdown() -> None:  # ui-template: test_mapping_dashboard_template.py
    nodes = [*export(), widget("md", "ui-markdown", 7, content="# Level\n\n{{msg.payload}} %")]
    conversion = nr_import(nodes)
    assert node(conversion, "md") == {"type": "ui-markdown", "dashboard": "base",
                                      "content": "# Level\n\n{{msg.payload}} %"}
    assert not errors(conversion), errors(conversion)


def test_what_dashboard_2_has_more_of_is_said() -> None:
    nodes = [n for n in export() if n["id"] not in ("cha", "txt")] + [
        widget("cha", "ui-chart", 3, chartType="bar", xAxisType="category"),
        widget("txt", "ui-text", 1, label="Hall", value="reading", valueType="flow")]
    conversion = nr_import(nodes)
    assert "`bar` chart" in entry(conversion, "cha").reason
    assert "from `flow`" in entry(conversion, "txt").reason
    assert not errors(conversion), errors(conversion)


NODE_RED_WAYS = ("outside: keep", "repeats: drop", "others: position")


def test_dashboard_2_exports_as_node_red_dashboard_and_back(tmp_path: Path) -> None:
    first = nr_import(export())
    (tmp_path / "one").mkdir()
    for name, content in texts(first).items():
        (tmp_path / "one" / Path(name).name).write_text(content)
    exported, notes = export_project([str(tmp_path / "one")], dashboard="1")
    assert not notes.items
    types = {n["type"] for n in exported}
    assert {"ui_base", "ui_tab", "ui_group", "ui_text", "ui_gauge", "ui_chart", "ui_button",
            "ui_switch", "ui_slider"} <= types
    second = nr_import(exported)

    def kept(conversion: Any) -> list[str]:  # the origin names the package's type; node-red-
        # dashboard's import sets its own ways with numbers outside a range and other payloads
        return [line for text in texts(conversion).values() for line in text.splitlines()
                if "origin:" not in line and line.strip() not in NODE_RED_WAYS]

    assert kept(second) == kept(first)


def test_dashboard_2_inputs_notifications_and_controls() -> None:
    nodes = [*export(),
             widget("ni", "ui-number-input", 7, label="number", topic="topic",
                    topicType="msg", min=0, max=10, step="", delay=300, passthru=True,
                    sendOnDelay=False, sendOnBlur=True, sendOnEnter=True, spinner="default"),
             widget("dd", "ui-dropdown", 8, label="Select Option", passthru=False,
                    multiple=False, chips=False, clearable=False, payload="", topic="topic",
                    topicType="msg", typeIsComboBox=True, msgTrigger="onChange",
                    options=[{"label": "A", "value": "a", "type": "str"}]),
             widget("ti", "ui-text-input", 9, label="text", topic="topic", topicType="msg",
                    mode="password", delay=0, passthru=True),
             {"id": "note", "type": "ui-notification", "z": Z, "ui": "base",
              "position": "bottom left", "colorDefault": True, "color": None,
              "displayTime": "5", "showCountdown": True, "outputs": 1, "allowDismiss": True,
              "dismissText": "Close", "allowConfirm": False, "raw": False, "className": "",
              "name": "", "x": 400, "y": 40, "wires": [[]]},
             {"id": "ctl", "type": "ui-control", "z": Z, "name": "", "ui": "base",
              "events": "all", "x": 400, "y": 80, "wires": [[]]}]
    conversion = nr_import(nodes)
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "ni") == {
        "type": "ui-numeric", "label": "number", "dashboard": "base",
        "topic": {"type": "msg", "value": "topic"}, "passthru": True, "min": 0, "max": 10,
        "step": 1, "wrap": False}
    assert node(conversion, "dd")["options"] == [{"label": "A", "value": "a"}]
    assert node(conversion, "ti")["mode"] == "password"
    assert node(conversion, "note") == {"type": "ui-notification", "dashboard": "base",
                                        "position": "bottom left", "display_time": 5}
    assert node(conversion, "ctl")["events"] == "all"
    widgets = str(next(c for c in conversion.flows[0].connections.values()).config)
    assert "'ni'" in widgets and "'note'" not in widgets and "'ctl'" not in widgets
    confirm = nr_import([*nodes[:-2], {**nodes[-2], "allowConfirm": True}])
    assert "waits for an answer" in entry(confirm, "note").reason
