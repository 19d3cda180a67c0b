"""Node groups in Chromium: a group from the file drawn as a box around its nodes, following
them when they move; Ctrl-G and the Group button make one (label asked, colour chosen); its label
selects its nodes and its properties edit label and colour; deleting a node takes it out of its
group; Ctrl-Shift-G ungroups; every change is in the saved YAML, comments kept."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from flowrt.load import load_text
from tests.ui.conftest import ARTIFACTS, Served, bbox

FLOW = """\
# kept through every save
flowrt: 1
id: grouped
nodes:
  read: {type: inject, to: parse}
  parse: {type: json, to: show}
  show: {type: debug}
  spare: {type: debug}
layout:
  read: [100, 100]
  parse: [300, 100]
  show: [500, 100]
  spare: [300, 300]
groups:
  inputs: {label: Inputs, color: "#d1e7ff", nodes: [read, parse]}
"""

NODE = "#canvas g.node"


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"grouped.yaml": FLOW}


def node(page: Any, node_id: str) -> Any:
    return page.locator(f"{NODE}[data-id='{node_id}']")


def group(page: Any, group_id: str) -> Any:
    return page.locator(f"#canvas g.node-group[data-group='{group_id}']")


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (outer["x"] < inner["x"] and outer["y"] < inner["y"]
            and inner["x"] + inner["width"] < outer["x"] + outer["width"]
            and inner["y"] + inner["height"] < outer["y"] + outer["height"])


def saved(page: Any, served: Served) -> Any:
    """Ctrl-S, then the file once it changed."""
    file = served.flows / "grouped.yaml"
    before = file.read_text()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 20
    while file.read_text() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    text = file.read_text()
    assert text != before, "the editor did not save"
    assert text.startswith("# kept through every save\n")
    return load_text(text, "grouped.yaml")


def test_a_group_from_the_file_is_drawn_around_its_nodes_and_follows_them(page: Any) -> None:
    box = group(page, "inputs").locator("rect.group-box")
    expect(box).to_have_attribute("fill", "#d1e7ff")
    expect(group(page, "inputs").locator("text.group-label")).to_have_text("Inputs")
    outer = bbox(box)
    assert inside(bbox(node(page, "read").locator(".node-box")), outer)
    assert inside(bbox(node(page, "parse").locator(".node-box")), outer)
    assert not inside(bbox(node(page, "spare").locator(".node-box")), outer)
    # the box stays behind the nodes
    assert page.evaluate(
        "document.querySelector('#canvas g.groups').compareDocumentPosition("
        "document.querySelector('#canvas g.nodes')) & Node.DOCUMENT_POSITION_FOLLOWING")
    # dragging a node moves the box with it
    at = bbox(node(page, "parse").locator(".node-box"))
    page.mouse.move(at["x"] + 60, at["y"] + 15)
    page.mouse.down()
    page.mouse.move(at["x"] + 60, at["y"] + 115, steps=6)
    page.mouse.up()
    moved = bbox(group(page, "inputs").locator("rect.group-box"))
    assert moved["height"] > outer["height"] + 80
    assert inside(bbox(node(page, "parse").locator(".node-box")), moved)
    # dragging the label moves the group's nodes, and only them
    read = bbox(node(page, "read").locator(".node-box"))
    spare = bbox(node(page, "spare").locator(".node-box"))
    label = bbox(group(page, "inputs").locator("text.group-label"))
    page.mouse.move(label["x"] + 5, label["y"] + 5)
    page.mouse.down()
    page.mouse.move(label["x"] + 105, label["y"] + 5, steps=6)
    page.mouse.up()
    expect(node(page, "read")).to_have_attribute("transform", "translate(200,100)")
    assert bbox(node(page, "read").locator(".node-box"))["x"] > read["x"] + 80
    assert bbox(node(page, "spare").locator(".node-box")) == spare


def test_create_edit_delete_and_ungroup_are_saved(page: Any, served: Served) -> None:
    # the label selects the group's nodes and shows its properties
    group(page, "inputs").locator("text.group-label").click()
    expect(page.locator(f"{NODE}.selected")).to_have_count(2)
    label = page.locator("#group-label-prop")
    expect(label).to_have_value("Inputs")
    label.fill("Sources")
    page.locator("#panel-props .group-colours input[value='#fff3c4']").check()
    expect(group(page, "inputs").locator("text.group-label")).to_have_text("Sources")
    expect(group(page, "inputs").locator("rect.group-box")).to_have_attribute("fill", "#fff3c4")

    # Ctrl-G on show + spare: label asked, colour chosen
    node(page, "show").locator(".node-box").click()
    node(page, "spare").locator(".node-box").click(modifiers=["Shift"])
    page.keyboard.press("Control+g")
    dialog = page.locator("dialog.modal")
    expect(dialog.locator("h2")).to_have_text("Group 2 nodes")
    dialog.locator("#group-label").fill("Outputs here")
    dialog.locator(".group-colours input[value='#f5d5e9']").check()
    dialog.locator("button.primary").click()
    expect(group(page, "outputs-here")).to_have_count(1)
    expect(group(page, "outputs-here").locator("rect.group-box")).to_have_attribute(
        "fill", "#f5d5e9")
    expect(page.locator("#group-label-prop")).to_have_value("Outputs here")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "node-groups.png"))

    doc = saved(page, served)
    assert doc.data["groups"]["inputs"] == {
        "label": "Sources", "color": "#fff3c4", "nodes": ["read", "parse"]}
    assert doc.data["groups"]["outputs-here"] == {
        "label": "Outputs here", "color": "#f5d5e9", "nodes": ["show", "spare"]}

    # deleting a node takes it out of its group
    page.keyboard.press("Escape")
    node(page, "spare").locator(".node-box").click()
    page.keyboard.press("Delete")
    expect(node(page, "spare")).to_have_count(0)
    # Ctrl-Shift-G ungroups the selected node's group: its nodes stay
    node(page, "parse").locator(".node-box").click()
    page.keyboard.press("Control+Shift+g")
    expect(group(page, "inputs")).to_have_count(0)
    expect(node(page, "parse")).to_have_count(1)
    doc = saved(page, served)
    assert doc.data["groups"] == {
        "outputs-here": {"label": "Outputs here", "color": "#f5d5e9", "nodes": ["show"]}}

    # the Group button groups the selection too; undo takes the group back off
    node(page, "read").locator(".node-box").click()
    page.locator("#group-nodes").click()
    page.locator("dialog.modal button.primary").click()
    expect(group(page, "group")).to_have_count(1)
    page.keyboard.press("Control+z")
    expect(group(page, "group")).to_have_count(0)
