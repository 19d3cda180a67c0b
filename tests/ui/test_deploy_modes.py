"""Deploy modes in the editor: a one-node change deployed with "Modified nodes" (the default)
replaces that node alone, and the rest of the flow keeps its state (a script's node context, a
debug node's count); "Modified flows", chosen from the mode menu, restarts the flow."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

COUNTED = """\
flowrt: 1
id: counted
label: Counted
nodes:
  tick: {type: inject, payload: 1, to: tag}
  tag: {type: change, rules: [{set: tag, to: v1}], to: count}
  count:
    type: script
    code: |
      n = context.get('n', 0) + 1
      context.set('n', n)
      node.status(text=f'count {n}')
      return msg
    to: show
  show: {type: debug, status: count}
layout:
  tick: [40, 40]
  tag: [240, 40]
  count: [440, 40]
  show: [640, 40]
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"counted.yaml": COUNTED}


def node(page: Any, node_id: str) -> Any:
    return page.locator(f"#canvas g.node[data-id='{node_id}']")


def status(page: Any, node_id: str) -> Any:
    return node(page, node_id).locator(".node-status")


def set_tag(page: Any, value: str) -> None:
    node(page, "tag").locator(".node-box").click()
    expect(page.locator("#node-id")).to_have_value("tag")
    page.locator("#panel-props .rule-row").first.locator("input[data-key='to']").fill(value)
    expect(page.locator("#deploy-count")).to_have_text("1")


def test_a_one_node_change_keeps_the_rest_of_the_flow_and_its_context(page: Any) -> None:
    expect(page.locator(".tab.active")).to_have_text("Counted")
    expect(page.locator("#deploy-mode")).to_have_text("Modified nodes ▾")
    for n in (1, 2):
        node(page, "tick").locator("[data-inject]").click()
        expect(status(page, "count")).to_contain_text(f"count {n}")
    expect(status(page, "show")).to_contain_text("2")

    set_tag(page, "v2")
    page.locator("#deploy").click()
    toast = page.locator(".toast-ok").filter(has_text="Deployed")
    expect(toast).to_contain_text("1 node changed (1 replaced)", timeout=30_000)
    # the counting script and the debug node kept running: their state goes on
    expect(status(page, "show")).to_contain_text("2")
    node(page, "tick").locator("[data-inject]").click()
    expect(status(page, "count")).to_contain_text("count 3")
    expect(status(page, "show")).to_contain_text("3")

    # "Modified flows" from the menu: the flow restarts, the debug node's count with it
    page.locator("#deploy-mode").click()
    page.locator("dialog.modal button", has_text="Modified flows").click()
    expect(page.locator("#deploy-mode")).to_have_text("Modified flows ▾")
    set_tag(page, "v3")
    page.locator("#deploy").click()
    expect(page.locator(".toast-ok").filter(has_text="in counted")).to_contain_text(
        "1 node changed", timeout=30_000)
    node(page, "tick").locator("[data-inject]").click()
    expect(status(page, "show")).to_contain_text("1")
    # node context lives in the store, not in the running node: the count goes on
    expect(status(page, "count")).to_contain_text("count 4")
