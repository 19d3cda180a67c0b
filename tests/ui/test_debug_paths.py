"""A debug message's path in Chromium (ui/js/paths.js, flowrt.run.paths): deployed inject ->
change -> switch -> debug (and on through a link to a second flow file); its "path" button
highlights the nodes and wires the message went through, labels each node with its time,
lists the visits in order, marks the other tab it went to, shows it from there too, and
Escape clears it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import ARTIFACTS
from tests.ui.test_editor import node

ONE = """\
flowrt: 1
id: one
label: One
nodes:
  go: {type: inject, payload: 7, to: mark}
  mark: {type: change, rules: [{set: topic, to: marked}], to: check}
  check: {type: switch, property: payload, rules: [{gt: 5}, {lt: 0}], to: {0: [shown, away]}}
  shown: {type: debug}
  aside: {type: change, rules: [{set: topic, to: never}]}
  away: {type: link-out, links: [there]}
layout:
  go: [80, 100]
  mark: [260, 100]
  check: [440, 100]
  shown: [640, 60]
  aside: [640, 200]
  away: [640, 140]
"""

TWO = """\
flowrt: 1
id: two
label: Two
nodes:
  there: {type: link-in, to: far}
  far: {type: debug}
layout:
  there: [100, 100]
  far: [300, 100]
"""

TIME = re.compile(r"^\d+(\.\d+)? (µs|ms)$")


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"one.yaml": ONE, "two.yaml": TWO}


def on_path(page: Any) -> list[str]:
    return sorted(page.locator("#canvas g.node.on-path").evaluate_all(
        "gs => gs.map(g => g.dataset.id)"))


def wires_on_path(page: Any) -> list[str]:
    return sorted(page.locator("#canvas path.wire.on-path").evaluate_all(
        "ws => ws.map(w => w.dataset.from + '>' + w.dataset.to)"))


def test_a_debug_message_shows_its_path_on_the_canvas(page: Any) -> None:
    expect(page.locator(".tab.active")).to_have_text("One")
    page.locator("#tab-debug").click()
    node(page, "go").locator("[data-inject]").click()
    message = page.locator("#debug-list .debug-msg[data-node='shown']").first
    expect(message).to_contain_text("7")
    assert message.get_attribute("data-trace")
    message.locator(".path-button").click()

    # the nodes and wires it went through, the others not
    expect(page.locator("#canvas g.node.on-path")).to_have_count(5)
    assert on_path(page) == ["away", "check", "go", "mark", "shown"]
    assert wires_on_path(page) == ["check>away", "check>shown", "go>mark", "mark>check"]
    assert page.locator("#canvas").evaluate("c => c.classList.contains('path-shown')")
    expect(node(page, "aside")).not_to_have_class(re.compile(r"on-path"))
    # each node labelled with its time
    for node_id in ("go", "mark", "check", "shown", "away"):
        label = node(page, node_id).locator(".path-time text").text_content() or ""
        assert TIME.match(label), (node_id, label)
    # the visits in order in the sidebar, the other flow's named
    visits = page.locator("#path-view .path-visit")
    expect(visits).to_have_count(6)
    order = visits.evaluate_all("vs => vs.map(v => v.dataset.node)")
    assert order[:3] == ["go", "mark", "check"]
    assert set(order[3:]) == {"shown", "away", "far"}
    assert order.index("far") > order.index("away")
    for text in visits.locator(".path-time").all_text_contents():
        assert TIME.match(text), text
    expect(visits.filter(has_text="far").locator(".path-flow")).to_have_text("two")
    # the other tab it went to is marked
    expect(page.locator(".tab[data-file='two.yaml']")).to_have_class(re.compile(r"on-path"))
    expect(page.locator(".tab[data-file='one.yaml']")).to_have_class(re.compile(r"on-path"))
    page.screenshot(path=str(ARTIFACTS / "debug-path.png"))

    # the same message as the other flow's debug node showed it: that tab, its part of the path
    far = page.locator("#debug-list .debug-msg[data-node='far']").first
    assert far.get_attribute("data-trace") == message.get_attribute("data-trace")
    far.locator(".path-button").click()
    expect(page.locator(".tab.active")).to_have_text("Two")
    expect(page.locator("#canvas g.node.on-path")).to_have_count(1)
    assert on_path(page) == ["far"]  # a link-in is only a wire: the link-out sent it on
    assert TIME.match(node(page, "far").locator(".path-time text").text_content() or "")

    # Escape clears it
    page.locator("#canvas .canvas-bg").hover()
    page.keyboard.press("Escape")
    expect(page.locator("#canvas g.node.on-path")).to_have_count(0)
    expect(page.locator("#canvas path.wire.on-path")).to_have_count(0)
    expect(page.locator("#path-view")).to_be_hidden()
    expect(page.locator(".tab.on-path")).to_have_count(0)


def test_another_click_clears_the_path(page: Any) -> None:
    page.locator("#tab-debug").click()
    node(page, "go").locator("[data-inject]").click()
    button = page.locator("#debug-list .debug-msg[data-node='shown'] .path-button").first
    button.click()
    expect(page.locator("#canvas g.node.on-path")).to_have_count(5)
    button.click()  # the same button again
    expect(page.locator("#canvas g.node.on-path")).to_have_count(0)
    button.click()
    expect(page.locator("#canvas g.node.on-path")).to_have_count(5)
    page.locator("#canvas").click(position={"x": 400, "y": 450})  # the canvas, off the nodes
    expect(page.locator("#canvas g.node.on-path")).to_have_count(0)
