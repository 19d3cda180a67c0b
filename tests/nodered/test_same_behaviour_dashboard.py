"""Imported dashboard widgets pass on what node-red-dashboard's pass on: one flow of inject nodes
into widgets with pass through (switch, slider, numeric, button, text input, dropdown, date
picker) and from them to debug nodes runs in real Node-RED 4 with node-red-dashboard (from npm
on first use, see tests/nodered/contrib.py) and, imported, in flowrt; every widget passes on
the same payloads and topics: a switch passes any other payload on as the value of its
position (none before it has one), with its own topic; a slider and a numeric pass a number
outside the range on as it is, rounded to the step as JavaScript rounds, and not the number
they hold already. No browser is
connected on either side: what flows is what a message in does.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_dashboard.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowrt.nodered import convert, read_data
from flowrt.nodered.export import export_project
from flowrt.nodered.writer import render
from tests.nodered.contrib import version, with_contrib
from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home, tab

PACKAGE = "node-red-dashboard"
KEYS = ("payload", "topic")
Z = "t1"

LAYOUT: list[dict[str, Any]] = [
    {"id": "base", "type": "ui_base", "theme": {"name": "theme-light"},
     "site": {"name": "Test", "sizes": {"sx": 48, "sy": 48, "gx": 6, "gy": 6, "cx": 6,
                                        "cy": 6, "px": 0, "py": 0}}},
    {"id": "home", "type": "ui_tab", "name": "Home", "icon": "dashboard", "order": 1,
     "disabled": False, "hidden": False},
    {"id": "grp", "type": "ui_group", "name": "All", "tab": "home", "order": 1, "disp": True,
     "width": "6", "collapse": False, "className": ""},
]


def _widget(node_id: str, kind: str, order: int, **props: Any) -> dict[str, Any]:
    return {"id": node_id, "type": kind, "z": Z, "name": "", "group": "grp", "order": order,
            "width": 0, "height": 0, "passthru": True, "tooltip": "", "className": "",
            "x": 300, "y": 40 * order, "wires": [[f"{node_id}-seen"]], **props}


def _inject(node_id: str, target: str, payload: str, kind: str,
            topic: str = "") -> dict[str, Any]:
    return {"id": node_id, "type": "inject", "z": Z, "props": [{"p": "payload"},
                                                               {"p": "topic", "vt": "str"}],
            "payload": payload, "payloadType": kind, "topic": topic, "x": 100, "y": 0,
            "wires": [[target]]}


WIDGETS = [
    _widget("sw", "ui_switch", 1, label="switch", decouple="false", topic="heating",
            topicType="str", style="", onvalue="on", onvalueType="str", onicon="",
            oncolor="", offvalue="off", offvalueType="str", officon="", offcolor="",
            animate=False),
    _widget("sl", "ui_slider", 2, label="slider", outs="end", topic="topic",
            topicType="msg", min=0, max=10, step=1),
    _widget("num", "ui_numeric", 3, label="numeric", wrap=False, topic="topic",
            topicType="msg", format="{{value}}", min=0, max=10, step=1),
    _widget("sw2", "ui_switch", 7, label="plain", decouple="false", topic="",
            topicType="str", style="", onvalue="true", onvalueType="bool", onicon="",
            oncolor="", offvalue="false", offvalueType="bool", officon="", offcolor="",
            animate=False),
    _widget("btn", "ui_button", 4, label="button", color="", bgcolor="", icon="",
            payload="pressed", payloadType="str", topic="topic", topicType="msg"),
    _widget("ti", "ui_text_input", 5, label="text", mode="text", delay=300, topic="topic",
            sendOnBlur=True, topicType="msg"),
    _widget("dd", "ui_dropdown", 6, label="dropdown", place="Select option",
            multiple=False, payload="", topic="topic", topicType="msg",
            options=[{"label": "A", "value": "a", "type": "str"},
                     {"label": "B", "value": "b", "type": "str"}]),
]

INPUTS = [
    _inject("i1", "sw", "on", "str", "t-on"),
    _inject("i2", "sw", "off", "str"),
    _inject("i3", "sl", "7", "num", "level"),
    _inject("i4", "num", "4", "num"),
    _inject("i5", "btn", "anything", "str", "b"),
    _inject("i6", "ti", "hello", "str", "name"),
    _inject("i7", "dd", "b", "str"),
    _inject("i8", "sw", "maybe", "str"),
    _inject("i9", "sl", "15", "num"),
    _inject("i10", "sl", "3.3", "num"),
    _inject("i11", "num", "-2", "num"),
    _inject("i12", "sw", "true", "bool"),
    _inject("i13", "sw", "on", "str"),
    _inject("i14", "sw", '{"on": 1}', "json", "other"),
    _inject("i15", "sw2", "x", "str", "first"),
    _inject("i16", "sw2", "true", "bool", "t"),
    _inject("i17", "sw2", "1", "num", "u"),
    _inject("i18", "sw2", "false", "bool"),
    _inject("i19", "sw2", "0", "num", "v"),
    _inject("i20", "sl", "-2.5", "num", "down"),
    _inject("i21", "sl", "4.5", "num"),
    _inject("i22", "num", "2.5", "num"),
    _inject("i23", "num", "11", "num", "n"),
    _inject("i24", "num", "0.00004", "num"),
    _inject("i25", "sl", "5", "num", "again"),
    _inject("i26", "num", "0", "num", "again"),
    _inject("i27", "sl", "6", "num"),
]
SILENT = 3
"""Inputs that pass nothing on in either: the first one into `sw2`, which has no position, and
a slider's and a numeric's value they hold already."""


def flow() -> list[dict[str, Any]]:
    seen = [{"id": f"{w['id']}-seen", "type": "debug", "z": Z, "active": True,
             "complete": "true", "x": 500, "y": w["y"], "wires": []} for w in WIDGETS]
    return fire_injects([tab(Z, "Dashboard"), *LAYOUT, *WIDGETS, *INPUTS, *seen])


def test_widgets_pass_on_what_node_red_dashboard_passes_on(tmp_path: Path) -> None:
    with_contrib(tmp_path, PACKAGE)
    nodes = flow()
    theirs = run_nodered({"dashboard": nodes}, nodered_home(), tmp_path,
                         expected=len(INPUTS) - SILENT, keys=KEYS)["dashboard"]
    ours = run_flowrt(nodes, keys=KEYS)
    assert theirs, f"{PACKAGE} {version(PACKAGE)} passed nothing on"
    assert {k: theirs[k] for k in EXPECTED} == EXPECTED
    assert ours == theirs


def test_the_export_runs_in_node_red_as_the_original(tmp_path: Path) -> None:
    """flowrt's export of the imported flow (ui_base, ui_tab, ui_group and the widgets as
    node-red-dashboard's) runs in Node-RED with the package and passes on what the original
    passes on."""
    with_contrib(tmp_path / "a", PACKAGE)
    with_contrib(tmp_path / "b", PACKAGE)
    nodes = flow()
    conversion = convert(read_data(nodes), {}, "dashboard.json")
    (tmp_path / "flows").mkdir()
    for item in conversion.flows:
        (tmp_path / "flows" / item.file).write_text(render(item))
    exported, notes = export_project([str(tmp_path / "flows")])
    assert not notes.items, notes.items
    assert {"ui_base", "ui_tab", "ui_group"} <= {n["type"] for n in exported}
    original = run_nodered({"f": nodes}, nodered_home(), tmp_path / "a",
                           expected=len(INPUTS) - SILENT, keys=KEYS)["f"]
    again = run_nodered({"f": exported}, nodered_home(), tmp_path / "b",
                        expected=len(INPUTS) - SILENT, keys=KEYS)["f"]
    assert original and again == original


def _m(payload: Any, topic: str = "") -> dict[str, Any]:
    return {"payload": payload, "topic": topic}


EXPECTED = {
    "btn-seen": [_m("pressed", "b")],
    # any other payload goes on as the position's value, with the switch's own topic
    "sw-seen": [_m("on", "heating"), _m("off", "heating"), _m("off", "heating"),
                _m("off", "heating"), _m("on", "heating"), _m("on", "heating")],
    # no position yet: nothing; no topic of its own: the message's
    "sw2-seen": [_m(True, "t"), _m(True, "u"), _m(False), _m(False, "v")],
    # outside the range as it is; the step rounds as Math.round (-2.5 -> -2)
    # and the value it holds already is not passed on again (i25, i26)
    "sl-seen": [_m(7, "level"), _m(15), _m(3), _m(-2, "down"), _m(5), _m(6)],
    "num-seen": [_m(4), _m(-2), _m(3), _m(11, "n"), _m(0)],
}
"""What node-red-dashboard passes on, for the cases this test is about (flowrt's must equal
all of Node-RED's)."""
