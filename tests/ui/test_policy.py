"""The palette under `flowrt serve --scripts sandboxed`: refused node types are greyed, say why,
and cannot be added; the others stay usable."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect


@pytest.fixture
def serve_args() -> list[str]:
    return ["--scripts", "sandboxed"]


def test_refused_types_are_greyed_and_cannot_be_added(page: Any, served: Any) -> None:
    script = page.locator(".palette-item[data-type='script']")
    function = page.locator(".palette-item[data-type='function']")
    expect(script).to_have_class("palette-item cat-script refused")
    expect(script).to_have_attribute("aria-disabled", "true")
    expect(script).to_have_attribute("title", "script: refused by this server's script policy "
                                              "(flowrt serve --scripts)")
    expect(function).not_to_have_class("palette-item cat-script refused")
    assert float(script.evaluate("e => getComputedStyle(e).opacity")) < 0.6
    nodes = page.locator("g.node")
    before = nodes.count()
    script.focus()
    page.keyboard.press("Enter")
    function.focus()
    page.keyboard.press("Enter")
    expect(nodes).to_have_count(before + 1)
