"""The editor in headless Chromium over a real `flowrt serve`, for the editor's abuse tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.security.api_kit import Served, serving

CHROMIUM = os.environ.get("FLOWRT_TEST_CHROMIUM", "/usr/bin/chromium")


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


def open_editor(browser: Any, served: Served) -> Any:
    """A page on the editor, once its flows are listed; the caller closes its context."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(served.url + "/")
    page.locator("body[data-ready]").wait_for()
    return page


@contextmanager
def editor_on(browser: Any, flows: Path) -> Iterator[tuple[Any, Served]]:
    """The editor over ``flows``; fails the test on a script error in the page."""
    with serving(flows) as served:
        page = open_editor(browser, served)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        try:
            yield page, served
        finally:
            page.context.close()
        assert not errors, f"script errors in the editor: {errors}"
