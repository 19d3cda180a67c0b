"""Tasks a new user does in flowrt's editor, each counted action by action (tests/ui/task_counts.py)
and checked against the table of docs/editor.md; the same tasks in Node-RED's editor are in
tests/ui/test_tasks_nodered.py. A screenshot at 1400x900 after each goes to docs/editor/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from ruamel.yaml import YAML

from tests.ui.conftest import Served
from tests.ui.task_counts import VIEWPORT, Recorder, documented, shot

EMPTY = """\
flowrt: 1
id: main
label: Flow 1
nodes: {}
"""

BUILT = """\
flowrt: 1
id: main
label: Flow 1
nodes:
  inject: {type: inject, to: change}
  change: {type: change, rules: [{set: payload, to: hello}], to: debug}
  debug: {type: debug}
layout:
  inject: [120, 120]
  change: [320, 120]
  debug: [520, 120]
"""

DOUBLED = """\
flowrt: 1
id: main
label: Flow 1
nodes:
  tick: {type: inject, payload: 21, to: double}
  double:
    type: change
    rules: [{set: payload, to: {type: jsonata, value: payload * 2}}]
    to: tag
  tag: {type: change, rules: [{set: topic, to: doubled}], to: show}
  show: {type: debug}
layout:
  tick: [120, 120]
  double: [320, 120]
  tag: [520, 120]
  show: [720, 120]
"""

COUNTED = """\
flowrt: 1
id: counted
label: Counted
nodes:
  tick: {type: inject, payload: 1, to: tag}
  tag: {type: change, rules: [{set: tag, to: v1}], to: count}
  count:
    type: script
    code: |
      n = context.get('n', 0) + 1
      context.set('n', n)
      node.status(text=f'count {n}')
      return msg
    to: show
  show: {type: debug, status: count}
layout:
  tick: [120, 120]
  tag: [320, 120]
  count: [520, 120]
  show: [720, 120]
"""


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Any]:
    """The editor at 1400x900 (the size of the screenshots)."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.set_default_timeout(20_000)
    pg.goto(served.url + "/")
    pg.locator("body[data-ready] .palette-item[data-type=inject]").wait_for()
    yield pg
    context.close()
    assert not errors, f"script errors in the editor: {errors}"


def settled(page: Any, name: str) -> None:
    """The screenshot, once the editor has caught up: the empty canvas's hint goes away when the
    server's check of the new nodes comes back, which a test's quick edits can keep deferring."""
    expect(page.locator("#empty-hint")).to_be_hidden()
    shot(page, name)


def node(page: Any, node_id: str) -> Any:
    return page.locator(f"#canvas g.node[data-id='{node_id}']")


def palette(page: Any, type_: str) -> Any:
    return page.locator(f".palette-item[data-type='{type_}']")


def drop(user: Recorder, type_: str, x: int, y: int) -> None:
    user.reveal(palette(user.page, type_))
    user.drag(palette(user.page, type_), user.page.locator("#canvas"),
              target_position={"x": x, "y": y})


def wire(user: Recorder, src: str, dst: str) -> None:
    user.drag(node(user.page, src).locator(".port-out").first,
              node(user.page, dst).locator(".port-in"))


def rows(page: Any) -> Any:
    return page.locator("#panel-props [data-field='rules'] .rule-row")


def build_and_see(user: Recorder, suffix: str, text: str) -> None:
    """inject -> change (set the payload to `text`) -> debug, deployed, the inject pressed, and
    the message seen in the debug sidebar. New nodes are named `<type><suffix>`."""
    page = user.page
    drop(user, "inject", 150, 250)
    drop(user, "change", 380, 250)  # a dropped node is selected: its form is open
    user.click(page.locator("#panel-props .rule-add"))
    expect(rows(page).first.locator("input[data-key='set']")).to_have_value("payload")
    user.fill(rows(page).first.locator("input[data-key='to']"), text)
    drop(user, "debug", 610, 250)
    wire(user, f"inject{suffix}", f"change{suffix}")
    wire(user, f"change{suffix}", f"debug{suffix}")
    user.click(page.locator("#deploy"))
    expect(page.locator(".toast-ok")).to_contain_text("Deployed", timeout=30_000)
    user.click(node(page, f"inject{suffix}").locator("[data-inject]"))
    user.click(page.locator("#tab-debug"))
    seen = page.locator(f"#debug-list .debug-msg[data-node='debug{suffix}']").first
    expect(seen).to_contain_text(text, timeout=30_000)


@pytest.mark.parametrize("flow_files", [{"main.yaml": EMPTY}])
def test_1_inject_change_debug(page: Any, served: Served) -> None:
    user = Recorder(page)
    build_and_see(user, "", "hello world")
    data = YAML(typ="safe").load((served.flows / "main.yaml").read_text())
    assert data["nodes"]["change"]["rules"] == [{"set": "payload", "to": "hello world"}]
    settled(page, "task-1-flowrt")
    assert user.count == documented("1", "flowrt"), user.actions


