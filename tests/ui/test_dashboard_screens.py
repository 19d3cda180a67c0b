"""Screenshots of the example sensor dashboard (flows/dashboard-sensors.yaml) in the light and
dark themes, on a desktop's and a phone's width, once it shows readings: into
tests/ui/artifacts/, or with FLOWRT_SCREENSHOTS=docs into docs/dashboard/, the pictures
docs/dashboard.md shows."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.ui.conftest import ARTIFACTS, Served

ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = ROOT / "docs" / "dashboard"
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(params=["light", "dark"])
def flow_files(request: Any) -> dict[str, str]:
    text = (ROOT / "flows" / "dashboard-sensors.yaml").read_text(encoding="utf-8")
    return {"dashboard-sensors.yaml": text.replace("theme: auto", f"theme: {request.param}")}


def test_the_sensor_dashboard_as_people_see_it(browser: Any, served: Served,
                                              flow_files: dict[str, str]) -> None:
    from playwright.sync_api import expect

    theme = "dark" if "theme: dark" in flow_files["dashboard-sensors.yaml"] else "light"
    folder = SHOTS if os.environ.get("FLOWRT_SCREENSHOTS") == "docs" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, seen=errors: seen.append(str(exc)))
        page.set_default_timeout(20_000)
        page.goto(served.url + "/dashboard/")
        assert f"theme-{theme}" in (page.locator("body").get_attribute("class") or "")
        chart = page.locator("[data-widget=temperatures]")
        expect(chart).to_have_attribute("data-series", "hall,boiler")
        expect(chart).not_to_have_attribute("data-points", "2")  # a line, not a dot
        expect(page.locator("[data-widget=alarm-text] .value")).to_have_text("ok")
        page.screenshot(path=str(folder / f"{theme}-{name}.png"))
        context.close()
        assert errors == []
