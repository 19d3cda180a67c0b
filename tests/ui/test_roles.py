"""The editor under a viewer's login: Save, Deploy, Import and the deploy menu are disabled,
each with a tooltip naming the role it needs; a deployer's are not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from flowrt.server.auth import hash_password


@pytest.fixture
def serve_args(tmp_path: Path) -> list[str]:
    hashed = hash_password("lovelace-1815")
    auth = tmp_path / "auth.yaml"
    auth.write_text("users:\n"
                    f"  ada: {{password: '{hashed}', role: viewer}}\n"
                    f"  grace: {{password: '{hashed}', role: deployer}}\n")
    return ["--auth-file", str(auth)]


def log_in(page: Any, user: str) -> None:
    dialog = page.locator("dialog.modal", has_text="Log in")
    expect(dialog).to_be_visible()
    page.locator("#login-user").fill(user)
    page.locator("#login-password").fill("lovelace-1815")
    page.locator("#login-password").press("Enter")
    expect(page.locator("dialog.modal")).to_have_count(0)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def test_a_viewer_sees_save_and_deploy_disabled(page: Any) -> None:
    log_in(page, "ada")
    expect(page.locator("body")).to_have_attribute("data-role", "viewer")
    expect(page.locator(".tab.active")).to_have_text("Demo")
    for button, role in (("#save", "editor"), ("#deploy", "deployer"),
                         ("#deploy-mode", "deployer"), ("#import", "editor")):
        expect(page.locator(button)).to_be_disabled()
        expect(page.locator(button)).to_have_attribute(
            "title", f"Needs the {role} role (you are viewer)")
    # an edit does not enable Save: the role still may not save
    before = page.locator("#canvas g.node").count()
    assert before > 0
    page.locator("#canvas").focus()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    expect(page.locator("#canvas g.node")).to_have_count(0)
    expect(page.locator("#save")).to_be_disabled()
    expect(page.locator("#export")).to_be_enabled()


def test_a_deployer_may_deploy(page: Any) -> None:
    log_in(page, "grace")
    expect(page.locator("body")).to_have_attribute("data-role", "deployer")
    expect(page.locator("#deploy")).to_be_enabled()
    expect(page.locator("#import")).to_be_enabled()


def test_a_viewer_cannot_save_the_text_view(page: Any) -> None:
    log_in(page, "ada")
    page.locator("#text-view").click()
    save_text = page.get_by_role("button", name="Save text")
    expect(save_text).to_be_disabled()
    expect(save_text).to_have_attribute("title", "Needs the editor role (you are viewer)")
