"""The canvas's tool bar takes the pointer over the help line beside it, at a laptop's width:
the help text ran under Undo and Redo at 1280 px, and took their clicks."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.ui.conftest import Served


def test_every_tool_button_takes_its_own_click_at_1280_px(page: Any, served: Served) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    buttons = page.locator(".canvas-tools button")
    expect(buttons.first).to_be_visible()
    for i in range(buttons.count()):
        button = buttons.nth(i)
        box = button.bounding_box()
        assert box is not None
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        hit = page.evaluate(
            "([x, y]) => { const e = document.elementFromPoint(x, y);"
            " return e && e.closest('button') ? e.closest('button').id : (e ? e.className : '') }",
            [x, y])
        name = button.get_attribute("id")
        assert hit == name, f"the point of #{name} is {hit!r}"


def test_undo_clicked_at_1280_px_undoes(page: Any, served: Served) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator(".palette-item[data-type='debug']").drag_to(
        page.locator("#canvas"), target_position={"x": 300, "y": 300})
    expect(page.locator("#canvas g.node")).not_to_have_count(0)
    before = page.locator("#canvas g.node").count()
    page.locator("#undo").click()  # Playwright refuses a click another element would take
    expect(page.locator("#canvas g.node")).to_have_count(before - 1)
