"""The cron-plus node on the engine's simulated clock (which starts at 2026-01-01T00:00:00Z):
its schedules (cron with and without seconds, dates, solar events, limits), what its messages
carry, the commands it takes and its output modes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.check import check
from flowrt.load import Project, load_text
from flowrt.testing import FlowResult, run_flow
from flowrt.testing.harness import Input

START = 1_767_225_600  # the simulated clock's start, 2026-01-01T00:00:00Z


def cron_plus(schedules: list[dict[str, Any]], inputs: list[Input] = (), until: float = 60,
              **options: Any) -> FlowResult:
    flow = {"flowrt": 1, "nodes": {"cp": {"type": "cron-plus", "time_zone": "UTC",
                                          "schedules": schedules, **options}}}
    result = run_flow(json.dumps(flow), list(inputs), into="cp", until=until)
    assert result.errors == [], result.errors
    return result


def seconds(messages: list[dict[str, Any]]) -> list[float]:
    return [m["cronplus"]["triggerTimestamp"] / 1000 - START for m in messages]


def test_a_six_field_cron_reads_its_first_field_as_seconds() -> None:
    sent = cron_plus([{"name": "tick", "cron": "*/10 * * * * *", "topic": "t",
                       "payload": {"type": "str", "value": "hi"}}], until=35).sent("cp")
    assert seconds(sent) == [10, 20, 30]
    assert [(m["topic"], m["payload"], m["scheduledEvent"]) for m in sent] == [
        ("t", "hi", True)] * 3
    assert "manualTrigger" not in sent[0]
    assert sent[0]["cronplus"]["config"] == {
        "topic": "t", "name": "tick", "index": 0, "payloadType": "str", "payload": "hi",
        "limit": None, "expressionType": "cron", "expression": "*/10 * * * * *"}
    assert [m["cronplus"]["status"]["count"] for m in sent] == [1, 2, 3]
    assert sent[0]["cronplus"]["status"]["nextDate"] == "2026-01-01T00:00:20.000Z"


def test_five_fields_are_minutes_and_seven_end_with_a_year() -> None:
    sent = cron_plus([{"name": "m", "cron": "* * * * *", "payload": 1},
                      {"name": "y", "cron": "30 0 0 1 1 * 2026", "payload": 2}],
                     until=130).sent("cp")
    assert [(s, m["payload"]) for s, m in zip(seconds(sent), sent, strict=True)] == [
        (30, 2), (60, 1), (120, 1)]


def test_the_default_payload_is_the_schedules_details() -> None:
    (msg,) = cron_plus([{"name": "d", "cron": "*/30 * * * * *", "limit": 1}]).sent("cp")
    assert "cronplus" not in msg
    assert msg["payload"]["triggerTimestamp"] == (START + 30) * 1000
    assert msg["payload"]["config"]["payloadType"] == "default"
    assert msg["payload"]["status"]["count"] == 1


def test_a_limit_stops_the_schedule() -> None:
    sent = cron_plus([{"name": "l", "cron": "* * * * * *", "limit": 3, "payload": 0}],
                     until=10).sent("cp")
    assert seconds(sent) == [1, 2, 3]


def test_the_status_names_the_next_schedule() -> None:
    result = cron_plus([{"name": "a", "cron": "*/10 * * * * *", "payload": 1},
                        {"name": "b", "cron": "*/15 * * * * *", "payload": 2}],
                       [(16, {"topic": "pause-all"})], until=20)
    texts = [s["text"] for node, s in result.statuses if node == "cp"]
    assert texts == ["a: Jan 01, 2026, 00:00:10 UTC", "b: Jan 01, 2026, 00:00:15 UTC",
                     "a: Jan 01, 2026, 00:00:20 UTC", "All stopped"]


def test_the_flow_goes_idle_once_no_schedule_runs() -> None:
    flow = {"flowrt": 1, "nodes": {"cp": {"type": "cron-plus", "schedules": [
        {"name": "l", "cron": "* * * * * *", "limit": 2, "payload": 0},
        {"name": "d", "dates": [(START + 5) * 1000], "payload": 1}]}}}
    result = run_flow(json.dumps(flow))  # no `until`: it returns once the flow is idle
    assert [m["payload"] for m in result.sent("cp")] == [0, 0, 1]


def test_dates_fire_once_each_and_payload_types_evaluate() -> None:
    sent = cron_plus([{"name": "d", "dates": ["2026-01-01T00:00:05Z", (START + 7) * 1000,
                                              "2025-01-01T00:00:00Z"],
                       "payload": {"type": "date"}}],
                     until=60, output_property="data.when").sent("cp")
    assert seconds(sent) == [5, 7]
    assert [m["data"]["when"] for m in sent] == [(START + 5) * 1000, (START + 7) * 1000]


def test_solar_events_fire_at_the_sun_s_times() -> None:
    """Sunrise at Greenwich on 1 January 2026 is at 08:06 UTC; with a 10 minute offset the
    schedule fires at about 08:16."""
    sent = cron_plus([{"name": "sun", "solar": {"events": ["sunrise", "sunset"], "offset": 10},
                       "payload": "up"}], until=9 * 3600,
                     location="51.4779,-0.0015").sent("cp")
    (msg,) = sent
    assert 8 * 3600 + 14 * 60 <= seconds(sent)[0] <= 8 * 3600 + 18 * 60
    assert msg["cronplus"]["status"]["solarEvent"] == "sunrise"
    assert msg["cronplus"]["config"]["solarEvents"] == "sunrise,sunset"


def test_trigger_pause_and_start_commands() -> None:
    schedules = [{"name": "a", "cron": "*/10 * * * * *", "payload": "a"},
                 {"name": "b", "cron": "0 0 * * * *", "payload": "b"}]
    result = cron_plus(schedules, [
        (1, {"topic": "trigger", "payload": "b"}),
        (12, {"topic": "pause", "payload": "a"}),
        (35, {"payload": {"command": "start", "name": "a"}}),
        (36, {}),  # the button: the first schedule
    ], until=45)
    sent = result.sent("cp")
    assert [(m["payload"], m.get("manualTrigger", False), m["scheduledEvent"])
            for m in sent] == [("b", True, False), ("a", False, True), ("a", True, False),
                               ("a", False, True)]
    assert seconds(sent) == [1, 10, 36, 40]


def test_list_export_and_next_answer_on_the_command_output() -> None:
    result = cron_plus([{"name": "a", "cron": "*/10 * * * * *", "payload": "a"}], [
        (5, {"topic": "export-all", "x": 1}),
        (5, {"topic": "list", "payload": "a"}),
        (5, {"topic": "list", "payload": "nope"}),
        (5, {"topic": "next"}),
    ], until=8, output_mode="separate-commands")
    assert result.sent("cp", 0) == []
    exported, listed, missing, nxt = result.sent("cp", 1)
    assert exported["x"] == 1 and exported["payload"]["command"] == {"command": "export-all"}
    assert [e["name"] for e in exported["payload"]["result"]] == ["a"]
    assert listed["payload"]["result"]["config"]["isRunning"] is True
    assert listed["payload"]["result"]["status"]["nextDate"] == "2026-01-01T00:00:10.000Z"
    assert missing["error"] == "nope not found"
    assert (nxt["payload"]["name"], nxt["payload"]["msUntil"]) == ("a", 5000)


def test_schedules_added_by_commands_run_and_can_be_removed() -> None:
    result = cron_plus([], [
        (0, {"payload": {"command": "add", "name": "dyn", "expression": "*/5 * * * * *",
                         "payload": "d", "type": "str"}}),
        (0, {"payload": [{"command": "add", "name": "evil", "expression": "* * * * * *",
                          "payloadType": "env", "payload": "HOME"}]}),
        (12, {"topic": "remove", "payload": "dyn"}),
        (13, {"topic": "list-all"}),
    ], until=30)
    sent = result.sent("cp")
    assert [(m.get("topic"), m["payload"]) for m in sent[:2]] == [("dyn", "d"), ("dyn", "d")]
    assert sent[0]["cronplus"]["status"]["type"] == "dynamic"
    assert sent[2]["payload"]["result"] == []
    assert any("env payload" in text for _, text in result.warnings)


def test_per_schedule_outputs() -> None:
    result = cron_plus([{"name": "a", "cron": "*/10 * * * * *", "payload": "a"},
                        {"name": "b", "cron": "*/15 * * * * *", "payload": "b"}],
                       [(1, {"payload": {"command": "add", "name": "c",
                                         "expression": "*/20 * * * * *", "payload": "c"}}),
                        (2, {"topic": "export", "payload": "a"})],
                       until=21, output_mode="per-schedule")
    assert [[m["payload"] for m in result.sent("cp", port)] for port in range(3)] == [
        ["a", "a"], ["b"], ["c"]]
    assert result.sent("cp", 3)[0]["payload"]["result"]["name"] == "a"


def test_a_control_topic_without_a_name_is_an_error() -> None:
    flow = {"flowrt": 1, "nodes": {"cp": {"type": "cron-plus", "schedules": []}}}
    result = run_flow(json.dumps(flow), [{"topic": "trigger", "payload": 5}], into="cp")
    assert "expects the name of the schedule" in str(result.errors)


@pytest.mark.parametrize(("schedules", "options", "error"), [
    ([{"name": "x", "cron": "* * * * *", "dates": [1]}], {}, "exactly one of"),
    ([{"name": "x", "cron": "61 * * * *"}], {}, "invalid cron"),
    ([{"name": "x", "cron": "* * * *"}], {}, "has 4 fields"),
    ([{"name": "x", "dates": ["soon"]}], {}, "ISO 8601"),
    ([{"name": "x", "solar": {"events": ["sunrise"], "location": "99,0"}}], {}, "outside"),
    ([{"name": "x", "cron": "* * * * *"}, {"name": "x", "cron": "* * * * *"}], {}, "unique"),
    ([], {"time_zone": "Mars/Olympus"}, "unknown time zone"),
])
def test_invalid_configurations_are_reported(schedules: list[dict[str, Any]],
                                             options: dict[str, Any], error: str) -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {"cp": {"type": "cron-plus",
                                                     "schedules": schedules, **options}}})
    problems = check(Project(documents=[load_text(flow, "t.json")]))
    assert error in " ".join(p.message for p in problems)


def test_nothing_need_be_wired_into_it() -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {
        "cp": {"type": "cron-plus", "schedules": [{"name": "x", "cron": "0 * * * *"}],
               "to": "show"},
        "show": {"type": "debug"}}})
    assert check(Project(documents=[load_text(flow, "t.json")]), env={}) == []
