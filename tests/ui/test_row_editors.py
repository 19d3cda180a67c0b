"""List and mapping fields edited as rows generated from the schema, not JSON boxes: a catch
node's scope, an HTTP request's headers, an inject node's extra properties (typed values)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import Served
from tests.ui.test_editor import select
from tests.ui.test_typed_inputs import saved

FLOW = """\
flowrt: 1
id: typed
label: Rows
nodes:
  tick: {type: inject, to: ask}
  ask: {type: http-request, url: "http://127.0.0.1:9/", headers: {X-Trace: "1"}}
  errors: {type: catch, scope: [tick]}
  log: {type: debug}
layout:
  tick: [80, 100]
  ask: [320, 100]
  errors: [80, 220]
  log: [320, 220]
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"typed.yaml": FLOW}


def rows(page: Any, key: str) -> Any:
    return page.locator(f"#panel-props [data-field='{key}'] .row-item")


def test_lists_and_mappings_are_rows(page: Any, served: Served) -> None:
    select(page, "errors")
    expect(rows(page, "scope")).to_have_count(1)
    page.locator("#panel-props [data-field='scope'] .rows-add").click()
    rows(page, "scope").nth(1).locator("input").fill("ask")
    assert saved(page, served)["errors"]["scope"] == ["tick", "ask"]
    rows(page, "scope").nth(0).get_by_role("button").click()
    expect(rows(page, "scope")).to_have_count(1)
    assert saved(page, served)["errors"]["scope"] == ["ask"]

    select(page, "ask")
    expect(rows(page, "headers").nth(0).locator(".row-name")).to_have_value("X-Trace")
    page.locator("#panel-props [data-field='headers'] .rows-add").click()
    second = rows(page, "headers").nth(1)
    second.locator(".row-name").fill("Accept")
    second.locator(".row-value").fill("application/json")
    assert saved(page, served)["ask"]["headers"] == {"X-Trace": "1", "Accept": "application/json"}

    select(page, "tick")
    page.locator("#panel-props [data-field='properties'] .rows-add").click()
    prop = rows(page, "properties").nth(0)
    prop.locator(".row-name").fill("site")
    prop.locator("select.typed-type").select_option("num")
    prop.locator("input.typed-value").fill("7")
    assert saved(page, served)["tick"]["properties"] == {"site": 7}
