"""A wire to a node the flow does not have: drawn as broken on the canvas, and fixed from the
node's form (pointed at a node that is there, or removed)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import Served
from tests.ui.test_editor import node, select
from tests.ui.test_typed_inputs import saved

FLOW = """\
flowrt: 1
id: typed
label: Broken
nodes:
  tick: {type: inject, to: [show, gone, lost]}
  show: {type: debug}
  spare: {type: debug}
layout:
  tick: [80, 100]
  show: [320, 100]
  spare: [320, 220]
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"typed.yaml": FLOW}


def test_a_wire_to_a_missing_node_is_drawn_broken_and_fixed_in_the_form(
        page: Any, served: Served) -> None:
    broken = page.locator("#canvas g.wire-broken")
    expect(broken).to_have_count(2)
    expect(page.locator("#canvas g.wire-broken[data-to='gone']")).to_contain_text("gone?")
    expect(node(page, "tick").locator(".badge")).to_be_visible()  # the checker says so too

    select(page, "tick")
    wires = page.locator("#panel-props .wires-list li")
    expect(wires).to_have_count(3)
    gone = page.locator("#panel-props .wires-list li.broken[data-to='gone']")
    expect(gone).to_contain_text("missing")
    gone.locator("select.rewire").select_option("spare")
    page.locator("#panel-props .wires-list li.broken[data-to='lost']").get_by_role(
        "button").click()
    expect(broken).to_have_count(0)
    expect(page.locator("#canvas path.wire[data-from='tick'][data-to='spare']")).to_have_count(1)
    assert saved(page, served)["tick"]["to"] == ["show", "spare"]
    expect(node(page, "tick").locator(".badge")).to_have_count(0)
