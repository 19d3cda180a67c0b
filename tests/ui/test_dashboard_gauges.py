"""The gauge's shapes in Chromium against a real `flowrt serve`: each `gtype` (the dial, linear,
donut, compass, wave, three-quarter, tile, battery, tank) renders its own SVG and updates from
the flow: the value and its text, the part that shows it (an arc, a needle, a liquid's level,
a charge, a tank's water) moved to the value and painted in the value's sector colour; no
script error nor CSP violation."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.conftest import ARTIFACTS, Served
from tests.ui.test_dashboard import RECORD, expect_attr, expect_text

SHAPES = ["gage", "linear", "donut", "compass", "wave", "three-quarter", "tile", "battery",
          "tank"]
GREEN, RED = "#43a047", "#e53935"

GAUGES = "\n".join(
    f"  {s.replace('-', '_')}: {{type: ui-gauge, gtype: {s}, label: {s}, dashboard: board, "
    f"min: 0, max: 10, units: bar, format: '{{{{value}}}} now', "
    f"sectors: [{{to: 5, color: '{GREEN}'}}, {{to: 10, color: '{RED}'}}]}}"
    for s in SHAPES)
FLOW = f"""\
flowrt: 1
id: gauges
connections:
  board:
    type: dashboard
    title: Gauges
    pages:
      - id: shapes
        title: Shapes
        groups:
          - id: all
            title: All
            width: 12
            widgets: [{", ".join(f"{{node: {s.replace('-', '_')}, width: 4, height: 4}}"
                                  for s in SHAPES)}]
nodes:
  feed: {{type: http-in, method: post, url: /feed, to: [unpack, done]}}
  done: {{type: http-response}}
  unpack:
    type: change
    rules: [{{move: payload.value, to: payload}}]
    to: [{", ".join(s.replace('-', '_') for s in SHAPES)}]
{GAUGES}
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"gauges.yaml": FLOW}


def feed(served: Served, value: Any) -> None:
    body = json.dumps({"value": value}).encode()
    request = urllib.request.Request(served.url + "/feed", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.add_init_script(RECORD)
    pg.set_default_timeout(20_000)
    pg.goto(served.url + "/dashboard/")
    pg.locator("#link[data-state=connected]").wait_for()
    yield pg
    violations = pg.evaluate("window.__violations")
    context.close()
    assert (violations, errors) == ([], [])


def gauge(page: Any, shape: str) -> Any:
    return page.locator(f"[data-widget={shape.replace('-', '_')}]")


# what shows the value, per shape: (selector, attribute) -> its value at 2 and at 8 (of 0..10)
MOVED = {
    "gage": ("path.bar", "d"), "donut": ("path.bar", "d"), "three-quarter": ("path.bar", "d"),
    "linear": ("rect.bar", "width"), "compass": ("path.needle", "transform"),
    "wave": ("path.level", "data-level"), "battery": ("rect.level", "width"),
    "tank": ("rect.level", "height"), "tile": ("rect.level", "fill"),
}
PAINTED = {"gage": ("path.bar", "stroke"), "donut": ("path.bar", "stroke"),
           "three-quarter": ("path.bar", "stroke"), "linear": ("rect.bar", "fill"),
           "wave": ("path.level", "fill"), "battery": ("rect.level", "fill"),
           "tank": ("rect.level", "fill"), "tile": ("rect.level", "fill")}


def shown(page: Any, value: float) -> dict[str, Any]:
    for shape in SHAPES:
        expect_attr(gauge(page, shape), "data-value", str(value))
        expect_text(gauge(page, shape).locator(".gauge-value"), f"{value} now")
    return {s: gauge(page, s).locator(MOVED[s][0]).get_attribute(MOVED[s][1]) for s in SHAPES}


def test_each_gauge_shape_renders_and_follows_the_value(page: Any, served: Served) -> None:
    gauge(page, SHAPES[-1]).locator("svg").wait_for()
    for shape in SHAPES:  # each draws its own SVG, with its class
        assert gauge(page, shape).locator("svg").count() == 1, shape
        assert shape == "gage" or f"gauge-{shape}" in (gauge(page, shape).get_attribute(
            "class") or ""), shape
    feed(served, 2)
    low = shown(page, 2)
    painted_low = {s: gauge(page, s).locator(q).get_attribute(a) for s, (q, a) in PAINTED.items()}
    assert painted_low == dict.fromkeys(PAINTED, GREEN)
    feed(served, 8)
    high = shown(page, 8)
    assert [s for s in SHAPES if low[s] == high[s] or not high[s]] == []
    painted = {s: gauge(page, s).locator(q).get_attribute(a) for s, (q, a) in PAINTED.items()}
    assert painted == dict.fromkeys(PAINTED, RED)
    assert high["compass"] == "rotate(288.00 100 100)"  # 8 of 0..10: 0.8 of a turn from north
    assert (float(low["tank"]), float(high["tank"])) == pytest.approx((35.2, 140.8))
    assert high["wave"] == "0.8000"
    page.screenshot(path=str(ARTIFACTS / "dashboard-gauges.png"), full_page=True)
    page.reload()  # a new page gets the shapes drawn at the value at once
    page.locator("#link[data-state=connected]").wait_for()
    assert shown(page, 8) == high
