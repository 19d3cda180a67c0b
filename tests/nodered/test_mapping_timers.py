"""The timers family's mapping (flowrt/nodered/families/timers.py): stoptimer and countdown as
the corpus writes them, and back."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.families.timers import export_countdown, export_stop_timer
from tests.nodered.helpers import entry, node, nr_import, tab

STOPTIMER = {"id": "s", "type": "stoptimer", "z": "t1", "name": "", "duration": "3",
             "units": "Second", "payloadtype": "num", "payloadval": "0", "wires": [[], []]}
COUNTDOWN = {"id": "c", "type": "countdown", "z": "t1", "name": "", "topic": "go",
             "payloadTimerStart": "true", "payloadTimerStartType": "bool",
             "payloadTimerStop": "false", "payloadTimerStopType": "bool", "timer": "60",
             "resetWhileRunning": False, "outputOnReset": False,
             "setTimeToNewWhileRunning": True, "startCountdownOnControlMessage": False,
             "wires": [[], []]}


def made(base: dict[str, Any], **props: Any) -> dict[str, Any]:
    conversion = nr_import([tab(), {**base, **props}])
    assert entry(conversion, base["id"]).status != "unsupported", entry(
        conversion, base["id"]).reason
    return node(conversion, base["id"])


@pytest.mark.parametrize(("props", "config"), [
    ({}, {"duration": 3}),
    ({"duration": "2", "units": "Minute", "payloadval": ""}, {"duration": 120}),
    ({"duration": "1800", "payloadtype": "str", "payloadval": "off"},
     {"duration": 1800, "payload": "off"}),
    ({"duration": "250", "units": "Millisecond", "payloadval": "7"},
     {"duration": 0.25, "payload": 7}),
    ({"duration": "", "payloadtype": "bool", "payloadval": "false"},
     {"duration": 5, "payload": True}),  # n.duration || 5; Boolean("false") is true
    ({"payloadtype": "str", "payloadval": "null"}, {"duration": 3, "payload": None}),
])
def test_stoptimer(props: dict[str, Any], config: dict[str, Any]) -> None:
    assert made(STOPTIMER, **props) == {"type": "stop-timer", **config}


def test_countdown_as_the_corpus_writes_it() -> None:
    assert made(COUNTDOWN) == {
        "type": "countdown", "duration": 60, "topic": "go", "start_payload": True,
        "stop_payload": False, "restart": False, "output_on_reset": False,
        "follow_control": True, "start_on_control": False}
    quiet = made(COUNTDOWN, timer=30, topic="", payloadTimerStartType="nul",
                 payloadTimerStop="reading", payloadTimerStopType="msg")
    assert (quiet["duration"], quiet["start_payload"], quiet["stop_payload"]) == (
        30, None, {"type": "msg", "value": "reading"})
    assert "topic" not in quiet


@pytest.mark.parametrize(("base", "props", "reason"), [
    (COUNTDOWN, {"timer": "0"}, "never counts down"),
    (COUNTDOWN, {"timer": "soon"}, "never counts down"),
    (STOPTIMER, {"duration": "later"}, "not a number"),
])
def test_what_cannot_be_imported_says_why(base: dict[str, Any], props: dict[str, Any],
                                          reason: str) -> None:
    found = entry(nr_import([tab(), {**base, **props}]), base["id"])
    assert found.status == "unsupported"
    assert reason in found.reason


def test_export_back() -> None:
    assert export_stop_timer({"duration": 0.25, "payload": "off"}) == {
        "duration": "250", "units": "Millisecond", "payloadtype": "str", "payloadval": "off"}
    with pytest.raises(NoCounterpart, match="false"):
        export_stop_timer({"duration": 1, "payload": False})
    out = export_countdown({"duration": 9, "start_payload": None, "stop_payload": "x"})
    assert (out["timer"], out["payloadTimerStartType"], out["payloadTimerStop"],
            out["payloadTimerStopType"]) == ("9", "nul", "x", "str")
