"""Change and switch rules as rows in Chromium: add, edit with typed inputs, reorder, remove; the
flow file gets the rules as written by hand."""

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
label: Rules
nodes:
  tick: {type: inject, to: route}
  route:
    type: switch
    rules: [{gt: 5}, {else: true}]
  fix: {type: change, rules: [{delete: topic}]}
layout:
  tick: [80, 100]
  route: [320, 100]
  fix: [320, 260]
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"typed.yaml": FLOW}


def rows(page: Any) -> Any:
    return page.locator("#panel-props [data-field='rules'] .rule-row")


def test_three_switch_rules_edited_reordered_and_removed(page: Any, served: Served) -> None:
    select(page, "route")
    expect(rows(page)).to_have_count(2)
    expect(rows(page).nth(0).locator(".rule-action")).to_have_value("gt")
    rows(page).nth(0).locator("input[data-key='gt']").fill("10")
    page.locator("#panel-props .rule-add").click()
    third = rows(page).nth(2)
    third.locator(".rule-action").select_option("regex")
    third.locator("input[data-key='regex']").fill("^alarm")
    third.locator("input[data-key='ignore_case']").check()
    expect(node(page, "route").locator(".port-out")).to_have_count(3)
    assert saved(page, served)["route"]["rules"] == [
        {"gt": 10}, {"else": True}, {"regex": "^alarm", "ignore_case": True}]

    rows(page).nth(2).get_by_role("button", name="Move up").click()
    expect(rows(page).nth(1).locator(".rule-action")).to_have_value("regex")
    rows(page).nth(0).locator(".rule-action").select_option("between")
    pair = rows(page).nth(0).locator(".rule-pair input.typed-value")
    pair.nth(0).fill("1")
    pair.nth(1).fill("9")
    assert saved(page, served)["route"]["rules"] == [
        {"between": [1, 9]}, {"regex": "^alarm", "ignore_case": True}, {"else": True}]

    rows(page).nth(1).get_by_role("button", name="Remove").click()
    expect(rows(page)).to_have_count(2)
    assert saved(page, served)["route"]["rules"] == [{"between": [1, 9]}, {"else": True}]


def test_a_change_rule_sets_the_payload_to_plain_text(page: Any, served: Served) -> None:
    select(page, "fix")
    page.locator("#panel-props .rule-add").click()
    second = rows(page).nth(1)
    expect(second.locator(".rule-action")).to_have_value("set")
    second.locator("input[data-key='set']").fill("payload")
    second.locator("input[data-key='to']").fill("hello there")
    assert saved(page, served)["fix"]["rules"] == [
        {"delete": "topic"}, {"set": "payload", "to": "hello there"}]
    # the target is a message property or a context key, nothing else
    options = second.locator("select[data-typed='set'] option")
    expect(options).to_have_count(3)
    second.locator("select[data-typed='set']").select_option("flow")
    second.locator("select[data-typed='to']").select_option("jsonata")
    second.locator("input[data-key='to']").fill("payload * 2")
    assert saved(page, served)["fix"]["rules"][1] == {
        "set": {"type": "flow", "value": "payload"},
        "to": {"type": "jsonata", "value": "payload * 2"}}


def test_a_switch_rule_compares_with_the_previous_value(page: Any, served: Served) -> None:
    select(page, "route")
    first = rows(page).nth(0)
    first.locator("select[data-typed='gt']").select_option("prev")
    expect(first.locator("input[data-key='gt']")).to_have_attribute(
        "placeholder", "the value the previous message had")
    assert saved(page, served)["route"]["rules"][0] == {"gt": {"type": "prev"}}
