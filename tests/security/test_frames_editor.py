"""The editor in Chromium under its CSP: it loads, lists the flows, opens the runtime
WebSocket and renders node help with no policy violation; and a page of another site cannot
show it in a frame."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.security.http_kit import serving

CHROMIUM = os.environ.get("FLOWRT_TEST_CHROMIUM", "/usr/bin/chromium")
RECORD = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


def test_the_editor_works_under_its_csp(browser: Any, tmp_path: Path) -> None:
    with serving(tmp_path) as (port, log):
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(20_000)
        console: list[str] = []
        errors: list[str] = []
        page.on("console", lambda m: console.append(m.text))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(RECORD)
        response = page.goto(f"http://127.0.0.1:{port}/")
        assert response is not None and "content-security-policy" in response.headers
        page.locator("body[data-ready] .palette-item[data-type=inject]").wait_for()
        page.locator("#conn-state.up").wait_for()  # the WebSocket to the same origin opened
        page.locator(".tab", has_text="web").first.click()
        page.locator("#canvas g.node[data-id='hello'] .node-box").dblclick()
        page.locator("#panel-props details.docs summary").click()
        page.locator("#panel-props details.docs .markdown").wait_for()
        page.locator("#tab-debug").click()
        violations = page.evaluate("window.__violations")
        context.close()
    assert violations == []
    assert [c for c in console if "Content Security Policy" in c] == []
    assert errors == []


def test_another_site_cannot_frame_the_editor(browser: Any, tmp_path: Path) -> None:
    with serving(tmp_path) as (port, log), _page_of_another_site(
            f'<iframe src="http://127.0.0.1:{port}/" width="800" height="600"></iframe>'
    ) as attacker:
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(attacker)  # waits for the load event, the frame's too
        frames = [f for f in page.frames if f != page.main_frame]
        assert len(frames) == 1
        url = frames[0].url
        loaded = frames[0].evaluate("() => !!document.querySelector('#canvas')") \
            if url.startswith("http://127.0.0.1") else False
        context.close()
    assert not loaded, "the editor was shown inside another site's frame"
    assert url.startswith("chrome-error:"), url  # blocked, not merely slow


@contextmanager
def _page_of_another_site(html: str) -> Iterator[str]:
    """A page served on another port of 127.0.0.1 (another origin): its URL."""
    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
