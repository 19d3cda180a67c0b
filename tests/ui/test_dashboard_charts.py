"""The chart types beyond line, bar and pie in Chromium against a real `flowrt serve`:
`horizontal-bar`, `radar` and `polar-area` (node-red-dashboard's horizontalBar, radar and
polarArea) each draw a series' latest value in SVG and follow new values (one series a
message, or an object of them all); no script error nor CSP violation."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.conftest import ARTIFACTS, Served
from tests.ui.test_dashboard import RECORD, expect_attr

TYPES = ["horizontal-bar", "radar", "polar-area"]
IDS = {t: t.replace("-", "_") for t in TYPES}
FLOW = f"""\
flowrt: 1
id: charts
connections:
  board:
    type: dashboard
    title: Charts
    pages:
      - id: charts
        title: Charts
        groups:
          - id: all
            title: All
            width: 12
            widgets: [{", ".join(f"{{node: {i}, width: 4, height: 5}}" for i in IDS.values())}]
nodes:
  feed: {{type: http-in, method: post, url: /feed, to: [unpack, done]}}
  done: {{type: http-response}}
  unpack:
    type: change
    rules: [{{move: payload.topic, to: topic}}, {{move: payload.value, to: payload}}]
    to: [{", ".join(IDS.values())}]
""" + "".join(f"  {i}: {{type: ui-chart, chart_type: {t}, label: {t}, dashboard: board, "
              f"y_max: 10}}\n" for t, i in IDS.items())


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"charts.yaml": FLOW}


def feed(served: Served, value: Any, topic: str = "") -> None:
    body = json.dumps({"value": value, "topic": topic}).encode()
    request = urllib.request.Request(served.url + "/feed", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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


# what shows the values, per type: (selector, attribute)
SHOWN = {"horizontal-bar": ("rect.row-bar", "width"), "radar": ("circle.dot", "cy"),
         "polar-area": ("path.slice", "d")}


def drawn(page: Any, kind: str) -> list[str | None]:
    selector, attribute = SHOWN[kind]
    parts = page.locator(f"[data-widget={IDS[kind]}] {selector}")
    return [parts.nth(i).get_attribute(attribute) for i in range(parts.count())]


def test_each_chart_type_draws_the_latest_values(page: Any, served: Served) -> None:
    feed(served, {"north": 2, "east": 8, "south": 5})
    charts = {k: page.locator(f"[data-widget={i}]") for k, i in IDS.items()}
    for kind, chart in charts.items():
        expect_attr(chart, "data-series", "north,east,south")
        expect_attr(chart, "data-values", "2,8,5")
        assert f"chart-{kind}" in (chart.get_attribute("class") or ""), kind
    before = {k: drawn(page, k) for k in TYPES}
    assert {k: len(v) for k, v in before.items()} == dict.fromkeys(TYPES, 3)
    assert float(before["horizontal-bar"][1] or 0) == pytest.approx(
        4 * float(before["horizontal-bar"][0] or 0))  # 8 is 4 times 2, from 0
    feed(served, 9, "north")  # one series' latest value
    for chart in charts.values():
        expect_attr(chart, "data-values", "9,8,5")
    after = {k: drawn(page, k) for k in TYPES}
    assert [k for k in TYPES if after[k][0] == before[k][0]] == []
    assert [k for k in TYPES if after[k][1:] != before[k][1:]] == []
    page.screenshot(path=str(ARTIFACTS / "dashboard-charts.png"), full_page=True)
