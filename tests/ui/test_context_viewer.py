"""The context viewer in Chromium against a real `flowrt serve`: the selected node's, the
flow's and the global context, refreshed on demand; the API behind it is read-only, takes only
scope names and hides secret values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.waiting import wait_until
from tests.ui.conftest import Served
from tests.ui.test_editor import node, select

FLOW = """\
flowrt: 1
id: counting
label: Counting
nodes:
  tick: {type: inject, once: true, payload: 7, to: count}
  count:
    type: function
    func: |
      context.set("count", (context.get("count") || 0) + 1);
      flow.set("last", msg.payload);
      global.set("site", {name: "plant", token: env.get("SITE_TOKEN")});
      return msg;
    to: shown
  shown: {type: debug}
"""

TOKEN = "s3cret-token-value-42"


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"counting.yaml": FLOW}


@pytest.fixture
def serve_args(tmp_path: Any) -> list[str]:
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(f"SITE_TOKEN: {TOKEN}\n")
    secrets.chmod(0o600)
    return ["--secrets", str(secrets)]


def test_node_flow_and_global_context_refreshed(page: Any, served: Served) -> None:
    select(page, "count")
    page.locator("#tab-context").click()
    scope = page.locator("#panel-context")
    expect(scope.locator("[data-scope='node']")).to_contain_text("count: 1")
    expect(scope.locator("[data-scope='flow']")).to_contain_text("last: 7")
    expect(scope.locator("[data-scope='global']")).to_contain_text("site")
    expect(scope).not_to_contain_text(TOKEN)

    node(page, "tick").locator("[data-inject]").click()
    page.locator("#tab-debug").click()
    expect(page.locator("#debug-list .debug-msg[data-node='shown']").first).to_be_visible()
    page.locator("#tab-context").click()
    page.get_by_role("button", name="Refresh node context").click()
    expect(scope.locator("[data-scope='node']")).to_contain_text("count: 2")

    # nothing selected: the node section says what to do
    page.locator("#canvas").click(position={"x": 600, "y": 600})
    expect(scope.locator("[data-scope='node']")).to_contain_text("Select one node")


def test_the_context_api_hides_secrets_and_takes_scope_names_only(served: Served) -> None:
    with httpx.Client(base_url=served.url, trust_env=False, timeout=10) as client:
        # the inject fires once at start: its function may not have run yet
        wait_until(lambda: "site" in client.get("/api/context/global").json()["values"])
        got = client.get("/api/context/global")
        assert got.status_code == 200, got.text
        assert got.json()["values"]["site"]["name"] == "plant"
        assert TOKEN not in got.text
        assert client.get("/api/context/flow:counting").json()["values"] == {"last": 7}
        assert client.get("/api/context/nothing").status_code == 400
        assert client.post("/api/context/global").status_code in (403, 405)  # read-only
