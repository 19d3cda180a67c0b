"""Revisions in the editor: each deploy is listed, its difference with now shown, and a rollback
puts the files back, deploys them and reloads the editor."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.ui.conftest import Served


def drop(page: Any, type_: str, x: int, y: int) -> None:
    page.locator(f".palette-item[data-type='{type_}']").drag_to(
        page.locator("#canvas"), target_position={"x": x, "y": y})


def deploy(page: Any) -> None:
    page.locator("#deploy").click()
    expect(page.locator(".toast-ok", has_text="Deployed")).to_have_count(1, timeout=30_000)
    expect(page.locator(".toast-ok", has_text="Deployed")).to_have_count(0, timeout=30_000)


def test_history_diff_and_rollback(page: Any, served: Served) -> None:
    drop(page, "debug", 300, 300)
    deploy(page)
    drop(page, "json", 300, 450)
    deploy(page)
    assert "json:" in (served.flows / "demo.yaml").read_text()

    page.locator("#history").click()
    dialog = page.locator("dialog.modal", has_text="Revisions")
    items = dialog.locator(".revisions li[data-revision]")
    expect(items.first).to_be_visible()
    count = items.count()
    assert count >= 2
    # newest first: the second one is the deploy before the json node was added
    items.nth(1).click()
    diff = dialog.locator("pre.diff")
    expect(diff).to_contain_text("json")
    expect(diff.locator(".add").first).to_be_visible()
    dialog.get_by_role("button", name="Roll back to the chosen revision").click()
    expect(page.locator(".toast-ok", has_text="Rolled back")).to_be_visible(timeout=30_000)
    expect(page.locator("#canvas g.node[data-id='json']")).to_have_count(0)
    expect(page.locator("#canvas g.node[data-id='debug']")).to_have_count(1)
    assert "json:" not in (served.flows / "demo.yaml").read_text()


def test_deploy_from_another_editor_reloads_clean_flows(page: Any, browser: Any,
                                                         served: Served) -> None:
    expect(page.locator("#conn-state")).to_have_class("conn-state up")
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        second = other.new_page()
        second.goto(served.url + "/")
        expect(second.locator(".tab.active")).to_have_text("Demo")
        expect(second.locator("#conn-state")).to_have_class("conn-state up")
        drop(second, "debug", 300, 300)
        second.locator("#deploy").click()
        expect(second.locator(".toast-ok", has_text="Deployed")).to_be_visible(timeout=30_000)
    finally:
        other.close()
    # this editor had no unsaved change: it shows the other editor's node
    expect(page.locator(".toast", has_text="Deployed from another editor")).to_be_visible()
    expect(page.locator("#canvas g.node[data-id='debug']")).to_be_visible()
    expect(page.locator("#deploy-count")).to_have_text("")
