"""The time-range node on the engine's simulated clock (which starts at 2026-01-01T00:00:00Z):
fixed times, ranges across midnight, sun events with offsets, polar nights, the status and
settings changed by ``msg.__config``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.check import check
from flowrt.load import Project, load_text
from flowrt.testing import FlowResult, run_flow

HOUR = 3600


def time_range(inputs: list[tuple[float, dict[str, Any]]], **config: Any) -> FlowResult:
    flow = {"flowrt": 1, "nodes": {"tr": {"type": "time-range", "time_zone": "UTC", **config}}}
    result = run_flow(json.dumps(flow), inputs, into="tr", until=max(t for t, _ in inputs) + 1)
    assert result.errors == [], result.errors
    return result


def hourly(hours: range, **config: Any) -> tuple[list[Any], list[Any]]:
    result = time_range([(h * HOUR, {"payload": h}) for h in hours], **config)
    return result.payloads("tr", 0), result.payloads("tr", 1)


def test_a_day_range_includes_its_start_and_excludes_its_end() -> None:
    inside, outside = hourly(range(0, 25), start="08:00", end="17:00")
    assert inside == list(range(8, 17))
    assert outside == [*range(0, 8), *range(17, 25)]


def test_a_range_across_midnight() -> None:
    inside, outside = hourly(range(0, 25), start="22:00", end="6:00")
    assert inside == [0, 1, 2, 3, 4, 5, 22, 23, 24]
    assert outside == list(range(6, 22))


def test_seconds_count_and_now_drops_its_milliseconds() -> None:
    result = time_range([(29.999, {"payload": "early"}), (30.5, {"payload": "on time"}),
                         (59.0, {"payload": "late"})], start="00:00:30", end="00:00:59")
    assert result.payloads("tr", 0) == ["on time"]
    assert result.payloads("tr", 1) == ["early", "late"]


def test_sun_events_with_offsets_in_the_local_zone() -> None:
    # London, 1 January 2026: sunset 16:02, sunrise 08:06 (suncalc's times, local = UTC).
    result = time_range([(h * HOUR, {"payload": h}) for h in (7, 8, 9, 15, 16, 17)],
                        start="sunrise", end="sunset", start_offset=30, end_offset=-60,
                        latitude=51.4779, longitude=-0.0015, time_zone="Europe/London")
    assert result.payloads("tr", 0) == [9, 15]
    # once today's range has ended, the node looks at tomorrow's
    assert [s["text"] for _, s in result.statuses[-3::2]] == [
        "2026-01-01 08:36 - 2026-01-01 15:02", "2026-01-02 08:36 - 2026-01-02 15:02"]


def test_a_sun_event_that_does_not_happen_stands_for_now() -> None:
    # Tromsø has no sunrise nor sunset on 1 January (polar night), but dawn and dusk.
    config = {"latitude": 69.65, "longitude": 18.96}
    inside, outside = hourly(range(9, 14, 2), start="sunrise", end="sunset", **config)
    assert (inside, outside) == ([], [9, 11, 13])
    inside, _ = hourly(range(9, 14, 2), start="sunrise", end="12:00", **config)
    assert inside == [9, 11, 13]
    inside, outside = hourly(range(9, 14, 2), start="dawn", end="dusk", **config)
    assert (inside, outside) == ([9, 11, 13], [])


def test_the_status_shows_the_range_from_the_start() -> None:
    result = time_range([(HOUR, {"payload": 1})], start="22:00", end="06:00")
    assert result.statuses == [
        ("tr", {"fill": "yellow", "shape": "dot", "text": "2025-12-31 22:00 - 2026-01-01 06:00"}),
        ("tr", {"fill": "green", "shape": "dot", "text": "2025-12-31 22:00 - 2026-01-01 06:00"}),
    ]


def test_msg_config_changes_the_range_and_alone_is_not_sent() -> None:
    result = time_range([(HOUR, {"payload": "before"}),
                         (2 * HOUR, {"__config": {"startTime": "01:30", "endOffset": "30"}}),
                         (3 * HOUR, {"payload": "after", "__config": {"endTime": "03:00"}})],
                        start="05:00", end="06:00")
    assert result.payloads("tr", 0) == ["after"]
    assert result.payloads("tr", 1) == ["before"]
    assert "__config" not in result.sent("tr", 0)[0]


@pytest.mark.parametrize(("config", "problem"), [
    ({"start": "25:00", "end": "06:00"}, "neither a time"),
    ({"start": "moonrise", "end": "06:00"}, "neither a time"),
    ({"start": "sunset", "end": "06:00"}, "needs `latitude` and `longitude`"),
    ({"start": "06:00", "end": "07:00", "time_zone": "Mars/Olympus"}, "unknown time zone"),
])
def test_settings_are_checked_before_running(config: dict[str, Any], problem: str) -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {"tr": {"type": "time-range", **config}}})
    found = check(Project(documents=[load_text(flow, "f.yaml")]))
    assert any(problem in d.message for d in found), found
