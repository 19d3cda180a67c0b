"""The editor end to end in Chromium against a real `flowrt serve`: build inject -> change ->
debug from the palette, wire it, edit properties, see validation badges come and go, deploy,
see the debug message arrive, and find the flow saved with its comments after a reload."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect
from ruamel.yaml import YAML

from tests.ui.conftest import ARTIFACTS, Served


def drop(page: Any, type_: str, x: int, y: int) -> None:
    """Drag a node type from the palette onto the canvas at (x, y) of the canvas."""
    page.locator(f".palette-item[data-type='{type_}']").drag_to(
        page.locator("#canvas"), target_position={"x": x, "y": y})


def node(page: Any, node_id: str) -> Any:
    return page.locator(f"#canvas g.node[data-id='{node_id}']")


def wire(page: Any, src: str, dst: str) -> None:
    node(page, src).locator(".port-out").first.drag_to(node(page, dst).locator(".port-in"))


def select(page: Any, node_id: str) -> None:
    node(page, node_id).locator(".node-box").click()
    expect(page.locator("#node-id")).to_have_value(node_id)


def field(page: Any, key: str) -> Any:
    return page.locator(f"#panel-props [data-field='{key}'] [data-key='{key}']")


def test_build_validate_deploy_debug_and_save(page: Any, served: Served) -> None:
    expect(page.locator(".tab.active")).to_have_text("Demo")
    expect(node(page, "note")).to_be_visible()

    # build from the palette; ids come from the type
    drop(page, "inject", 120, 300)
    drop(page, "change", 350, 300)
    drop(page, "debug", 580, 300)
    for n in ("inject", "change", "debug"):
        expect(node(page, n)).to_be_visible()

    # a change node needs rules: the server's diagnostic shows as a badge and in the problems
    expect(node(page, "change").locator(".badge")).to_be_visible()
    expect(page.locator("#count-problems")).not_to_have_text("")

    wire(page, "inject", "change")
    wire(page, "change", "debug")
    expect(page.locator("#canvas path.wire[data-from='inject'][data-to='change']")).to_have_count(1)
    expect(page.locator("#canvas path.wire[data-from='change'][data-to='debug']")).to_have_count(1)

    # a rule row added and filled in: the badge clears
    select(page, "change")
    page.locator("#panel-props .rule-add").click()
    rule = page.locator("#panel-props .rule-row").first
    rule.locator("select[data-typed='to']").select_option("jsonata")
    rule.locator("input[data-key='to']").fill("$uppercase(payload)")
    expect(node(page, "change").locator(".badge")).to_have_count(0)

    # the inject node: a payload, once at start; then a bad repeat shows a badge
    select(page, "inject")
    field(page, "payload").fill("hello from the editor")  # plain text: no JSON quotes
    field(page, "once").check()
    field(page, "repeat").fill("-5")
    expect(node(page, "inject").locator(".badge")).to_be_visible()
    # the server's message shows under the field too
    expect(page.locator("#panel-props [data-field='repeat'] .field-diag")).not_to_be_empty()
    page.locator("#tab-problems").click()
    problem = page.locator("#panel-problems .problem[data-node='inject']").first
    expect(problem).to_be_visible()
    # a click on a problem selects its node
    page.locator("#canvas").click(position={"x": 600, "y": 600})
    expect(page.locator("#node-id")).to_have_count(0)
    page.locator("#tab-problems").click()
    problem.click()
    expect(node(page, "inject")).to_have_class(re.compile(r"\bselected\b"))
    page.locator("#tab-props").click()
    field(page, "repeat").fill("")
    expect(node(page, "inject").locator(".badge")).to_have_count(0)
    expect(page.locator("#count-problems")).to_have_text("")

    # deploy (saves first) with a count of what changed
    expect(page.locator("#deploy-count")).to_have_text(re.compile(r"^[1-9]"))
    page.locator("#deploy").click()
    expect(page.locator(".toast-ok")).to_contain_text("Deployed", timeout=30_000)
    expect(page.locator("#deploy-count")).to_have_text("")

    # the inject fired once: its message, uppercased, reaches the debug sidebar
    page.locator("#tab-debug").click()
    msg = page.locator("#debug-list .debug-msg[data-node$='debug']").first
    expect(msg).to_contain_text("HELLO FROM THE EDITOR", timeout=30_000)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor.png"))

    # saved to the YAML file, comments intact, wiring and properties as edited
    text = (served.flows / "demo.yaml").read_text()
    assert text.startswith("# The editor test's flow: the browser adds inject -> change -> debug")
    assert "# These comments must survive every save from the editor.\n" in text
    assert re.search(r"label: Demo +# the tab's title\n", text)
    assert re.search(r"note: +# a comment node, kept as it is\n", text)
    data = YAML(typ="safe").load(text)
    nodes = data["nodes"]
    assert nodes["inject"]["to"] == "change"
    assert nodes["inject"]["once"] is True
    assert nodes["inject"]["payload"] == "hello from the editor"
    assert "repeat" not in nodes["inject"]
    assert nodes["change"]["to"] == "debug"
    assert nodes["change"]["rules"][0]["set"] == "payload"
    assert nodes["debug"]["type"] == "debug"
    assert set(data["layout"]) >= {"inject", "change", "debug"}

    # a reload shows the saved flow where it was left
    where = node(page, "change").get_attribute("transform")
    page.reload()
    expect(node(page, "change")).to_have_attribute("transform", where)
    expect(page.locator("#canvas path.wire[data-from='inject'][data-to='change']")).to_have_count(1)
    expect(page.locator("#deploy-count")).to_have_text("")


def test_text_view_checks_and_saves_the_file(page: Any, served: Served) -> None:
    page.locator("#text-view").click()
    area = page.locator("#flow-text")
    expect(area).to_have_value(re.compile(r"^# The editor test's flow"))
    text = area.input_value()
    state = page.locator(".text-bar [role=status]")
    expect(state).to_have_text("checked: no errors")

    area.fill(text + "  typo:\n    type: no-such-type\n")
    expect(state).to_contain_text("error")
    expect(page.locator("#count-problems")).not_to_have_text("")
    # a problem clicked puts the cursor on its line
    page.locator("#tab-problems").click()
    page.locator("#panel-problems .problem").first.click()
    caret = page.evaluate("() => document.getElementById('flow-text').selectionStart")
    assert caret == len(text) + len("  typo:\n")
    page.locator("#tab-props").click()

    fixed = text + "  shout:              # added as text\n    type: debug\n"
    area.fill(fixed)
    expect(state).to_have_text("checked: no errors")
    page.get_by_role("button", name="Save text").click()
    expect(page.locator("#flow-text")).to_have_count(0)
    expect(node(page, "shout")).to_be_visible()
    assert (served.flows / "demo.yaml").read_text() == fixed
