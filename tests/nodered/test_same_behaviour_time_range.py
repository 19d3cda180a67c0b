"""time-range's sun events are suncalc2's, the package node-red-contrib-time-range-switch
computes them with: suncalc2 (installed from npm on first use, see tests/nodered/contrib.py) runs
in Node.js for several places, dates and time zones, and every event's local time of day, to
the second, is what flowrt's time-range gives.

node-red-contrib-time-range-switch itself is on GitHub (biddster/node-red-contrib-time-range-
switch, 1.2.0) but not in the npm registry these tests install from, so its range logic is
compared here through the sun times it builds on; the node's own tests
(tests/nodes/core/test_time_range.py) cover the range logic on the simulated clock.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_time_range.py`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime
from math import floor
from zoneinfo import ZoneInfo

import pytest
from flowrt_nodes.core.time_range import SUN_EVENTS, TimeRange

from tests.nodered.contrib import contrib_modules

PLACES = [(51.4779, -0.0015), (34.17, -118.6), (-33.87, 151.2), (64.1, -21.9), (69.65, 18.96),
          (0.0, 0.0)]
DATES = ["2026-01-01", "2026-03-29", "2026-06-21", "2026-09-23", "2026-10-25", "2026-12-21"]
ZONES = ["Europe/London", "America/Los_Angeles", "Australia/Sydney", "Asia/Kolkata"]

SCRIPT = """
const SunCalc = require('suncalc2');
const out = [];
for (const [date, lat, lon] of JSON.parse(process.argv[1])) {
  const [y, m, d] = date.split('-').map(Number);
  const times = SunCalc.getTimes(new Date(y, m - 1, d, 12, 0, 0), lat, lon);
  const row = {};
  for (const [k, t] of Object.entries(times)) {
    row[k] = isNaN(t.getHours()) ? null : [t.getHours(), t.getMinutes(), t.getSeconds()];
  }
  out.push(row);
}
console.log(JSON.stringify(out));
"""


def ours(date: str, lat: float, lon: float, zone: ZoneInfo) -> dict[str, list[int] | None]:
    midday = datetime.fromisoformat(f"{date}T12:00:00").replace(tzinfo=zone)
    row: dict[str, list[int] | None] = {}
    for name, event in SUN_EVENTS.items():
        at = TimeRange._sun(event, midday, lat, lon)
        local = None if at is None else datetime.fromtimestamp(floor(at), zone)
        row[name] = None if local is None else [local.hour, local.minute, local.second]
    return row


@pytest.mark.parametrize("zone", ZONES)
def test_sun_events_are_suncalc2_s_to_the_second(zone: str) -> None:
    modules = contrib_modules("suncalc2")
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to run suncalc2")
    cases = [(d, lat, lon) for d in DATES for lat, lon in PLACES]
    done = subprocess.run([node, "-e", SCRIPT, json.dumps(cases)], capture_output=True,
                          text=True, timeout=60, check=True,
                          env={**os.environ, "TZ": zone, "NODE_PATH": str(modules)})
    theirs = json.loads(done.stdout)
    compared = 0
    for (date, lat, lon), row in zip(cases, theirs, strict=True):
        mine = ours(date, lat, lon, ZoneInfo(zone))
        for name in SUN_EVENTS:
            assert mine[name] == row[name], (date, lat, lon, name)
            compared += 1
    assert compared == len(cases) * len(SUN_EVENTS)
    assert any(v is None for row in theirs for v in row.values())  # polar days and nights
