"""Subflows in Chromium: the selected nodes made a subflow (wires into the selection its input,
wires out of it its output ports, one instance in their place), offered in the palette's
Subflows section and used a second time from there (the saved file passes the checker); opened
in its own tab and edited there; an instance's parameter values."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from flowrt.check import check
from flowrt.load import Project, load_text
from flowrt.registry.discover import default_registry
from tests.ui.conftest import ARTIFACTS, Served

FLOW = """\
flowrt: 1
id: sub
nodes:
  tick: {type: inject, to: double}
  double:
    type: change
    rules:
      - set: payload
        to: {type: jsonata, value: payload * 2}
    to: tag
  tag: {type: change, rules: [{set: topic, to: doubled}], to: show}
  show: {type: debug}
layout:
  tick: [100, 100]
  double: [300, 100]
  tag: [500, 100]
  show: [700, 100]
groups:
  work: {label: Work, nodes: [double, tag]}
"""

NODE = "#canvas g.node"


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"sub.yaml": FLOW}


def node(page: Any, node_id: str) -> Any:
    return page.locator(f"{NODE}[data-id='{node_id}']")


def test_make_a_subflow_of_a_selection_and_use_it_twice(page: Any, served: Served) -> None:
    node(page, "double").locator(".node-box").click()
    node(page, "tag").locator(".node-box").click(modifiers=["Shift"])
    page.locator("#make-subflow").click()
    dialog = page.locator("dialog.modal")
    dialog.locator("#subflow-name").fill("double-tag")
    dialog.locator("button.primary").click()

    # one instance in the selection's place, wired as the selection was
    instance = node(page, "double-tag")
    expect(instance).to_have_attribute("data-type", "subflow:double-tag")
    expect(node(page, "double")).to_have_count(0)
    wire = "#canvas path.wire[data-from='{}'][data-to='{}']"
    expect(page.locator(wire.format("tick", "double-tag"))).to_have_count(1)
    expect(page.locator(wire.format("double-tag", "show"))).to_have_count(1)
    expect(instance.locator(".port-out")).to_have_count(1)

    # the palette's Subflows section offers it: a second instance
    section = page.locator(".palette-group").filter(has=page.locator("h3", has_text="Subflows"))
    item = section.locator(".palette-item[data-type='subflow:double-tag']")
    expect(item).to_be_visible()
    item.drag_to(page.locator("#canvas"), target_position={"x": 400, "y": 320})
    second = node(page, "double-tag-2")
    expect(second).to_have_attribute("data-type", "subflow:double-tag")
    node(page, "tick").locator(".port-out").drag_to(second.locator(".port-in"))
    expect(page.locator("#canvas path.wire[data-to='double-tag-2']")).to_have_count(1)

    file = served.flows / "sub.yaml"
    before = file.read_text()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 20
    while file.read_text() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    doc = load_text(file.read_text(), "sub.yaml")
    definition = doc.subflows["double-tag"]
    assert [w.target for w in definition.inputs] == ["double"]
    assert definition.outputs == 1
    assert sorted(definition.nodes) == ["double", "tag"]
    assert [(w.port, w.target) for w in definition.nodes["double"].wires] == [(0, "tag")]
    assert [(w.port, w.target) for w in definition.nodes["tag"].wires] == [(0, "$out.0")]
    assert sorted(doc.nodes) == ["double-tag", "double-tag-2", "show", "tick"]
    assert [w.target for w in doc.nodes["tick"].wires] == ["double-tag", "double-tag-2"]
    assert [w.target for w in doc.nodes["double-tag"].wires] == ["show"]
    assert doc.nodes["double-tag-2"].type == "subflow:double-tag"
    # the selection was one group's nodes: the instance takes their place in it
    assert doc.data["groups"]["work"]["nodes"] == ["double-tag"]
    found = check(Project(documents=[doc]), default_registry(), env={})
    assert [d for d in found if d.severity == "error"] == []


def saved(page: Any, served: Served) -> Any:
    """Ctrl-S, then the flow file once it changed."""
    file = served.flows / "sub.yaml"
    before = file.read_text()
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 20
    while file.read_text() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert file.read_text() != before, "the editor did not save"
    return load_text(file.read_text(), "sub.yaml")


def test_a_subflow_opens_in_its_own_tab_and_is_edited_there(page: Any, served: Served) -> None:
    node(page, "double").locator(".node-box").click()
    node(page, "tag").locator(".node-box").click(modifiers=["Shift"])
    page.locator("#make-subflow").click()
    page.locator("dialog.modal #subflow-name").fill("scale")
    page.locator("dialog.modal button.primary").click()
    expect(node(page, "scale")).to_have_count(1)

    # a double click on the instance opens the definition: input, its nodes, output 0
    node(page, "scale").locator(".node-box").dblclick()
    tab = page.locator("#tabs .tab.subflow-tab[data-subflow='scale']")
    expect(tab).to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator(NODE)).to_have_count(4)
    wire = "#canvas path.wire[data-from='{}'][data-to='{}']"
    expect(page.locator(wire.format("$in", "double"))).to_have_count(1)
    expect(page.locator(wire.format("tag", "$out.0"))).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "subflow-tab.png"))

    # delete `tag`, wire `double` to output 0: written into the definition, saved with the flow
    node(page, "tag").locator(".node-box").click()
    page.keyboard.press("Delete")
    node(page, "double").locator(".port-out").drag_to(node(page, "$out.0").locator(".port-in"))
    expect(page.locator(wire.format("double", "$out.0"))).to_have_count(1)
    doc = saved(page, served)
    definition = doc.subflows["scale"]
    assert sorted(definition.nodes) == ["double"]
    assert [(w.port, w.target) for w in definition.nodes["double"].wires] == [(0, "$out.0")]
    assert [w.target for w in definition.inputs] == ["double"]
    assert sorted(doc.nodes) == ["scale", "show", "tick"]
    assert "$in" not in doc.data["subflows"]["scale"]["layout"]
    found = check(Project(documents=[doc]), default_registry(), env={})
    assert [d for d in found if d.severity == "error"] == []

    # undo in the subflow's tab brings `tag` back into the definition
    page.keyboard.press("Control+z")
    page.keyboard.press("Control+z")
    expect(node(page, "tag")).to_have_count(1)
    assert sorted(saved(page, served).subflows["scale"].nodes) == ["double", "tag"]

    # with nothing selected, the panel edits its label and number of outputs
    page.keyboard.press("Escape")
    page.locator("#subflow-label").fill("Scale a reading")
    page.locator("#subflow-label").press("Enter")
    page.locator("#subflow-outputs").fill("2")
    page.locator("#subflow-outputs").press("Enter")
    expect(node(page, "$out.1")).to_have_count(1)
    data = saved(page, served).data["subflows"]["scale"]
    assert (data["label"], data["outputs"]) == ("Scale a reading", 2)
    expect(page.locator("#tabs .tab[data-file='sub.yaml']")).not_to_have_class(
        re.compile(r"\bdirty\b"))

    # back to the flow: the instance has two outputs; undo there takes back the subflow's last
    # change, and the subflow's tab opens again from what the flow now holds
    page.locator("#tabs .tab[data-file='sub.yaml']").click()
    expect(node(page, "scale").locator(".port-out")).to_have_count(2)
    page.keyboard.press("Control+z")
    expect(node(page, "scale").locator(".port-out")).to_have_count(1)
    node(page, "scale").locator(".node-box").dblclick()
    expect(tab).to_have_class(re.compile(r"\bactive\b"))
    expect(node(page, "$out.0")).to_have_count(1)
    expect(node(page, "$out.1")).to_have_count(0)
    page.locator("#tabs .tab[data-file='sub.yaml']").click()
    tab.locator(".tab-close").click()
    expect(tab).to_have_count(0)


SCALED = """\
flowrt: 1
id: sub
subflows:
  scale:
    params:
      FACTOR: {default: 1, description: Multiplier}
    input: multiply
    outputs: 1
    nodes:
      multiply:
        type: change
        rules:
          - set: payload
            to: {type: jsonata, value: "payload * ${FACTOR}"}
        to: $out.0
nodes:
  tick: {type: inject, to: scaled}
  scaled: {type: subflow:scale, to: show}
  show: {type: debug}
"""


@pytest.mark.parametrize("flow_files", [{"sub.yaml": SCALED}])
def test_an_instance_sets_the_subflow_parameters(page: Any, served: Served) -> None:
    instance = node(page, "scaled")
    expect(instance.locator(".port-out")).to_have_count(1)
    instance.locator(".node-box").click()
    field = page.locator("#prop-env")
    expect(page.locator("#panel-props")).to_contain_text("FACTOR (default 1): Multiplier")
    field.fill('{"FACTOR": 10}')
    field.blur()
    doc = saved(page, served)
    assert doc.nodes["scaled"].env == {"FACTOR": 10}
