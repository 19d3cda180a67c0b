"""The debug sidebar over several flows in Chromium: a message's node is revealed in its own
flow, the list filters to the flow shown, nodes are named by their labels, and the list does
not jump to the end while someone reads."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.test_editor import node

ONE = """\
flowrt: 1
id: one
label: One
nodes:
  first: {type: inject, once: true, payload: from one, to: shown}
  shown: {type: debug, label: Readings}
  fast: {type: inject, repeat: 0.1, payload: tick, to: stream}
  stream: {type: debug}
"""

TWO = """\
flowrt: 1
id: two
label: Two
nodes:
  second: {type: inject, once: true, payload: from two, to: other}
  other: {type: debug}
layout:
  second: [100, 100]
  other: [1400, 100]
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"one.yaml": ONE, "two.yaml": TWO}


def messages(page: Any, node_id: str) -> Any:
    return page.locator(f"#debug-list .debug-msg[data-node='{node_id}']")


def test_a_message_reveals_its_node_in_its_own_flow(page: Any) -> None:
    expect(page.locator(".tab.active")).to_have_text("One")
    page.locator("#tab-debug").click()
    page.locator("#debug-filter").select_option("")
    page.locator(".tab[data-file='two.yaml']").click()
    node(page, "second").locator("[data-inject]").click()  # its once message may be gone by
    page.locator(".tab[data-file='one.yaml']").click()
    from_two = messages(page, "other").first
    expect(from_two).to_contain_text("from two")
    from_two.locator(".debug-head button.link").click()
    expect(page.locator(".tab.active")).to_have_text("Two")
    expect(page.locator("#node-id")).to_have_value("other")
    expect(node(page, "other")).to_be_in_viewport()

    # named by its label
    page.locator(".tab[data-file='one.yaml']").click()
    node(page, "first").locator("[data-inject]").click()
    expect(messages(page, "shown").first.locator(".debug-head")).to_contain_text(
        "shown (Readings)")

    # this flow only
    page.locator("#debug-filter").select_option("@flow")
    expect(messages(page, "other")).to_have_count(0)
    expect(messages(page, "shown").first).to_be_visible()
    page.locator(".tab[data-file='two.yaml']").click()
    expect(messages(page, "shown")).to_have_count(0)
    expect(messages(page, "other").first).to_be_visible()


def test_the_list_stays_where_the_reader_scrolled(page: Any) -> None:
    page.locator("#tab-debug").click()
    page.locator("#debug-filter").select_option("stream")
    listing = page.locator("#debug-list")
    expect(messages(page, "stream").nth(30)).to_be_attached(timeout=30_000)
    listing.evaluate("l => { l.scrollTop = 0; }")
    count = messages(page, "stream").count()
    deadline = time.monotonic() + 20
    while messages(page, "stream").count() < count + 5 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert messages(page, "stream").count() >= count + 5
    assert listing.evaluate("l => l.scrollTop") == 0
    # back at the end, it follows again
    listing.evaluate("l => { l.scrollTop = l.scrollHeight; }")
    count = messages(page, "stream").count()
    expect(messages(page, "stream")).not_to_have_count(count, timeout=10_000)
    page.wait_for_timeout(300)
    gap = listing.evaluate("l => l.scrollHeight - l.scrollTop - l.clientHeight")
    assert gap < 60
