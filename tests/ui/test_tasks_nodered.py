"""The tasks of tests/ui/test_tasks.py in real Node-RED 4's editor (its palette, drag to the canvas,
double-click to edit, Done, Deploy, the debug sidebar), counted with the same recorder and checked
against the Node-RED column of docs/editor.md's table. Needs Node.js: fails without it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.nodered.helpers import nodered_home
from tests.nodered.live import _stop, _wait_for, free_port
from tests.ui.task_counts import VIEWPORT, Recorder, documented, shot

INJECT = {"name": "", "props": [{"p": "payload"}], "repeat": "", "crontab": "", "once": False,
          "onceDelay": 0.1, "topic": ""}

BUILT = [
    {"id": "t1", "type": "tab", "label": "Flow 1"},
    {"id": "i1", "type": "inject", "z": "t1", "x": 140, "y": 120, "wires": [["c1"]],
     **INJECT, "payload": "", "payloadType": "date"},
    {"id": "c1", "type": "change", "z": "t1", "x": 320, "y": 120, "wires": [["d1"]],
     "rules": [{"t": "set", "p": "payload", "pt": "msg", "to": "hello", "tot": "str"}]},
    {"id": "d1", "type": "debug", "z": "t1", "x": 500, "y": 120, "wires": [],
     "active": True, "complete": "false", "tosidebar": True},
]

DOUBLED = [
    {"id": "t1", "type": "tab", "label": "Flow 1"},
    {"id": "tick", "type": "inject", "z": "t1", "x": 140, "y": 120, "wires": [["double"]],
     **INJECT, "payload": "21", "payloadType": "num"},
    {"id": "double", "type": "change", "z": "t1", "x": 320, "y": 120, "wires": [["tag"]],
     "rules": [{"t": "set", "p": "payload", "pt": "msg", "to": "payload * 2",
                "tot": "jsonata"}]},
    {"id": "tag", "type": "change", "z": "t1", "x": 500, "y": 120, "wires": [["show"]],
     "rules": [{"t": "set", "p": "topic", "pt": "msg", "to": "doubled", "tot": "str"}]},
    {"id": "show", "type": "debug", "z": "t1", "x": 680, "y": 120, "wires": [],
     "active": True, "complete": "false", "tosidebar": True},
]

COUNTED = [
    {"id": "t1", "type": "tab", "label": "Counted"},
    {"id": "tick", "type": "inject", "z": "t1", "x": 140, "y": 120, "wires": [["tag"]],
     **INJECT, "payload": "1", "payloadType": "num"},
    {"id": "tag", "type": "change", "z": "t1", "x": 320, "y": 120, "wires": [["count"]],
     "rules": [{"t": "set", "p": "tag", "pt": "msg", "to": "v1", "tot": "str"}]},
    {"id": "count", "type": "function", "z": "t1", "x": 500, "y": 120, "wires": [["show"]],
     "outputs": 1, "func": "const n = (context.get('n') || 0) + 1;\ncontext.set('n', n);\n"
     "node.status({text: 'count ' + n});\nreturn msg;"},
    {"id": "show", "type": "debug", "z": "t1", "x": 680, "y": 120, "wires": [], "active": True,
     "complete": "false", "tosidebar": True, "tostatus": True, "statusType": "counter"},
]


@pytest.fixture
def flows() -> list[dict[str, Any]]:
    """What Node-RED starts with (a test may parametrize it)."""
    return [{"id": "t1", "type": "tab", "label": "Flow 1"}]


@pytest.fixture
def editor_url(tmp_path: Path, flows: list[dict[str, Any]]) -> Iterator[str]:
    """Real Node-RED 4 with its editor at `/` on a free port of 127.0.0.1."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js) is needed to run Node-RED")
    home = nodered_home()
    user = tmp_path / "nr-user"
    user.mkdir()
    (user / "flows.json").write_text(json.dumps(flows))
    port = free_port()
    settings = tmp_path / "nr-settings.js"
    settings.write_text(
        f"module.exports = {{uiHost: '127.0.0.1', uiPort: {port}, httpAdminRoot: '/', "
        "httpNodeRoot: '/api', flowFile: 'flows.json', credentialSecret: false, "
        # no first-run dialogs in front of the editor: update notifications, the tour
        "telemetry: {enabled: false}, diagnostics: {enabled: false}, "
        "editorTheme: {tours: false, projects: {enabled: false}}, "
        "logging: {console: {level: 'warn', metrics: false, audit: false}}};\n")
    process = subprocess.Popen(
        [node, str(home / "node_modules/node-red/red.js"), "--settings", str(settings),
         "--userDir", str(user)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, process, "/flows", 60.0)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


@pytest.fixture
def page(browser: Any, editor_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.goto(editor_url + "/")
    pg.locator(".red-ui-palette-node[data-palette-type=inject]").wait_for(timeout=60_000)
    expect(pg.locator("#red-ui-loading-progress")).to_be_hidden()
    yield pg
    context.close()


def node(page: Any, node_id: str) -> Any:
    return page.locator(f"#red-ui-workspace-chart g.red-ui-flow-node-group[id='{node_id}']")


def newest(page: Any, type_: str) -> str:
    """The id Node-RED gave the last node of `type_` on the flow shown (looked up, not done)."""
    ids: list[str] = page.evaluate(
        "(t) => RED.nodes.filterNodes({type: t, z: RED.workspaces.active()}).map((n) => n.id)",
        type_)
    assert ids, f"no {type_} node on the flow shown"
    return ids[-1]


def drop(user: Recorder, type_: str, x: int, y: int) -> str:
    user.reveal(user.page.locator(f".red-ui-palette-node[data-palette-type='{type_}']"))
    user.drag_by_mouse(user.page.locator(f".red-ui-palette-node[data-palette-type='{type_}']"),
                       user.page.locator("#red-ui-workspace-chart"), x, y)
    return newest(user.page, type_)


def wire(user: Recorder, src: str, dst: str) -> None:
    port = node(user.page, dst).locator(".red-ui-flow-port-input")
    box = port.bounding_box()
    assert box, f"{dst} has no input port shown"
    user.drag_by_mouse(node(user.page, src).locator(".red-ui-flow-port-output").first, port,
                       box["width"] / 2, box["height"] / 2)


def edit(user: Recorder, node_id: str) -> Any:
    """Double-click a node: its edit tray opens."""
    user.dblclick_at(node(user.page, node_id).locator(".red-ui-flow-node"))
    tray = user.page.locator(".red-ui-tray").last
    expect(tray.locator("#node-dialog-ok")).to_be_visible()
    return tray


def press_inject(user: Recorder, node_id: str) -> None:
    """Click an inject node's button, once Node-RED shows it enabled (deployed)."""
    button = node(user.page, node_id).locator(".red-ui-flow-node-button")
    expect(button).not_to_have_class(re.compile(r"red-ui-flow-node-button-disabled"))
    user.click(button)


def unscroll(page: Any) -> None:
    """Scroll the canvas back to where the user left it before a screenshot: Playwright's
    locator clicks scroll their element into view (a person's click does not), which left the
    canvas shifted under the tab bar in the screenshots."""
    page.evaluate("() => { for (const id of ['red-ui-workspace', 'red-ui-workspace-chart']) "
                  "{ const e = document.getElementById(id); e.scrollTop = 0; e.scrollLeft = 0; } }")


def rule_rows(page: Any) -> Any:
    return page.locator("#node-input-rule-container > li")


def deploy(user: Recorder) -> None:
    user.click(user.page.locator("#red-ui-header-button-deploy"))
    expect(user.page.locator(".red-ui-notification").last).to_contain_text(
        "Successfully deployed", timeout=30_000)


def build_and_see(user: Recorder, text: str) -> None:
    """inject -> change (set the payload to `text`) -> debug, deployed, the inject pressed, and
    the message seen in the debug sidebar."""
    page = user.page
    inject = drop(user, "inject", 150, 250)
    change = drop(user, "change", 380, 250)
    debug = drop(user, "debug", 610, 250)
    wire(user, inject, change)
    wire(user, change, debug)
    tray = edit(user, change)
    # the change node comes with one rule, "set msg.payload to the value" (a string)
    to = rule_rows(page).first.locator("input.red-ui-typedInput-input").nth(1)
    user.fill(to, text)
    user.click(tray.locator("#node-dialog-ok"))
    deploy(user)
    press_inject(user, inject)
    user.click(page.locator("#red-ui-tab-debug-link-button"))
    seen = page.locator(f".red-ui-debug-msg.red-ui-debug-msg-node-{debug}").first
    expect(seen).to_contain_text(text, timeout=30_000)


def test_1_inject_change_debug(page: Any) -> None:
    user = Recorder(page)
    build_and_see(user, "hello world")
    unscroll(page)
    shot(page, "task-1-nodered")
    assert user.count == documented("1", "Node-RED"), user.actions


@pytest.mark.parametrize("flows", [BUILT])
def test_2_a_second_flow(page: Any) -> None:
    user = Recorder(page)
    user.click(page.locator("#red-ui-workspace div.red-ui-tab-button.red-ui-tabs-add > a"))
    expect(page.locator("#red-ui-workspace-tabs .red-ui-tab.active")).to_contain_text("Flow 2")
    build_and_see(user, "from the second flow")
    unscroll(page)
    shot(page, "task-2-nodered")
    assert user.count == documented("2", "Node-RED"), user.actions


def test_3_a_switch_with_three_rules(page: Any) -> None:
    user = Recorder(page)
    switch = drop(user, "switch", 300, 250)
    tray = edit(user, switch)
    # the switch comes with one rule, "==" a string
    user.fill(rule_rows(page).nth(0).locator("input.red-ui-typedInput-input").first, "a")
    add = tray.locator(".red-ui-editableList-addButton")
    user.click(add)
    user.fill(rule_rows(page).nth(1).locator("input.red-ui-typedInput-input").first, "b")
    user.click(add)
    user.choose(rule_rows(page).nth(2).locator("select").first, "else")
    user.click(tray.locator("#node-dialog-ok"))
    expect(node(page, switch).locator(".red-ui-flow-port-output")).to_have_count(3)
    unscroll(page)
    shot(page, "task-3-nodered")
    assert user.count == documented("3", "Node-RED"), user.actions


def test_4_a_function_syntax_error_at_its_line(page: Any) -> None:
    user = Recorder(page)
    function = drop(user, "function", 300, 200)
    edit(user, function)
    # the tray opens with the cursor in the "On Message" code (Monaco)
    code = page.locator("#node-input-func-editor .monaco-editor")
    expect(code).to_have_class(re.compile(r"\bfocused\b"))
    user.press("Control+a")
    user.type_text("const a = 1;\nlet b = ;\nreturn msg;")
    squiggle = code.locator(".squiggly-error")
    expect(squiggle).to_have_count(1)
    line_2 = code.locator(".line-numbers", has_text="2")
    expect(line_2).to_have_count(1)
    # the mark is drawn on the row of line 2
    assert squiggle.evaluate("(e) => e.parentElement.style.top") == line_2.evaluate(
        "(e) => e.parentElement.style.top")
    unscroll(page)
    shot(page, "task-4-nodered")
    assert user.count == documented("4", "Node-RED"), user.actions


@pytest.mark.parametrize("flows", [DOUBLED])
def test_5_a_subflow_from_a_selection_used_twice(page: Any) -> None:
    user = Recorder(page)
    user.click_at(node(page, "double").locator(".red-ui-flow-node"))
    user.click_at(node(page, "tag").locator(".red-ui-flow-node"), "Control")
    user.click(page.locator("#red-ui-header-button-sidemenu"))
    user.point(page.locator("#menu-item-subflow"))  # its submenu opens
    user.click(page.locator("#menu-item-subflow-convert"))
    item = page.locator(".red-ui-palette-node[data-palette-type^='subflow:']")
    expect(item).to_have_count(1)
    type_ = item.get_attribute("data-palette-type")
    first = newest(page, type_)
    second = drop(user, type_, 420, 300)
    assert second != first
    wire(user, "tick", second)
    wire(user, second, "show")
    deploy(user)
    press_inject(user, "tick")
    user.click(page.locator("#red-ui-tab-debug-link-button"))
    seen = page.locator(".red-ui-debug-msg.red-ui-debug-msg-node-show")
    expect(seen).to_have_count(2, timeout=30_000)  # one message through each instance
    for i in (0, 1):
        expect(seen.nth(i)).to_contain_text("42")
    unscroll(page)
    shot(page, "task-5-nodered")
    assert user.count == documented("5", "Node-RED"), user.actions


@pytest.mark.parametrize("flows", [COUNTED])
def test_6_a_one_node_deploy_keeps_the_rest(page: Any) -> None:
    user = Recorder(page)

    def status(node_id: str) -> Any:
        return node(page, node_id).locator(".red-ui-flow-node-status-label")

    for n in (1, 2):
        press_inject(user, "tick")
        expect(status("count")).to_have_text(f"count {n}")
    tray = edit(user, "tag")
    user.fill(rule_rows(page).first.locator("input.red-ui-typedInput-input").nth(1), "v2")
    user.click(tray.locator("#node-dialog-ok"))
    # Node-RED deploys everything by default ("Full"): "Modified Nodes" is chosen from its menu
    user.click(page.locator("#red-ui-header-button-deploy-options"))
    user.click(page.locator("#deploymenu-item-node"))
    deploy(user)
    press_inject(user, "tick")
    expect(status("count")).to_have_text("count 3")
    expect(status("show")).to_have_text("3")
    unscroll(page)
    shot(page, "task-6-nodered")
    assert user.count == documented("6", "Node-RED"), user.actions
