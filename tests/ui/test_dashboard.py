"""The dashboard in Chromium against a real `flowrt serve`: every widget renders and updates
from the flow, input widgets send messages that reach the flow (an echo widget shows them with
the browser's socketid), a reloaded page gets the state at once, two browsers stay in sync,
the menu switches pages (also on a phone's width), and nothing breaks the page's CSP."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.nodes.dashboard.boards import BOARD
from tests.ui.conftest import ARTIFACTS, Served

# the board, with an echo widget showing what the input widgets send and who sent it
ECHOED = BOARD.replace("    to: seen\n", "    to: [seen, echo]\n").replace(
    "widgets: [press, fan, setpoint]", "widgets: [press, fan, setpoint, echo]") + \
    '  echo: {type: ui-text, label: Sent, dashboard: board, format: "{{value}} from ' \
    '{{msg.socketid}}"}\n'
RECORD = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"board.yaml": ECHOED}


def feed(served: Served, topic: str, value: Any) -> None:
    body = json.dumps({"topic": topic, "value": value}).encode()
    request = urllib.request.Request(served.url + "/feed", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


class Pages:
    """Dashboard pages opened in their own browser contexts; on closing, checks that none had
    a script error or a CSP violation."""

    def __init__(self, browser: Any, served: Served) -> None:
        self.browser = browser
        self.served = served
        self.opened: list[tuple[Any, Any, list[str], list[str]]] = []

    def open(self, width: int = 1280, height: int = 800) -> Any:
        context = self.browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        errors: list[str] = []
        console: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: console.append(m.text))
        page.add_init_script(RECORD)
        page.set_default_timeout(20_000)
        page.goto(self.served.url + "/dashboard/")
        page.locator("#link[data-state=connected]").wait_for()
        page.locator("[data-widget=temp]").wait_for()
        self.opened.append((context, page, errors, console))
        return page

    def close(self) -> None:
        for context, page, errors, console in self.opened:
            violations = page.evaluate("window.__violations")
            context.close()
            assert violations == [] and errors == []
            assert [c for c in console if "Content Security Policy" in c] == []


@pytest.fixture
def pages(browser: Any, served: Served) -> Iterator[Pages]:
    opened = Pages(browser, served)
    yield opened
    opened.close()


def widget(page: Any, widget_id: str) -> Any:
    return page.locator(f"[data-widget={widget_id}]")


def test_each_widget_renders_and_updates(pages: Pages, served: Served) -> None:
    page = pages.open()
    assert page.title() == "Test board"
    assert "theme-dark" in (page.locator("body").get_attribute("class") or "")
    feed(served, "a", 21.5)
    expect_text(widget(page, "temp").locator(".value"), "21.5 °C")
    assert widget(page, "temp").locator(".label").inner_text() == "Temperature"
    dial = widget(page, "dial")
    expect_attr(dial, "data-value", "21.5")
    assert dial.locator(".gauge-value").text_content() == "21.5"
    assert dial.locator("path.bar").get_attribute("stroke") == "#e53935"  # its sector's colour
    feed(served, "b", 12)
    expect_attr(dial, "data-value", "12")
    assert dial.locator("path.bar").get_attribute("stroke") == "#1e88e5"
    chart = widget(page, "trend")
    expect_attr(chart, "data-series", "a,b")
    expect_attr(chart, "data-points", "2")
    widget(page, "trend").locator("canvas").wait_for()
    for i in range(6):
        feed(served, "a", i)
    expect_attr(chart, "data-points", "6")  # a keeps its last 5 points, b its 1
    feed(served, "a", [])
    expect_attr(chart, "data-points", "0")
    page.locator("#menu a[data-page=controls]").click()
    assert widget(page, "temp").is_hidden()
    feed(served, "x", "on")
    expect_checked(widget(page, "fan").locator("input"), True)
    feed(served, "x", 22.3)
    expect_attr(widget(page, "setpoint"), "data-value", "22.5")
    assert widget(page, "setpoint").locator("input").input_value() == "22.5"
    page.screenshot(path=str(ARTIFACTS / "dashboard-controls.png"))


def test_input_widgets_send_messages_into_the_flow(pages: Pages) -> None:
    page = pages.open()
    me = page.locator("body").get_attribute("data-socketid")
    page.locator("#menu a[data-page=controls]").click()
    echo = widget(page, "echo").locator(".value")
    widget(page, "press").locator("button").click()
    expect_text(echo, f"pressed from {me}")
    widget(page, "fan").locator(".knob").click()
    expect_text(echo, f"on from {me}")
    expect_checked(widget(page, "fan").locator("input"), True)
    widget(page, "fan").locator(".knob").click()
    expect_text(echo, f"off from {me}")
    slider = widget(page, "setpoint").locator("input")
    slider.focus()
    page.keyboard.press("ArrowRight")  # one step up from 10, sent as the key is released
    expect_text(echo, f"10.5 from {me}")


def test_a_reloaded_page_gets_the_state_at_once(pages: Pages, served: Served) -> None:
    feed(served, "x", "on")
    for value in (20, 21, 22):
        feed(served, "a", value)
    page = pages.open()
    expect_text(widget(page, "temp").locator(".value"), "22 °C")
    expect_attr(widget(page, "trend"), "data-points", "3")
    feed(served, "a", 23)
    page.reload()
    page.locator("#link[data-state=connected]").wait_for()
    expect_text(widget(page, "temp").locator(".value"), "23 °C")
    expect_attr(widget(page, "trend"), "data-points", "4")
    expect_attr(widget(page, "dial"), "data-value", "23")
    expect_checked(widget(page, "fan").locator("input"), True)


def test_two_browsers_stay_in_sync(pages: Pages) -> None:
    one, two = pages.open(), pages.open()
    for page in (one, two):
        page.locator("#menu a[data-page=controls]").click()
    widget(one, "fan").locator(".knob").click()
    expect_checked(widget(two, "fan").locator("input"), True)
    slider = widget(two, "setpoint").locator("input")
    slider.focus()
    two.keyboard.press("End")
    expect_attr(widget(one, "setpoint"), "data-value", "30")
    assert widget(one, "setpoint").locator("input").input_value() == "30"
    assert one.locator("body").get_attribute("data-socketid") != \
        two.locator("body").get_attribute("data-socketid")


def test_on_a_phone_the_menu_opens_and_switches_pages(pages: Pages, served: Served) -> None:
    feed(served, "a", 18)
    page = pages.open(390, 844)
    menu = page.locator("#menu")
    assert menu.is_hidden()
    group = page.locator("[data-group=climate]").bounding_box()
    assert group is not None and group["width"] > 330  # the group takes the phone's width
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"))
    page.locator("#menu-toggle").click()
    menu.locator("a[data-page=controls]").click()
    assert menu.is_hidden()  # the menu closes once a page is chosen
    widget(page, "fan").wait_for()
    assert page.url.endswith("#controls")


def expect_text(locator: Any, text: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_have_text(text)


def expect_attr(locator: Any, name: str, value: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_have_attribute(name, value)


def expect_checked(locator: Any, checked: bool) -> None:
    from playwright.sync_api import expect

    expect(locator).to_be_checked(checked=checked)
