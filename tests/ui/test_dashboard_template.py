"""ui-template in Chromium against a real `flowrt serve` (the attack test): a flow author's
`<script>`, `<img onerror>`, `javascript:` links and event handlers, and markup a message
carries into `{{ msg.payload }}`, never run nor become elements; what the allowlist keeps is
drawn (a colour set through element.style, under the page's CSP); `store: false` shows
nothing to a browser that connects later."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.nodes.dashboard.template_boards import TEMPLATES
from tests.ui.conftest import Served
from tests.ui.test_dashboard import expect_text
from tests.ui.test_dashboard_widgets import Pages, feed, widget

ATTACK = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
RAW = ('<svg onload="window.__pwned=9"></svg><iframe srcdoc="<script>parent.__pwned=10'
       '</script>"></iframe><a href="jav&#x09;ascript:window.__pwned=11">a</a>'
       '<details open ontoggle="window.__pwned=12"><summary>s</summary></details>'
       '<b onclick="window.__pwned=13">bold</b>')


class TemplatePages(Pages):
    def open(self, hash_: str = "") -> Any:
        from tests.ui.test_dashboard import RECORD

        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(RECORD)
        page.set_default_timeout(20_000)
        page.goto(self.served.url + "/dashboard/" + hash_)
        page.locator("#link[data-state=connected]").wait_for()
        page.locator("[data-widget=card]").wait_for()
        self.opened.append((context, page, errors))
        return page


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"templates.yaml": TEMPLATES}


@pytest.fixture
def pages(browser: Any, served: Served) -> Iterator[Pages]:
    opened = TemplatePages(browser, served)
    yield opened
    opened.close()  # no CSP violation, no script error, window.__pwned unset


def test_script_from_the_author_or_a_message_never_runs(pages: Pages, served: Served) -> None:
    page = pages.open()
    feed(served, "card", ATTACK, topic=ATTACK)
    feed(served, "author", ATTACK)
    feed(served, "raw", RAW)
    card = widget(page, "card")
    expect_text(card.locator("p.value"), ATTACK)
    expect_text(card.locator("h3"), ATTACK)
    expect_text(widget(page, "author").locator("p"), ATTACK)
    expect_text(widget(page, "raw").locator("b"), "bold")
    for reload in (False, True):  # as sent, then as replayed to a new page
        if reload:
            page = pages.open()
            expect_text(widget(page, "card").locator("p.value"), ATTACK)
        found = page.evaluate("""() => ({
            elements: document.querySelectorAll(
                "main script, main [onerror], main [onclick], main svg, "
                + "main iframe, main [ontoggle], main [style*=url]").length,
            scripted: [...document.querySelectorAll("main a[href]")].filter(
                (a) => !/^https:/.test(a.href)).length,
            colour: getComputedStyle(document.querySelector(
                "[data-widget=card] p.value")).color,
            items: document.querySelectorAll("[data-widget=card] li").length})""")
        assert found == {"elements": 0, "scripted": 0, "colour": "rgb(229, 57, 53)",
                         "items": 2}
        assert widget(page, "card").locator("a").get_attribute("href") == \
            "https://x.test/" + ATTACK
        assert widget(page, "author").locator("a").get_attribute("href") is None


def test_without_store_a_later_browser_waits_for_the_next_message(pages: Pages,
                                                                  served: Served) -> None:
    first = pages.open()
    feed(served, "quiet", "one")
    expect_text(widget(first, "quiet").locator("b"), "one")
    later = pages.open()
    feed(served, "card", 1, topic="t")
    expect_text(widget(later, "card").locator("p.value"), "1")
    assert widget(later, "quiet").locator("b").count() == 0
    feed(served, "quiet", "two")
    expect_text(widget(later, "quiet").locator("b"), "two")
