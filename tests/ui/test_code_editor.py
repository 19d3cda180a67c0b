"""Code fields in Chromium: the vendored Ace editor (ui/vendor/ace) shows a function node's code
with line numbers and JavaScript highlighting, what is typed is saved to the flow file (Ctrl-S
from inside the editor), a syntax error shows at its line (from Ace's worker and from the
server's diagnostic), Escape then Tab leaves the editor, and all of it under the editor's CSP:
no policy violation, no <style> element."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from ruamel.yaml import YAML

from tests.ui.conftest import Served

FLOW = """\
flowrt: 1
id: code
label: Code
nodes:
  fn:
    type: function
    func: |
      const greeting = "hi";
      msg.payload = greeting;
      return msg;
  py:
    type: script
    code: |
      msg['payload'] = 1
      return msg
  order:
    type: sort
    key_expression: "$number(payload.reading) /* by reading */"
  query:
    type: postgres-query
    query: SELECT name FROM sensors WHERE id = 1
"""
RECORD = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


@pytest.fixture
def flow_files() -> dict[str, str]:
    return {"code.yaml": FLOW}


@pytest.fixture
def watched(page: Any) -> Iterator[tuple[Any, list[str]]]:
    """The page, recording its console; at the end, no CSP violation was reported."""
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.add_init_script(RECORD)
    page.reload()
    page.locator("body[data-ready] .palette-item[data-type=inject]").wait_for()
    yield page, console
    violations = page.evaluate("window.__violations")
    refused = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
    assert (violations, refused) == ([], [])
    assert page.evaluate("document.querySelectorAll('style').length") == 0, "Ace added <style>"


def open_node(page: Any, node_id: str) -> None:
    page.locator(f"#canvas g.node[data-id='{node_id}'] .node-box").click()
    expect(page.locator("#node-id")).to_have_value(node_id)


def code_field(page: Any, key: str) -> Any:
    """The Ace editor of a code field, once it is there."""
    editor = page.locator(f"#panel-props [data-field='{key}'] .ace_editor")
    expect(editor).to_be_visible()
    return editor


def set_code(page: Any, key: str, text: str) -> None:
    """Replace a code field's text as a person would: focus, select all, type (Ace's own
    auto-indent and bracket pairing are bypassed by inserting the text at once, as a paste)."""
    code_field(page, key).locator(".ace_content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def annotations_of(page: Any, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(
        """(key) => document.querySelector(`#panel-props [data-field='${key}'] .code-field`)
             .editor.session.getAnnotations()
             .map((a) => ({row: a.row, type: a.type, text: a.text, server: !!a.server}))""",
        key,
    )
    return found


def expect_workers(page: Any, count: int) -> None:
    """Polls Playwright's list of the page's live workers until it has `count` of them."""
    page.wait_for_function("() => true")  # a round trip, so worker events have arrived
    deadline = 100
    while len(page.workers) != count and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert [w.url.rsplit("/", 1)[-1] for w in page.workers] == ["worker-javascript.js"] * count


def saved(served: Served) -> Any:
    return YAML(typ="safe").load((served.flows / "code.yaml").read_text())


def test_function_code_has_line_numbers_and_highlighting(watched: tuple[Any, list[str]]) -> None:
    page, _ = watched
    open_node(page, "fn")
    editor = code_field(page, "func")
    expect(editor.locator(".ace_gutter-cell")).to_have_text(["1", "2", "3", "4"])
    expect(editor.locator(".ace_text-layer .ace_storage.ace_type")).to_have_text("const")
    expect(editor.locator(".ace_text-layer .ace_keyword", has_text="return")).to_have_count(1)
    expect(editor.locator(".ace_text-layer .ace_string")).to_have_text('"hi"')
    assert "ace-tm" in (editor.get_attribute("class") or "")  # the vendored textmate theme
    # the label still names the field: it focuses Ace's input
    page.locator("label[for='prop-func']").click()
    assert page.evaluate("document.activeElement.closest('.ace_editor') !== null")


def test_typing_code_commits_it_and_ctrl_s_saves(
    watched: tuple[Any, list[str]], served: Served
) -> None:
    page, _ = watched
    open_node(page, "fn")
    set_code(page, "func", "msg.payload = 42;\nreturn msg;")
    page.keyboard.type("\n// done")
    expect(page.locator("#save")).to_be_enabled()
    page.keyboard.press("Control+s")  # from inside the editor: the app's shortcut
    expect(page.locator("#save")).to_be_disabled()
    assert saved(served)["nodes"]["fn"]["func"] == "msg.payload = 42;\nreturn msg;\n// done"


def test_a_syntax_error_is_shown_at_its_line(watched: tuple[Any, list[str]]) -> None:
    page, _ = watched
    open_node(page, "fn")
    set_code(page, "func", "const a = 1;\nlet b = ;\nreturn msg;")
    field = page.locator("#panel-props [data-field='func']")
    expect(field.locator(".field-diag")).to_contain_text("line 2")  # the server's diagnostic
    expect(field.locator(".ace_gutter-cell.ace_error")).to_have_text("2")
    page.wait_for_function(
        """() => document.querySelector("[data-field='func'] .code-field").editor.session
             .getAnnotations().filter((a) => a.row === 1 && a.type === "error").length === 2""")
    found = annotations_of(page, "func")
    # one from the server (QuickJS), one from Ace's worker as you type (no server involved)
    assert {a["server"] for a in found if a["row"] == 1} == {True, False}
    assert not [a for a in found if a["row"] != 1], found  # msg and friends are known names

    set_code(page, "func", "return msg;")
    expect(field.locator(".field-diag")).to_be_empty()
    expect(field.locator(".ace_gutter-cell.ace_error")).to_have_count(0)


def test_python_is_highlighted_and_its_server_error_marked(watched: tuple[Any, list[str]]) -> None:
    page, _ = watched
    open_node(page, "fn")
    code_field(page, "func")
    # func's code is checked by Ace's JavaScript worker, served from ui/; initialize and
    # finalize get theirs when the Advanced section that holds them is opened
    expect_workers(page, 1)
    page.locator("#panel-props details.advanced summary").click()
    expect_workers(page, 3)
    # editors built while hidden are drawn once shown
    expect(code_field(page, "initialize").locator(".ace_gutter-cell")).to_have_text(["1"])
    open_node(page, "py")
    editor = code_field(page, "code")
    expect_workers(page, 0)  # the function's editors left the page: their workers are ended
    expect(editor.locator(".ace_text-layer .ace_keyword", has_text="return")).to_have_count(1)
    set_code(page, "code", "x = 1\ny = (\nreturn msg")
    field = page.locator("#panel-props [data-field='code']")
    expect(field.locator(".field-diag")).to_contain_text("line 2")
    expect(editor.locator(".ace_gutter-cell.ace_error")).to_have_text("2")
    assert [a["server"] for a in annotations_of(page, "code")] == [True]  # Ace has no Python check


def test_tab_indents_and_escape_then_tab_leaves(watched: tuple[Any, list[str]]) -> None:
    page, _ = watched
    open_node(page, "fn")
    set_code(page, "func", "return msg;")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    inside = "document.activeElement.closest('.ace_editor') !== null"
    assert page.evaluate(inside)
    assert page.evaluate(
        "document.querySelector(\"[data-field='func'] .code-field\").editor.getValue()"
    ) == "  return msg;"
    label = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert label.startswith("func (javascript code); Escape then Tab leaves the editor, Cursor")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not page.evaluate(inside)
    assert page.evaluate("document.activeElement.closest('#panel-props') !== null")


def test_jsonata_and_sql_are_highlighted(watched: tuple[Any, list[str]]) -> None:
    page, _ = watched
    open_node(page, "order")
    editor = code_field(page, "key_expression")  # our JSONata mode: Ace has none
    expect(editor.locator(".ace_support.ace_function")).to_have_text("$number")
    expect(editor.locator(".ace_comment")).to_have_text("/* by reading */")
    open_node(page, "query")
    editor = code_field(page, "query")
    expect(editor.locator(".ace_keyword", has_text="SELECT")).to_have_count(1)
    expect(editor.locator(".ace_constant.ace_numeric")).to_have_text("1")


def test_ctrl_f_searches_the_code(watched: tuple[Any, list[str]]) -> None:
    page, _ = watched
    open_node(page, "fn")
    code_field(page, "func").locator(".ace_content").click()
    page.keyboard.press("Control+f")  # loads ext-searchbox.js from ui/vendor/ace
    search = page.locator("[data-field='func'] .ace_search .ace_search_field").first
    expect(search).to_be_focused()
    page.keyboard.type("greeting")
    expect(page.locator("[data-field='func'] .ace_search_counter")).to_have_text("1 of 2")


def test_ctrl_l_goes_to_a_line(watched: tuple[Any, list[str]]) -> None:
    page, _ = watched
    open_node(page, "fn")
    code_field(page, "func").locator(".ace_content").click()
    page.keyboard.press("Control+l")  # loads ext-prompt.js from ui/vendor/ace
    expect(page.locator(".ace_prompt_container textarea").first).to_be_focused()
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    row = "document.querySelector(\"[data-field='func'] .code-field\").editor" \
          ".getCursorPosition().row"
    page.wait_for_function(f"() => {row} === 2")