@pytest.mark.parametrize("flow_files", [{"main.yaml": BUILT}])
def test_2_a_second_flow(page: Any, served: Served) -> None:
    user = Recorder(page)
    user.click(page.locator(".tab.add"))
    user.fill(page.locator("#new-flow-name"), "second")
    user.click(page.get_by_role("button", name="Create"))
    expect(page.locator(".tab.active")).to_have_text("second")
    build_and_see(user, "-2", "from the second flow")
    assert set(YAML(typ="safe").load((served.flows / "second.yaml").read_text())["nodes"]) == {
        "inject-2", "change-2", "debug-2"}
    settled(page, "task-2-flowrt")
    assert user.count == documented("2", "flowrt"), user.actions


@pytest.mark.parametrize("flow_files", [{"main.yaml": EMPTY}])
def test_3_a_switch_with_three_rules(page: Any, served: Served) -> None:
    user = Recorder(page)
    drop(user, "switch", 300, 250)  # selected: its form is open
    user.click(page.locator("#panel-props .rule-add"))
    expect(rows(page).first.locator(".rule-action")).to_have_value("eq")
    user.fill(rows(page).nth(0).locator("input[data-key='eq']"), "a")
    user.click(page.locator("#panel-props .rule-add"))
    user.fill(rows(page).nth(1).locator("input[data-key='eq']"), "b")
    user.click(page.locator("#panel-props .rule-add"))
    user.choose(rows(page).nth(2).locator(".rule-action"), "else")
    expect(node(page, "switch").locator(".port-out")).to_have_count(3)
    expect(rows(page).nth(0).locator("input[data-key='eq']")).to_have_value("a")
    expect(rows(page).nth(1).locator("input[data-key='eq']")).to_have_value("b")
    expect(rows(page).nth(2).locator(".rule-action")).to_have_value("else")
    # (its one warning, once the server's check is back: nothing is wired to it yet)
    settled(page, "task-3-flowrt")
    assert user.count == documented("3", "flowrt"), user.actions


@pytest.mark.parametrize("flow_files", [{"main.yaml": EMPTY}])
def test_4_a_function_syntax_error_at_its_line(page: Any, served: Served) -> None:
    user = Recorder(page)
    drop(user, "function", 300, 200)  # selected: its form is open
    code = page.locator("#panel-props [data-field='func'] .ace_editor")
    user.click(code.locator(".ace_content"))
    user.press("Control+a")
    user.type_text("const a = 1;\nlet b = ;\nreturn msg;")
    expect(code.locator(".ace_gutter-cell.ace_error")).to_have_text("2")
    field = page.locator("#panel-props [data-field='func']")
    expect(field.locator(".field-diag")).to_contain_text("line 2")
    settled(page, "task-4-flowrt")
    assert user.count == documented("4", "flowrt"), user.actions


@pytest.mark.parametrize("flow_files", [{"main.yaml": DOUBLED}])
def test_5_a_subflow_from_a_selection_used_twice(page: Any, served: Served) -> None:
    user = Recorder(page)
    user.click(node(page, "double").locator(".node-box"))
    user.click(node(page, "tag").locator(".node-box"), modifiers=["Shift"])
    user.click(page.locator("#make-subflow"))
    user.fill(page.locator("dialog.modal #subflow-name"), "double-tag")
    user.click(page.locator("dialog.modal button.primary"))
    expect(node(page, "double-tag")).to_have_attribute("data-type", "subflow:double-tag")
    drop(user, "subflow:double-tag", 420, 300)
    wire(user, "tick", "double-tag-2")
    wire(user, "double-tag-2", "show")
    user.click(page.locator("#deploy"))
    expect(page.locator(".toast-ok")).to_contain_text("Deployed", timeout=30_000)
    user.click(node(page, "tick").locator("[data-inject]"))
    user.click(page.locator("#tab-debug"))
    seen = page.locator("#debug-list .debug-msg[data-node='show']")
    expect(seen).to_have_count(2, timeout=30_000)  # one message through each instance
    for i in (0, 1):
        expect(seen.nth(i)).to_contain_text("42")
    settled(page, "task-5-flowrt")
    assert user.count == documented("5", "flowrt"), user.actions


@pytest.mark.parametrize("flow_files", [{"counted.yaml": COUNTED}])
def test_6_a_one_node_deploy_keeps_the_rest(page: Any, served: Served) -> None:
    user = Recorder(page)
    status = {n: node(page, n).locator(".node-status") for n in ("count", "show")}
    for n in (1, 2):
        user.click(node(page, "tick").locator("[data-inject]"))
        expect(status["count"]).to_contain_text(f"count {n}")
    user.click(node(page, "tag").locator(".node-box"))
    user.fill(rows(page).first.locator("input[data-key='to']"), "v2")
    user.click(page.locator("#deploy"))
    expect(page.locator(".toast-ok").filter(has_text="Deployed")).to_contain_text(
        "1 node changed (1 replaced)", timeout=30_000)
    user.click(node(page, "tick").locator("[data-inject]"))
    expect(status["count"]).to_contain_text("count 3")  # the script's context went on
    expect(status["show"]).to_contain_text("3")  # the debug node was not restarted
    settled(page, "task-6-flowrt")
    assert user.count == documented("6", "flowrt"), user.actions
