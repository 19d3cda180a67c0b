"""The editor against a server with authentication: a login dialog, then the editor as usual."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from flowrt.server.auth import hash_password


@pytest.fixture
def serve_args(tmp_path: Path) -> list[str]:
    auth = tmp_path / "auth.yaml"
    auth.write_text(f"users:\n  ada: '{hash_password('lovelace-1815')}'\n")
    return ["--auth-file", str(auth)]


def test_login_then_edit(page: Any) -> None:
    dialog = page.locator("dialog.modal", has_text="Log in")
    expect(dialog).to_be_visible()
    page.locator("#login-user").fill("ada")
    page.locator("#login-password").fill("wrong")
    dialog.get_by_role("button", name="Log in").click()
    dialog = page.locator("dialog.modal", has_text="Log in")
    expect(dialog).to_contain_text("Wrong user or password")
    page.locator("#login-user").fill("ada")
    page.locator("#login-password").fill("lovelace-1815")
    page.locator("#login-password").press("Enter")
    expect(page.locator("dialog.modal")).to_have_count(0)
    expect(page.locator(".palette-item[data-type='inject']")).to_be_visible()
    expect(page.locator(".tab.active")).to_have_text("Demo")
    # the event stream opens with the session cookie
    expect(page.locator("#conn-state")).to_have_class("conn-state up")
