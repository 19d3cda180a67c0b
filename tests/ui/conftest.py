"""Browser tests of the editor: a real `flowrt serve` on a free port, driven by Debian's Chromium.

Playwright's own browser downloads are not used: the `playwright` package launches
/usr/bin/chromium (override with FLOWRT_TEST_CHROMIUM). Screenshots go to tests/ui/artifacts/.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.serving import serve_process

CHROMIUM = os.environ.get("FLOWRT_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

DEMO_FLOW = """\
# The editor test's flow: the browser adds inject -> change -> debug below the note.
# These comments must survive every save from the editor.
flowrt: 1
id: demo
label: Demo            # the tab's title
nodes:
  note:                # a comment node, kept as it is
    type: comment
    info: Built by tests/ui.
"""


@dataclass
class Served:
    url: str
    flows: Path
    log: Path


@pytest.fixture
def flow_files() -> dict[str, str]:
    """The flows directory's files (a test module may override this fixture)."""
    return {"demo.yaml": DEMO_FLOW}


@pytest.fixture
def serve_args(tmp_path: Path) -> list[str]:
    """More options for `flowrt serve` (a test module may override this fixture)."""
    return []


@pytest.fixture
def served(tmp_path: Path, flow_files: dict[str, str], serve_args: list[str]) -> Iterator[Served]:
    """`flowrt serve` over a temporary flows directory holding `flow_files`."""
    flows = tmp_path / "flows"
    flows.mkdir()
    for name, text in flow_files.items():
        (flows / name).write_text(text)
    with serve_process(flows, "--host", "127.0.0.1", *serve_args, log=tmp_path / "serve.log",
                       wait=60) as process:
        yield Served(process.url, flows, process.log)


def bbox(locator: Any) -> dict[str, float]:
    """The bounding box of a canvas element; polls, since the canvas redraws its elements."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        box: dict[str, float] | None = locator.bounding_box()
        if box:
            return box
        time.sleep(0.05)
    pytest.fail(f"{locator} has no bounding box")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    """The editor at 1280x800; fails the test on any uncaught script error in the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.set_default_timeout(20_000)
    pg.goto(served.url + "/")
    # the flows are listed once body[data-ready]; a login dialog comes first with auth
    pg.locator("body[data-ready] .palette-item[data-type=inject], dialog.modal").first.wait_for()
    yield pg
    context.close()
    assert not errors, f"script errors in the editor: {errors}"
