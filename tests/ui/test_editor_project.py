"""The editor over a project of several flows: new node ids are unique across all flows, a flow
never deployed counts in the Deploy button, and an inject button on a node not yet running says
so in words."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import Served
from tests.ui.test_editor import drop, node

FIRST = """\
flowrt: 1
id: first
label: First
nodes:
  inject: {type: inject, payload: hello, to: debug}
  debug: {type: debug}
"""

LATER = """\
flowrt: 1
id: later
label: Later
nodes:
  tick: {type: inject, payload: tock, to: shown}
  shown: {type: debug}
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"first.yaml": FIRST}


def test_a_second_flow_gets_ids_no_other_flow_uses(page: Any) -> None:
    expect(page.locator(".tab.active")).to_have_text("First")
    page.locator(".tab.add").click()
    page.locator("#new-flow-name").fill("second")
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".tab.active")).to_have_text("second")
    drop(page, "inject", 150, 200)
    drop(page, "debug", 400, 200)
    expect(node(page, "inject-2")).to_be_visible()
    expect(node(page, "debug-2")).to_be_visible()
    # copied and pasted, a node takes the next free id of the project too
    node(page, "inject-2").locator(".node-box").click()
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(node(page, "inject-3")).to_be_visible()


def test_a_flow_never_deployed_counts_and_its_inject_button_says_so(page: Any,
                                                                    served: Served) -> None:
    expect(page.locator("#deploy-count")).to_have_text("")
    (served.flows / "later.yaml").write_text(LATER)
    page.reload()
    page.locator("body[data-ready]").wait_for()
    # not opened yet, its two nodes are changes to deploy
    expect(page.locator("#deploy-count")).to_have_text("2")
    page.locator(".tab[data-file='later.yaml']").click()
    expect(node(page, "tick")).to_be_visible()
    expect(page.locator("#deploy-count")).to_have_text("2")

    node(page, "tick").locator("[data-inject]").click()
    expect(page.locator(".toast")).to_contain_text("tick is not running yet: deploy")
    expect(page.locator(".toast")).not_to_contain_text("404")

    page.locator("#deploy").click()
    expect(page.locator(".toast-ok")).to_contain_text("Deployed", timeout=30_000)
    expect(page.locator("#deploy-count")).to_have_text("")
    node(page, "tick").locator("[data-inject]").click()
    page.locator("#tab-debug").click()
    expect(page.locator("#debug-list .debug-msg[data-node='shown']").first).to_contain_text("tock")


def test_space_drag_panning_does_not_press_the_focused_button(page: Any) -> None:
    level = page.locator("#zoom-level")
    page.locator("#zoom-in").click()  # the button keeps the focus
    expect(level).to_have_text("120%")
    box = page.locator("#canvas").bounding_box()
    x, y = box["x"] + 300, box["y"] + 300
    page.keyboard.down("Space")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 60, steps=5)
    page.mouse.up()
    page.keyboard.up("Space")
    expect(level).to_have_text("120%")
    # a plain Space still presses the focused button, once
    page.locator("#zoom-in").focus()
    page.keyboard.press("Space")
    expect(level).to_have_text("144%")
    page.wait_for_timeout(300)
    expect(level).to_have_text("144%")


def test_deploy_checks_before_it_writes_anything(page: Any, served: Served) -> None:
    before = (served.flows / "first.yaml").read_text()
    drop(page, "change", 400, 300)  # a change node without rules: an error
    expect(node(page, "change")).to_be_visible()
    page.locator("#deploy").click()
    expect(page.locator(".toast")).to_contain_text("nothing saved")
    expect(page.locator("#panel-problems")).to_be_visible()
    assert (served.flows / "first.yaml").read_text() == before


def test_the_text_view_keeps_the_undo_history(page: Any) -> None:
    drop(page, "debug", 400, 300)
    expect(node(page, "debug-2")).to_be_visible()
    page.locator("#text-view").click()
    text = page.locator("#flow-text")
    expect(text).to_have_value(re.compile("debug-2"))
    text.fill(text.input_value().replace("label: First", "label: Renamed"))
    page.locator(".text-pane").get_by_role("button", name="Save text").click()
    expect(page.locator(".tab.active")).to_have_text("Renamed")
    page.keyboard.press("Control+z")  # the text view's change
    expect(page.locator(".tab.active")).to_contain_text("First")
    expect(node(page, "debug-2")).to_be_visible()
    page.keyboard.press("Control+z")  # the node dropped before
    expect(node(page, "debug-2")).to_have_count(0)
    page.keyboard.press("Control+y")
    expect(node(page, "debug-2")).to_be_visible()


def test_flow_ids_are_editable_and_stay_unique(page: Any, served: Served) -> None:
    page.locator(".tab.add").click()
    page.locator("#new-flow-name").fill("second")
    page.get_by_role("button", name="Create").click()
    drop(page, "debug", 300, 200)
    expect(node(page, "debug-2")).to_be_visible()
    # a node id used in another flow is refused
    node(page, "debug-2").locator(".node-box").click()
    page.locator("#node-id").fill("inject")
    page.locator("#node-id").press("Enter")
    expect(page.locator("#panel-props .field-error").first).to_contain_text("another flow")

    page.locator("#canvas").click(position={"x": 600, "y": 600})
    page.locator("#flow-id").fill("first")
    page.locator("#flow-id").press("Enter")
    expect(page.locator("#panel-props")).to_contain_text("'first' is the id of first.yaml")
    page.locator("#flow-id").fill("secondary")
    page.locator("#flow-id").press("Enter")
    page.keyboard.press("Control+s")
    expect(page.locator("#save")).to_be_disabled()
    assert "id: secondary" in (served.flows / "second.yaml").read_text()


def test_a_deploy_with_an_error_in_one_flow_deploys_the_others_if_asked(
        page: Any, served: Served) -> None:
    (served.flows / "later.yaml").write_text(LATER)
    page.reload()
    page.locator("body[data-ready]").wait_for()
    drop(page, "change", 400, 300)  # first.yaml gets an error, unsaved
    expect(node(page, "change")).to_be_visible()
    before = (served.flows / "first.yaml").read_text()
    page.locator("#deploy").click()
    dialog = page.locator("dialog.modal", has_text="Some flows have errors")
    dialog.get_by_role("button", name="Deploy the others").click()
    expect(page.locator(".toast", has_text="Left out")).to_contain_text("first.yaml",
                                                                      timeout=30_000)
    assert (served.flows / "first.yaml").read_text() == before  # the broken flow: not saved
    page.locator(".tab[data-file='later.yaml']").click()
    node(page, "tick").locator("[data-inject]").click()
    page.locator("#tab-debug").click()
    expect(page.locator("#debug-list .debug-msg[data-node='shown']").first).to_contain_text("tock")
