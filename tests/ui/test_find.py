"""Find in Chromium: nodes of every flow by id, type, label or setting; a result opens its
flow and selects the node."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

ONE = """\
flowrt: 1
id: one
label: One
nodes:
  start: {type: inject, payload: hi, to: shown}
  shown: {type: debug}
"""

TWO = """\
flowrt: 1
id: two
label: Two
nodes:
  listen: {type: inject, topic: plant/boiler/temperature, to: log, label: Boiler room}
  log: {type: debug}
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"one.yaml": ONE, "two.yaml": TWO}


def test_find_a_node_of_a_flow_not_opened_and_go_to_it(page: Any) -> None:
    expect(page.locator(".tab.active")).to_have_text("One")
    page.keyboard.press("Control+f")
    search = page.locator("#find-text")
    expect(search).to_be_focused()
    search.fill("debug")
    expect(page.locator(".find-count")).to_have_text("2 nodes")
    search.fill("boiler temperature")
    results = page.locator(".find-result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("listen (Boiler room)")
    expect(results.first).to_contain_text("Two")
    results.first.click()
    expect(page.locator("dialog.modal")).to_have_count(0)
    expect(page.locator(".tab.active")).to_have_text("Two")
    expect(page.locator("#node-id")).to_have_value("listen")

    page.locator("#find").click()
    page.locator("#find-text").fill("no such thing")
    expect(page.locator(".find-count")).to_have_text("0 nodes")
    page.keyboard.press("Escape")
    expect(page.locator("dialog.modal")).to_have_count(0)
