"""The editor's Group tab under `flowrt serve --group`: the workers, which one runs each
singleton source; and no tab at all for a server outside a group."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.servers import url

TIMER_FLOW = """\
flowrt: 1
id: timers
nodes:
  beat: {type: inject, repeat: 1, to: sink}
  sink: {type: debug, console: false}
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"timers.yaml": TIMER_FLOW}


@pytest.fixture
def serve_args(request: pytest.FixtureRequest) -> list[str]:
    if "outside_a_group" in request.node.name:
        return []
    return ["--group", f"ui-{uuid.uuid4().hex[:8]}", "--group-db", url("pg"),
            "--worker", "editor-worker", "--group-poll", "0.3"]


def test_the_group_tab_lists_the_workers_and_who_runs_each_singleton(page: Any,
                                                                     served: Any) -> None:
    page.goto(served.url)
    tab = page.locator("#tab-group")
    expect(tab).to_be_visible(timeout=20_000)
    tab.click()
    panel = page.locator("#panel-group")
    expect(panel).to_be_visible()
    row = panel.locator("tr[data-worker='editor-worker']")
    expect(row).to_contain_text("editor-worker (this one)")
    expect(row).to_contain_text("alive")
    expect(panel.locator("li[data-node='beat']")).to_contain_text("runs on editor-worker",
                                                                  timeout=20_000)
    expect(row.locator("td").nth(3)).to_have_text("beat")


def test_no_group_tab_outside_a_group(page: Any, served: Any) -> None:
    with page.expect_response(lambda r: r.url.endswith("/api/group")):
        page.goto(served.url)
    # what the editor was told, asked again from the page (the body of the editor's own
    # request may be gone by the time the test reads it)
    answer = page.evaluate("fetch('api/group').then(r => r.json())")
    assert answer["group"] is None
    expect(page.locator("#tab-debug")).to_be_visible()
    expect(page.locator("#tab-group")).to_be_hidden()
