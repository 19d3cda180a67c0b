"""The dashboard's later widgets in Chromium against a real `flowrt serve`: a flow author's
or a message's markup never runs nor becomes elements (the attack test), each widget shows
what the flow sends, each input widget sends its value into the flow (the echo widget shows
it with the browser's socketid), two browsers stay in sync, ui-control changes the page and
hides groups, ui-notification shows a toast."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.nodes.dashboard.widget_boards import WIDGETS
from tests.ui.conftest import ARTIFACTS, Served
from tests.ui.test_dashboard import RECORD, expect_attr, expect_text

ATTACK = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"widgets.yaml": WIDGETS}


def feed(served: Served, w: str, value: Any = None, **more: Any) -> None:
    body = json.dumps({"w": w, **({} if value is None else {"value": value}), **more}).encode()
    request = urllib.request.Request(served.url + "/feed", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


class Pages:
    """Dashboard pages in their own browser contexts; on closing, checks that none had a
    script error, a CSP violation, or ran a script a message carried."""

    def __init__(self, browser: Any, served: Served) -> None:
        self.browser = browser
        self.served = served
        self.opened: list[tuple[Any, Any, list[str]]] = []

    def open(self, hash_: str = "") -> Any:
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(RECORD)
        page.set_default_timeout(20_000)
        page.goto(self.served.url + "/dashboard/" + hash_)
        page.locator("#link[data-state=connected]").wait_for()
        page.locator("[data-widget=count][data-value]").wait_for(state="attached")
        self.opened.append((context, page, errors))
        return page

    def close(self) -> None:
        for context, page, errors in self.opened:
            violations = page.evaluate("window.__violations")
            pwned = page.evaluate("window.__pwned ?? null")
            context.close()
            assert (violations, errors, pwned) == ([], [], None)


@pytest.fixture
def pages(browser: Any, served: Served) -> Iterator[Pages]:
    opened = Pages(browser, served)
    yield opened
    opened.close()


def widget(page: Any, widget_id: str) -> Any:
    return page.locator(f"[data-widget={widget_id}]")


def test_markup_from_the_flow_never_runs_nor_becomes_elements(pages: Pages,
                                                              served: Served) -> None:
    page = pages.open("#shows")
    feed(served, "rooms", [{"name": ATTACK, "temp": 1}])
    feed(served, "alarms", [{"title": ATTACK, "description": ATTACK}])
    feed(served, "notes", f"{ATTACK}\n\n[link](javascript:window.__pwned=3) "
                          "<a href=\"javascript:window.__pwned=4\">a</a> [ok](https://x.test/)")
    feed(served, "alert", ATTACK, topic=ATTACK)
    feed(served, "bars", 3, topic=ATTACK)
    expect_text(widget(page, "rooms").locator("td").first, ATTACK)
    expect_text(widget(page, "alarms").locator(".item-title"), ATTACK)
    expect_text(page.locator(".toast .toast-message"), ATTACK)
    expect_attr(widget(page, "bars"), "data-series", ATTACK)
    notes = widget(page, "notes").locator(".markdown-body")
    expect_text(notes.locator("a"), "ok")
    assert ATTACK in notes.inner_text()
    assert notes.locator("a").get_attribute("href") == "https://x.test/"
    page.goto(served.url + "/dashboard/#inputs")
    page.locator("#link[data-state=connected]").wait_for()
    feed(served, "mode", None, options=[ATTACK, {"label": ATTACK, "value": 1}])
    feed(served, "name", ATTACK)
    feed(served, "visitor", {"who": ATTACK})
    expect_attr(widget(page, "name"), "data-value", ATTACK)
    expect_text(widget(page, "mode").locator("option").nth(1), ATTACK)
    from playwright.sync_api import expect

    # the form's feed may land after the other two: wait for its value, as for theirs
    expect(widget(page, "visitor").locator("input[name=who]")).to_have_value(ATTACK)
    page.goto(served.url + "/dashboard/#shows")  # the replay, drawn again
    page.locator("[data-widget=rooms] td").first.wait_for()
    found = page.evaluate("""() => ({
        elements: document.querySelectorAll(
            "main img, main script, main [onerror], .toasts img, .toasts script").length,
        scripted: [...document.querySelectorAll("a")].filter(
            (a) => /^javascript:/i.test(a.getAttribute("href") || "")).length})""")
    assert found == {"elements": 0, "scripted": 0}


def test_each_widget_shows_what_the_flow_sends(pages: Pages, served: Served) -> None:
    feed(served, "count", 4)
    feed(served, "mode", "manual")
    feed(served, "name", "Ada")
    feed(served, "colour", {"r": 255, "g": 0, "b": 0})
    feed(served, "day", "2026-12-06")
    feed(served, "visitor", {"who": "Bo", "age": 7, "badge": True})
    page = pages.open()
    expect_text(widget(page, "count").locator(".numeric-value"), "4 on")
    expect_attr(widget(page, "mode"), "data-value", '"manual"')
    assert widget(page, "mode").locator("select").input_value() == "1"
    assert widget(page, "name").locator("input").input_value() == "Ada"
    assert widget(page, "colour").locator("input").input_value() == "#ff0000"
    assert widget(page, "day").locator("input").input_value() == "2026-12-06"
    form = widget(page, "visitor")
    assert form.locator("input[name=who]").input_value() == "Bo"
    assert form.locator("input[name=age]").input_value() == "7"
    assert form.locator("input[name=badge]").is_checked()
    page.screenshot(path=str(ARTIFACTS / "dashboard-inputs.png"))
    page.locator("#menu a[data-page=shows]").click()
    feed(served, "rooms", [{"name": "hall", "temp": 21.5}, {"name": "attic", "temp": 9}])
    feed(served, "alarms", ["Smoke", {"title": "Door", "description": "open"}])
    feed(served, "notes", "hot")
    feed(served, "level", 7)
    for topic, value in (("a", 3), ("b", 6)):
        feed(served, "bars", value, topic=topic)
        feed(served, "pie", value, topic=topic)
    expect_attr(widget(page, "rooms"), "data-rows", "2")
    assert widget(page, "rooms").locator("th").all_inner_texts() == ["Room", "°C"]
    assert widget(page, "rooms").locator("tr").nth(1).locator("td").all_inner_texts() == \
        ["hall", "21.5"]
    expect_attr(widget(page, "alarms"), "data-items", "2")
    assert widget(page, "alarms").locator(".item-description").inner_text() == "open"
    expect_text(widget(page, "notes").locator("strong"), "hot")
    expect_attr(widget(page, "level"), "data-value", "7")
    assert widget(page, "level").locator("rect.bar").get_attribute("fill") == "#e53935"
    assert float(widget(page, "level").locator("rect.bar").get_attribute("width") or 0) == 140
    expect_attr(widget(page, "bars"), "data-values", "3,6")
    assert widget(page, "bars").locator("rect.bar").count() == 2
    expect_attr(widget(page, "pie"), "data-values", "3,6")
    assert widget(page, "pie").locator(".slice").count() == 2
    assert widget(page, "pie").locator(".legend li").all_inner_texts() == ["a: 3", "b: 6"]
    assert widget(page, "gap").is_visible()
    page.screenshot(path=str(ARTIFACTS / "dashboard-widgets.png"))


def test_input_widgets_send_their_values_into_the_flow(pages: Pages) -> None:
    page = pages.open()
    me = page.locator("body").get_attribute("data-socketid")
    echo = widget(page, "echo").locator(".value")
    widget(page, "count").locator("button.up").click()
    expect_text(echo, f"1 from {me}")
    widget(page, "mode").locator("select").select_option(label="Manual")
    expect_text(echo, f"manual from {me}")
    widget(page, "name").locator("input").fill("Grace")  # sent `delay` ms after typing
    expect_text(echo, f"Grace from {me}")

    widget(page, "colour").locator("input").fill("#ff8000")
    expect_text(echo, f"rgb(255, 128, 0) from {me}")
    widget(page, "day").locator("input").fill("2026-01-02")
    expect_text(echo, f"1767312000000 from {me}")
    form = widget(page, "visitor")
    form.locator("input[name=age]").fill("4")
    form.locator("button.submit").click()  # who is required: the browser does not send it
    form.locator("input[name=who]").fill("Cy")
    form.locator("input[name=badge]").check()
    form.locator("button.submit").click()
    expect_text(echo, f'{{"who":"Cy","age":4,"badge":true}} from {me}')
    assert form.locator("input[name=who]").input_value() == ""  # emptied after a submit
    page.locator("#menu a[data-page=shows]").click()


def test_a_list_item_clicked_is_sent(pages: Pages, served: Served) -> None:
    page = pages.open()
    me = page.locator("body").get_attribute("data-socketid")
    feed(served, "alarms", ["Smoke", {"title": "Door", "id": 7}])
    page.locator("#menu a[data-page=shows]").click()
    widget(page, "alarms").locator("li button").nth(1).click()
    page.locator("#menu a[data-page=inputs]").click()
    expect_text(widget(page, "echo").locator(".value"),
                f'{{"title":"Door","id":7,"index":1}} from {me}')


def test_two_browsers_stay_in_sync(pages: Pages) -> None:
    one, two = pages.open(), pages.open()
    widget(one, "count").locator("button.up").click()
    expect_attr(widget(two, "count"), "data-value", "1")
    name = widget(two, "name").locator("input")
    name.fill("both")
    name.press("Enter")
    expect_attr(widget(one, "name"), "data-value", "both")
    assert widget(one, "name").locator("input").input_value() == "both"
    widget(one, "mode").locator("select").select_option(label="3")
    expect_attr(widget(two, "mode"), "data-value", "3")
    secret = widget(one, "secret").locator("input")
    secret.fill("hunter2")
    secret.press("Enter")
    widget(one, "count").locator("button.up").click()  # after the password, in order
    expect_attr(widget(two, "count"), "data-value", "2")
    assert widget(two, "secret").locator("input").input_value() == ""


def test_control_changes_the_page_and_hides_groups_and_a_toast_shows(
        pages: Pages, served: Served) -> None:
    page = pages.open()
    feed(served, "control", {"page": "shows", "group": {"hide": ["graphs"]}})
    page.wait_for_url("**#shows")
    expect_attr(page.locator("[data-group=graphs]"), "hidden", "")
    assert page.locator("[data-group=data]").is_visible()
    later = pages.open()  # a browser that connects later: groups hidden, page its own
    assert later.locator("[data-group=graphs]").is_hidden()
    assert later.locator("section[data-page=inputs]").is_visible()
    feed(served, "control", {"group": {"show": ["graphs"]}})
    widget(page, "bars").wait_for()
    feed(served, "alert", "Boiler too hot", topic="Boiler")
    for p in (page, later):
        toast = p.locator(".toasts-top-right .toast")
        expect_text(toast.locator("strong"), "Boiler")
        expect_text(toast.locator(".toast-message"), "Boiler too hot")
    page.locator(".toast").click()  # a click closes it
    page.locator(".toast").wait_for(state="detached")
