"""The editor with a dashboard flow: the dashboard connection's form (its pages, groups and
widgets, from the schema) and a widget node's form open with no script error."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.nodes.dashboard.boards import BOARD
from tests.ui.conftest import ARTIFACTS


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"board.yaml": BOARD}


def test_the_dashboards_forms_open(page: Any) -> None:
    page.locator(".tab", has_text="board").first.click()
    board = page.locator("details.connection[data-connection='board']")
    board.locator("summary").click()
    expect(board).to_contain_text("pages")
    page.screenshot(path=str(ARTIFACTS / "dashboard-editor-connection.png"))
    page.locator("#canvas g.node[data-id='dial'] .node-box").dblclick()
    expect(page.locator("#panel-props")).to_contain_text("sectors")
    page.locator("#canvas g.node[data-id='press'] .node-box").dblclick()
    expect(page.locator("#panel-props")).to_contain_text("payload")
