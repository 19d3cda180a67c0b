"""The Monitoring tab: a running flow's per node rates show up while messages flow and fall back
to 0 when they stop, with their sparklines; processing times, errors and queue depths."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import ARTIFACTS

FLOW = """\
flowrt: 1
id: watched
label: Watched
nodes:
  burst: {type: inject, payload: 5, to: double}
  double:
    type: change
    rules: [{set: payload, to: 10}]
    to: [show, keep]
  show: {type: debug, status: count}
  keep: {type: file-out, filename: kept.txt}
  junk: {type: inject, payload: "{not json", to: bad}
  bad: {type: json}
"""

INJECT = """(id) => fetch('api/inject/' + id, {method: 'POST',
    headers: {'X-Flowrt-Request': '1'}}).then(r => r.status)"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"watched.yaml": FLOW}


@pytest.fixture
def serve_args(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("FLOWRT_METRICS_SAMPLE", "0")  # every message timed
    return []


def figure(page: Any, node: str, column: str) -> str:
    text: str = page.locator(f"#panel-monitor tr[data-node='{node}'] td.{column} .figure"
                             ).inner_text()
    return text


def test_node_rates_show_up_and_change(page: Any) -> None:
    page.locator("#tab-monitor").click()
    panel = page.locator("#panel-monitor")
    expect(panel).to_be_visible()
    row = panel.locator("tr[data-node='double']")
    expect(row).to_contain_text("change")
    # messages flowing: injected until a read of the state shows a rate above 0
    busy = re.compile(r"^[1-9][\d,.]*$|^0\.\d*[1-9]")
    for _ in range(200):
        for _ in range(10):
            assert page.evaluate(INJECT, "burst") == 200
        if busy.search(figure(page, "double", "rate-in")):
            break
        page.wait_for_timeout(200)
    assert busy.search(figure(page, "double", "rate-in")), figure(page, "double", "rate-in")
    assert busy.search(figure(page, "double", "rate-out"))
    expect(row.locator("td.latency .figure")).to_have_text(re.compile(r"\d+(\.\d)? (µs|ms|s)$"))
    # and none: the rate falls back to 0, and the sparkline holds both
    expect(row.locator("td.rate-in .figure")).to_have_text("0", timeout=30_000)
    points = row.locator("td.rate-in svg.spark polyline").get_attribute("points") or ""
    ys = {float(p.split(",")[1]) for p in points.split()}
    assert len(ys) >= 2, points  # a high point and a low one
    # errors and a sink's queue
    assert page.evaluate(INJECT, "junk") == 200
    expect(panel.locator("tr[data-node='bad'] td.errors")).to_have_text("1")
    expect(panel.locator("tr[data-node='bad']")).to_have_class(re.compile("has-errors"))
    expect(panel.locator("tr[data-node='keep'] td.queue")).to_have_text(re.compile(r"^0/\d+$"))
    expect(panel.locator("tr[data-node='keep'] td.latency .figure")).not_to_have_text("–")
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "monitoring.png"))
