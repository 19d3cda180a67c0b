"""The schedules family's mapping (flowrt/nodered/families/schedules.py): cron-plus's
``cronplus`` node, each shape of its schedules as the editor and older versions write them, its
outputs and locations, and back."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.families.schedules import export_cron_plus
from tests.nodered.helpers import entry, errors, node, nr_import, tab

CRONPLUS = {"id": "c", "type": "cronplus", "name": "", "outputField": "payload", "timeZone": "",
            "storeName": "", "commandResponseMsgOutput": "output1", "defaultLocation": "",
            "defaultLocationType": "default", "outputs": 1}


def imported(options: list[dict[str, Any]], **props: Any) -> Any:
    return nr_import([tab(), {"z": "t1", "wires": [[]], **CRONPLUS, "options": options,
                              **props}])


def one(option: dict[str, Any], **props: Any) -> dict[str, Any]:
    conversion = imported([option], **props)
    assert not errors(conversion), entry(conversion, "c").reason
    assert entry(conversion, "c").status != "unsupported", entry(conversion, "c").reason
    (schedule,) = node(conversion, "c")["schedules"]
    return dict(schedule)


@pytest.mark.parametrize(("option", "schedule"), [
    ({"name": "s", "topic": "s", "payloadType": "default", "payload": "",
      "expressionType": "cron", "expression": "0 */5 * * * * *"},
     {"name": "s", "cron": "0 */5 * * * * *"}),
    ({"name": "s", "topic": "lights", "payloadType": "str", "payload": "on",
      "expressionType": "cron", "expression": "0  30 7 * * 1-5"},
     {"name": "s", "topic": "lights", "payload": "on", "cron": "0 30 7 * * 1-5"}),
    ({"name": "n", "payloadType": "num", "payload": "42", "expressionType": "cron",
      "expression": "*/5 * * * *", "limit": 3},
     {"name": "n", "payload": 42, "cron": "*/5 * * * *", "limit": 3}),
    ({"name": "j", "payloadType": "json", "payload": '{"a": 1}', "expressionType": "cron",
      "expression": "0 0 * * * *"},
     {"name": "j", "payload": {"type": "json", "value": {"a": 1}}, "cron": "0 0 * * * *"}),
    ({"name": "d", "payloadType": "date", "payload": "", "expressionType": "",
      "expression": "0 0 12 * * * 2030"},
     {"name": "d", "payload": {"type": "date"}, "cron": "0 0 12 * * * 2030"}),
    ({"topic": "t", "payload": "text", "expression": ""},  # defaults of an old option
     {"name": "t", "payload": "text", "cron": "0 * * * * * *"}),
    ({"payloadType": "bool", "payload": "true", "expressionType": "cron",
      "expression": "* * * * * *"},
     {"name": "schedule1", "payload": True, "cron": "* * * * * *"}),
    ({"name": "once", "payloadType": "str", "payload": "x", "expressionType": "dates",
      "expression": "2030-01-01T08:00:00Z, 1893484800000"},
     {"name": "once", "payload": "x", "dates": ["2030-01-01T08:00:00Z", 1893484800000]}),
    ({"name": "sun", "payloadType": "default", "expressionType": "solar",
      "location": "54.99 -1.41", "offset": "-15", "solarType": "selected",
      "solarEvents": "sunrise,sunset"},
     {"name": "sun", "solar": {"events": ["sunrise", "sunset"], "location": "54.99 -1.41",
                               "offset": -15}}),
    ({"name": "all", "expressionType": "solar", "location": "1,2", "solarType": "all",
      "solarEvents": "sunrise"},
     {"name": "all", "solar": {"events": "all", "location": "1,2"}}),
    ({"name": "old", "expressionType": "sunset", "location": "1,2"},  # cron-plus 1.0's type
     {"name": "old", "solar": {"events": ["sunset"], "location": "1,2"}}),
    ({"name": "f", "payloadType": "flow", "payload": "#:(file)::state",
      "expression": "0 0 * * *"},
     {"name": "f", "payload": {"type": "flow", "value": "state"}, "cron": "0 0 * * *"}),
])
def test_each_schedule_shape_imports(option: dict[str, Any], schedule: dict[str, Any]) -> None:
    assert one(option) == schedule


def test_the_node_settings_import() -> None:
    conversion = imported([{"name": "a", "expression": "* * * * *"},
                           {"name": "b", "expression": "0 * * * *"}],
                          outputField="msg.data.when", timeZone="Europe/London",
                          commandResponseMsgOutput="fanOut", outputs=4,
                          wires=[["x"], [], [], []])
    config = node(conversion, "c")
    assert (config["output_property"], config["time_zone"], config["output_mode"]) == (
        "data.when", "Europe/London", "per-schedule")


@pytest.mark.parametrize(("kind", "value", "location"), [
    ("fixed", "51.5,-0.12", "51.5,-0.12"), ("env", "HOME_LOCATION", "${HOME_LOCATION}")])
def test_a_node_location_replaces_the_schedules(kind: str, value: str, location: str) -> None:
    conversion = imported([{"name": "s", "expressionType": "solar", "location": "9,9",
                            "solarType": "selected", "solarEvents": "sunset"}],
                          defaultLocationType=kind, defaultLocation=value)
    config = node(conversion, "c")
    assert config["location"] == location
    assert config["schedules"][0]["solar"] == {"events": ["sunset"]}


def test_persisted_dynamic_schedules_and_texts_are_caveats() -> None:
    notes = " ".join(entry(imported([{"name": "s", "expression": "* * * * *"}],
                                    storeName="file"), "c").notes)
    assert "not kept across restarts" in notes and "description" in notes


@pytest.mark.parametrize(("option", "reason"), [
    ({"name": "x", "expressionType": "cron", "expression": "*/5 * * nope *"}, "not one flowrt"),
    ({"name": "x", "expressionType": "dates", "expression": "next tuesday"}, "ISO 8601"),
    ({"name": "x", "expressionType": "solar", "solarType": "selected",
      "solarEvents": "teatime", "location": "1,2"}, "teatime"),
    ({"name": "x", "expressionType": "solar", "solarType": "all"}, "no location"),
    ({"name": "x", "payloadType": "re", "payload": "a", "expression": "* * * * *"},
     "payload type"),
])
def test_what_cannot_run_is_unsupported_with_the_reason(option: dict[str, Any],
                                                         reason: str) -> None:
    e = entry(imported([option]), "c")
    assert e.status == "unsupported" and reason in e.reason


def test_export_writes_cron_plus_options() -> None:
    out = export_cron_plus({
        "output_mode": "separate-commands", "location": "${HOME_LOCATION}",
        "schedules": [{"name": "a", "cron": "*/5 * * * * *", "payload": "hi", "limit": 2},
                      {"name": "b", "dates": [1893484800000]},
                      {"name": "c", "solar": {"events": "all", "offset": 5}}]})
    assert (out["commandResponseMsgOutput"], out["outputs"]) == ("output2", 2)
    assert (out["defaultLocationType"], out["defaultLocation"]) == ("env", "HOME_LOCATION")
    a, b, c = out["options"]
    assert a == {"name": "a", "topic": "a", "payloadType": "str", "payload": "hi",
                 "expressionType": "cron", "expression": "*/5 * * * * *", "limit": 2}
    assert (b["expressionType"], b["expression"], b["payloadType"]) == (
        "dates", "1893484800000", "default")
    assert (c["solarType"], c["offset"]) == ("all", 5)


def test_export_refuses_two_kinds_of_location() -> None:
    with pytest.raises(NoCounterpart, match="one location"):
        export_cron_plus({"location": "1,2", "schedules": [
            {"name": "c", "solar": {"events": ["sunset"], "location": "3,4"}}]})
