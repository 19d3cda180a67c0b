"""Imported dashboard widgets pass on what node-red-dashboard's pass on: one flow of inject nodes
into widgets with pass through (switch, slider, numeric, button, text input, dropdown, date
picker) and from them to debug nodes runs in real Node-RED 4 with node-red-dashboard (from npm
on first use, see tests/nodered/contrib.py) and, imported, in flowrt; the button, text input
and dropdown pass on the same payloads and topics; the switch, slider and numeric differ as
``DIFFERENT`` says (and the import notes). No browser is connected on either side: what flows
is what a message in does.

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

LAYOUT = [
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


def _inject(node_id: str, target: str, payload: str, kind: str, topic: str = "") -> dict:
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
]


def flow() -> list[dict[str, Any]]:
    seen = [{"id": f"{w['id']}-seen", "type": "debug", "z": Z, "active": True,
             "complete": "true", "x": 500, "y": w["y"], "wires": []} for w in WIDGETS]
    return fire_injects([tab(Z, "Dashboard"), *LAYOUT, *WIDGETS, *INPUTS, *seen])


def test_widgets_pass_on_what_node_red_dashboard_passes_on(tmp_path: Path) -> None:
    with_contrib(tmp_path, PACKAGE)
    nodes = flow()
    theirs = run_nodered({"dashboard": nodes}, nodered_home(), tmp_path,
                         expected=len(INPUTS), keys=KEYS)["dashboard"]
    ours = run_flowrt(nodes, keys=KEYS)
    assert theirs, f"{PACKAGE} {version(PACKAGE)} passed nothing on"
    same = ("btn-seen", "ti-seen", "dd-seen")
    assert {k: ours.get(k) for k in same} == {k: theirs.get(k) for k in same}
    assert theirs["btn-seen"] == [{"payload": "pressed", "topic": "b"}]
    for key, (nodered, flowrt) in DIFFERENT.items():
        assert (theirs[key], ours[key]) == (nodered, flowrt), key


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
                           expected=len(INPUTS), keys=KEYS)["f"]
    again = run_nodered({"f": exported}, nodered_home(), tmp_path / "b",
                        expected=len(INPUTS), keys=KEYS)["f"]
    assert original and again == original


def _m(payload: Any, topic: str = "") -> dict[str, Any]:
    return {"payload": payload, "topic": topic}


DIFFERENT = {
    # node-red-dashboard's switch passes on any other payload as the off value, with its own
    # topic; flowrt's passes on only the on and off values, with the message's topic
    "sw-seen": ([_m("on", "heating"), _m("off", "heating"), _m("off", "heating"),
                 _m("off", "heating")],
                [_m("on", "t-on"), _m("off")]),
    # node-red-dashboard's slider and numeric pass on a number outside the range as it is;
    # flowrt's keep it within the range (both round to the step)
    "sl-seen": ([_m(7, "level"), _m(15), _m(3)], [_m(7, "level"), _m(10), _m(3)]),
    "num-seen": ([_m(4), _m(-2)], [_m(4), _m(0)]),
}
"""What the differential found that differs, widget by widget (the import notes each;
nodes/dashboard owns the widgets' behaviour)."""
