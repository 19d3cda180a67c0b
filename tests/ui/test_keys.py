"""An endpoint's keys in Chromium against a real `flowrt serve --keys`: selecting an http-in
with `auth: key` shows the keys it accepts with their use, refreshed while devices call it;
an admin adds a key (shown once) and revokes it, and the endpoint refuses it on the next
request; a viewer sees the keys and their use without the means to change them. No key but the
one just made, and no part of a hash, ever reaches the page."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from flowrt.secrets.keys import add_key, read_keys
from flowrt.server.auth import hash_password
from tests.ui.conftest import ARTIFACTS, Served
from tests.ui.test_roles import log_in

FLOW = """\
flowrt: 1
id: api
label: API
nodes:
  readings:
    type: http-in
    method: post
    url: /readings
    auth: key
    scopes: [readings:write]
    rate: 0.001
    burst: 2
    quota: 100
    to: reply
  reply: {type: http-response}
  open_in: {type: http-in, url: /open, to: open_reply}
  open_reply: {type: http-response}
  frames: {type: websocket-in, listener: devices}
connections:
  devices: {type: websocket-listener, path: /ws/devices, auth: key, scopes: [frames:send]}
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"api.yaml": FLOW}


@pytest.fixture
def keys_file(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "keys.json"
    return path, add_key(path, "sensor-7", ["readings:write"])


@pytest.fixture
def serve_args(tmp_path: Path, keys_file: tuple[Path, str]) -> list[str]:
    hashed = hash_password("lovelace-1815")
    auth = tmp_path / "auth.yaml"
    auth.write_text("users:\n"
                    f"  ada: {{password: '{hashed}', role: viewer}}\n"
                    f"  grace: {{password: '{hashed}', role: admin}}\n")
    return ["--auth-file", str(auth), "--keys", str(keys_file[0])]


def call(served: Served, key: str) -> int:
    return httpx.post(f"{served.url}/readings", json={}, headers={"X-API-Key": key},
                      timeout=10, trust_env=False).status_code


def keys_panel(page: Any) -> Any:
    page.locator("#canvas g.node[data-id='readings'] .node-box").click()
    panel = page.locator("#panel-props .endpoint-keys[data-endpoint='readings']")
    expect(panel).to_be_visible()
    return panel


def cell(panel: Any, key: str, column: str) -> Any:
    return panel.locator(f"tr[data-key='{key}'] td.{column}")


def test_an_admin_sees_the_use_adds_a_key_and_revokes_it(
        page: Any, served: Served, keys_file: tuple[Path, str]) -> None:
    path, sensor = keys_file
    log_in(page, "grace")
    panel = keys_panel(page)
    expect(panel.locator(".keys-limits")).to_contain_text("POST /readings · auth: key")
    expect(panel.locator(".keys-limits")).to_contain_text("quota 100/day")
    expect(cell(panel, "sensor-7", "requests")).to_have_text("0")
    assert [call(served, sensor) for _ in range(3)] == [200, 200, 429]
    # refreshed while the panel is open: the counts /metrics has
    expect(cell(panel, "sensor-7", "requests")).to_have_text("3")
    expect(cell(panel, "sensor-7", "limited")).to_have_text("1")
    expect(cell(panel, "sensor-7", "quota")).to_have_text("2")
    expect(cell(panel, "sensor-7", "key-state")).to_have_text("active")
    # an admin adds a key: shown once, here
    panel.locator("#new-key-name").fill("cam")
    panel.locator(".add-key button[type=submit]").click()
    value = panel.locator(".new-key .new-key-value")
    expect(value).to_have_value(re.compile(r"^frk_[A-Za-z0-9_-]{43}$"))
    made = value.input_value()
    assert made.startswith("frk_") and read_keys(path)["cam"].scopes == ("readings:write",)
    assert call(served, made) == 200
    expect(cell(panel, "cam", "requests")).to_have_text("1")
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "endpoint-keys.png"))
    panel.locator(".new-key button", has_text="Done").click()
    expect(panel.locator(".new-key")).to_have_count(0)
    # nothing of a key but the one shown, and no part of a hash, in the page
    html = page.content()
    assert sensor not in html and made not in html
    for record in read_keys(path).values():
        digest = record.hash.removeprefix("sha256:")
        assert not any(digest[i:i + 8] in html for i in range(len(digest) - 7))
    assert hashlib.sha256(made.encode()).hexdigest()[:8] not in html
    # revoking takes two clicks, then the endpoint refuses the key
    revoke = panel.locator("tr[data-key='cam'] td.keys-action button")
    revoke.click()
    expect(revoke).to_have_text("Confirm revoke")
    assert read_keys(path)["cam"].revoked is None
    revoke.click()
    expect(cell(panel, "cam", "key-state")).to_have_text("revoked")
    assert call(served, made) == 401
    expect(cell(panel, "cam", "refused")).to_have_text("1")


def test_a_viewer_sees_the_keys_and_their_use_but_cannot_change_them(
        page: Any, served: Served, keys_file: tuple[Path, str]) -> None:
    assert call(served, keys_file[1]) == 200
    log_in(page, "ada")
    panel = keys_panel(page)
    expect(cell(panel, "sensor-7", "requests")).to_have_text("1")
    expect(panel.locator(".add-key")).to_have_count(0)
    expect(panel.locator("td.keys-action button")).to_have_count(0)
    # a websocket-in shows its listener's keys: none has the scope
    page.locator("#canvas g.node[data-id='frames'] .node-box").click()
    sockets = page.locator("#panel-props .endpoint-keys[data-endpoint='devices']")
    expect(sockets.locator(".keys-limits")).to_contain_text("WS /ws/devices · auth: key")
    expect(sockets).to_contain_text("No key has the scopes this endpoint asks for.")
    # a node without auth shows no keys
    page.locator("#canvas g.node[data-id='open_in'] .node-box").click()
    expect(page.locator("#panel-props .endpoint-keys")).to_have_count(0)
