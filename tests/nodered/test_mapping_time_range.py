"""The time-range family's mapping (flowrt/nodered/families/time_range.py):
node-red-contrib-time-range-switch's ``time-range-switch`` as the corpus writes it, and back."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.families.time_range import export_time_range
from tests.nodered.helpers import entry, node, nr_import, tab

TRS = {"id": "r", "type": "time-range-switch", "z": "t1", "name": "", "lat": "51.33",
       "lon": "-0.83", "startTime": "7:00", "endTime": "19:00", "startOffset": 0,
       "endOffset": 0}


def imported(**props: Any) -> Any:
    return nr_import([tab(), {**TRS, **props}])


def test_times_and_offsets() -> None:
    conversion = imported(startTime="sunset", endTime="23:59", startOffset="-15", endOffset=0)
    assert node(conversion, "r") == {
        "type": "time-range", "start": "sunset", "end": "23:59", "start_offset": -15,
        "latitude": 51.33, "longitude": -0.83}


def test_empty_coordinates_with_sun_events_are_zero_as_in_javascript() -> None:
    conversion = imported(startTime="sunset", endTime="sunrise", lat="", lon="")
    made = node(conversion, "r")
    assert (made["latitude"], made["longitude"]) == (0.0, 0.0)
    assert any("empty" in n for n in entry(conversion, "r").notes)


@pytest.mark.parametrize(("props", "reason"), [
    ({"startTime": "7h"}, "neither a time of day"),
    ({"endTime": "24:00"}, "neither a time of day"),
    ({"startTime": "dusk", "lat": None}, "own time"),
    ({"endOffset": "soon"}, "not a number of minutes"),
])
def test_what_cannot_be_imported_says_why(props: dict[str, Any], reason: str) -> None:
    found = entry(imported(**props), "r")
    assert found.status == "unsupported"
    assert reason in found.reason


def test_export_back() -> None:
    assert export_time_range({"start": "dawn", "end": "10:30", "end_offset": 5,
                              "latitude": 1.5, "longitude": 2}) == {
        "startTime": "dawn", "endTime": "10:30", "startOffset": 0, "endOffset": 5,
        "lat": 1.5, "lon": 2}
    with pytest.raises(NoCounterpart, match="time zone"):
        export_time_range({"start": "dawn", "end": "10:30", "time_zone": "UTC"})
