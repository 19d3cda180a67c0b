"""The editor with flows running: node status under the nodes, the debug sidebar (filter by node,
expandable objects, errors), and the inject button."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

LIVE_FLOW = """\
# Running as soon as the server starts: messages for the debug sidebar and a status.
flowrt: 1
id: live
label: Live
nodes:
  ping:
    type: inject
    once: true
    payload: {type: json, value: '{"reading": {"celsius": 21.5, "tags": ["a", "b"]}}'}
    to: shown
  shown: {type: debug, status: count}
  other:
    type: inject
    once: true
    payload: other
    to: quiet
  quiet: {type: debug}
  odd:
    type: inject
    once: true
    to: numbers
  numbers:
    type: function
    func: 'msg.payload = {n: NaN, big: Infinity, small: -Infinity, one: 1}; return msg;'
    to: shown
  fail:
    type: inject
    once: true
    to: boom
  boom:
    type: function
    func: 'throw new Error("boom in the function");'
layout:
  ping: [40, 40]
  shown: [260, 40]
  other: [40, 140]
  quiet: [260, 140]
  fail: [40, 240]
  boom: [260, 240]
  odd: [40, 340]
  numbers: [260, 340]
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"live.yaml": LIVE_FLOW}


def node(page: Any, node_id: str) -> Any:
    return page.locator(f"#canvas g.node[data-id='{node_id}']")


def test_status_debug_filter_and_inject_button(page: Any) -> None:
    expect(page.locator(".tab.active")).to_have_text("Live")
    # the page may open after the once-messages went by: the inject button sends another
    node(page, "ping").locator("[data-inject]").click()
    expect(node(page, "shown").locator(".node-status")).to_contain_text(re.compile(r"[1-9]"))

    page.locator("#tab-debug").click()
    shown = page.locator("#debug-list .debug-msg[data-node='shown']")
    expect(shown.first).to_be_visible()
    node(page, "other").locator("[data-inject]").click()
    node(page, "fail").locator("[data-inject]").click()
    expect(page.locator("#debug-list .debug-msg[data-node='quiet']").first).to_contain_text("other")
    error = page.locator("#debug-list .debug-msg.error[data-node='boom']").first
    expect(error).to_contain_text("boom in the function")

    # NaN and the infinities show as they are, not as null
    node(page, "odd").locator("[data-inject]").click()
    numbers = shown.filter(has_text="small")
    expect(numbers.first).to_contain_text("n: NaN")
    expect(numbers.first).to_contain_text("big: Infinity")
    expect(numbers.first).to_contain_text("small: -Infinity")
    expect(numbers.first).not_to_contain_text("null")

    # filter by node: only shown's messages stay
    page.locator("#debug-filter").select_option("shown")
    expect(page.locator("#debug-list .debug-msg[data-node='quiet']")).to_have_count(0)
    expect(page.locator("#debug-list .debug-msg.error")).to_have_count(0)
    count = shown.count()
    assert count >= 1

    # objects expand: the nested reading opens on a click
    first = shown.first
    expect(first).to_contain_text("reading")
    expect(first).not_to_contain_text("21.5")
    first.locator("details.tree details.tree > summary").first.click()
    expect(first).to_contain_text("21.5")

    # another press of the inject button: one more message, and the count under the node grows
    status = node(page, "shown").locator(".node-status text")
    before = int(re.sub(r"\D", "", status.text_content() or "0") or 0)
    node(page, "ping").locator("[data-inject]").click()
    expect(shown).to_have_count(count + 1)
    expect(status).to_contain_text(str(before + 1))

    # back to every node
    page.locator("#debug-filter").select_option("")
    expect(page.locator("#debug-list .debug-msg[data-node='quiet']").first).to_be_visible()
