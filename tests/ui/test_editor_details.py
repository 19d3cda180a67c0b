"""Small things of the editor that got in the way: the "+" tab with many flows, a selected wire,
where pasted nodes land, and a word after Save."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import Served, bbox
from tests.ui.test_editor import node

FLOW = """\
flowrt: 1
id: {id}
label: A flow with a long label {id}
nodes:
  start: {{type: inject, payload: hi, to: show}}
  show: {{type: debug}}
layout:
  start: [100, 100]
  show: [350, 100]
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    # node ids are unique in a project: only the first flow has nodes
    empty = "flowrt: 1\nid: {id}\nlabel: A flow with a long label {id}\nnodes: {{}}\n"
    files = {"a0.yaml": FLOW.format(id="a0")}
    files |= {f"a{i}.yaml": empty.format(id=f"a{i}") for i in range(1, 9)}
    return files


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def test_the_new_flow_tab_stays_in_sight_with_nine_flows(page: Any) -> None:
    expect(page.locator(".tab:not(.add)")).to_have_count(9)
    add, bar = bbox(page.locator(".tab.add")), bbox(page.locator("#tabs"))
    assert bar["x"] <= add["x"] and add["x"] + add["width"] <= bar["x"] + bar["width"] + 1
    page.locator(".tab[data-file='a8.yaml']").click()
    expect(page.locator(".tab.active")).to_be_in_viewport()
    page.locator(".tab.add").click()
    expect(page.locator("#new-flow-name")).to_be_visible()


def test_a_selected_wire_stands_out(page: Any) -> None:
    width = ("() => { const w = document.querySelector(`#canvas path.wire[data-from='start']`);"
             " return w && w.isConnected ? parseFloat(getComputedStyle(w).strokeWidth) : 0; }")
    page.wait_for_function(f"({width})() > 0")  # the canvas redraws: read a drawn wire
    before = float(page.evaluate(width))
    start = bbox(node(page, "start").locator(".node-box"))
    show = bbox(node(page, "show").locator(".node-box"))
    page.mouse.click((start["x"] + start["width"] + show["x"]) / 2,
                     start["y"] + start["height"] / 2)  # the middle of the wire
    expect(page.locator("#canvas path.wire.selected")).to_have_count(1)
    page.wait_for_function(f"({width.replace('path.wire', 'path.wire.selected')})() >= "
                           f"2 * {before}")


def test_pasted_nodes_do_not_cover_the_originals_and_save_says_so(page: Any) -> None:
    node(page, "start").locator(".node-box").click()
    page.keyboard.press("Control+c")
    page.locator("#palette-search").hover()  # the pointer off the canvas: below the originals
    page.keyboard.press("Control+v")
    expect(node(page, "start-2")).to_be_visible()
    copy = bbox(node(page, "start-2").locator(".node-box"))
    for original in ("start", "show"):
        assert not overlap(copy, bbox(node(page, original).locator(".node-box"))), original
    # with the pointer on an empty spot of the canvas, the copy goes there
    canvas = bbox(page.locator("#canvas"))
    page.mouse.move(canvas["x"] + 500, canvas["y"] + 400)
    page.keyboard.press("Control+v")
    third = bbox(node(page, "start-3").locator(".node-box"))
    assert abs(third["x"] - (canvas["x"] + 500)) < 40 and abs(third["y"] - (canvas["y"] + 400)) < 40

    page.keyboard.press("Control+s")
    expect(page.locator(".toast-ok")).to_contain_text("Saved a0.yaml")


LABELLED = """\
flowrt: 1
id: labelled
label: Labelled
nodes:
  every-five: {type: inject, repeat: 5, payload: hi, to: set-it}
  set-it:
    type: change
    label: Set the payload to the reading of the boiler room
    rules: [{set: payload, to: 1}, {delete: topic}]
"""


def test_nodes_show_an_icon_a_summary_and_their_whole_label(page: Any, served: Served) -> None:
    (served.flows / "labelled.yaml").write_text(LABELLED)
    page.reload()
    page.locator("body[data-ready]").wait_for()
    page.locator(".tab[data-file='labelled.yaml']").click()
    inject, change = node(page, "every-five"), node(page, "set-it")
    expect(inject.locator(".node-summary")).to_have_text('"hi", every 5 s')
    expect(change.locator(".node-summary")).to_have_text("set msg.payload +1")
    expect(change.locator(".node-label")).to_have_text(
        "Set the payload to the reading of the boiler room")
    for n in (inject, change):
        assert n.locator("path.node-icon").get_attribute("d")
    assert inject.locator("path.node-icon").get_attribute("d") != change.locator(
        "path.node-icon").get_attribute("d")
    # the box is as wide as its label, and the label is readable at the default zoom
    label = bbox(change.locator(".node-label"))
    box = bbox(change.locator(".node-box"))
    assert label["x"] + label["width"] <= box["x"] + box["width"]
    assert label["height"] >= 11
