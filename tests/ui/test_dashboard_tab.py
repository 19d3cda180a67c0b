"""The editor's Dashboard tab: a layout built from nothing is saved into the flow file and
`flowrt validate` takes it; groups reordered by keyboard change only the lines of the group
moved; undo puts the file back byte for byte; the check's errors show in the tab."""

from __future__ import annotations

import difflib
import subprocess
import sys
from typing import Any

import pytest
from playwright.sync_api import expect
from ruamel.yaml import YAML

from tests.ui.conftest import ARTIFACTS, Served

BARE = """\
flowrt: 1
id: plant
label: Plant
nodes:
  hall: {type: ui-text, label: Hall, dashboard: board}
  dial: {type: ui-gauge, label: Dial, dashboard: board, min: 0, max: 50}
  fan: {type: ui-switch, label: Fan, dashboard: board, to: log}
  log: {type: debug}
"""

LAID_OUT = """\
# A dashboard laid out by hand: the tab must keep these comments and styles.
flowrt: 1
id: plant
label: Plant
connections:
  board:
    type: dashboard
    title: Plant room
    pages:
      - id: home
        title: Home
        groups:
          - id: now          # current values
            title: Now
            width: 4
            widgets: [hall, {node: dial, height: 3}]
          - id: switches
            title: Switches
            widgets:
              - fan
nodes:
  hall: {type: ui-text, label: Hall, dashboard: board}
  dial: {type: ui-gauge, label: Dial, dashboard: board, min: 0, max: 50}
  fan: {type: ui-switch, label: Fan, dashboard: board, to: log}
  log: {type: debug}
"""


@pytest.fixture
def flow_files(request: pytest.FixtureRequest) -> dict[str, str]:
    return {"plant.yaml": LAID_OUT if "laid_out" in request.node.name else BARE}


def open_tab(page: Any) -> Any:
    page.locator(".tab", has_text="Plant").first.click()
    page.locator("#tab-dashboard").click()
    panel = page.locator("#panel-dashboard")
    expect(panel).to_be_visible()
    return panel


def set_field(panel: Any, key: str, value: str) -> None:
    field = panel.locator(f"[data-key='{key}']")
    field.fill(value)
    field.press("Tab")


def save(page: Any) -> None:
    page.locator("#save").click()
    expect(page.locator("#save")).to_be_disabled()


def undo(page: Any) -> None:
    """The Undo button, by keyboard (a field of the tab has the focus, where Ctrl-Z is the
    field's own undo)."""
    page.locator("#undo").focus()
    page.keyboard.press("Enter")


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_layout_built_in_the_tab_is_saved_and_valid(page: Any, served: Served) -> None:
    panel = open_tab(page)
    panel.locator("[data-key='add-dashboard']").click()
    set_field(panel, "title", "Plant room")
    panel.locator("[data-key='theme']").select_option("dark")
    panel.locator("[data-key='add-page']").click()
    expect(panel.locator("[data-key='p0:title']")).to_be_focused()  # ready to be named
    set_field(panel, "p0:title", "Overview")
    set_field(panel, "p0:id", "overview")
    panel.locator("[data-key='p0:add-group']").click()
    panel.locator("[data-key='p0:add-group']").click()
    set_field(panel, "p0g0:title", "Now")
    set_field(panel, "p0g0:width", "4")
    # the check lists the widgets on no page; each is placed into a group chosen
    unplaced = panel.locator(".dash-unplaced li")
    expect(unplaced).to_have_count(3)
    for widget, group in (("hall", "0,0"), ("dial", "0,0"), ("fan", "0,1")):
        panel.locator(f"[data-key='u:{widget}:group']").select_option(group)
        # a render in between (a check answering) keeps the group chosen
        page.evaluate("window.flowrtEditor.dashboard.render()")
        expect(panel.locator(f"[data-key='u:{widget}:group']")).to_have_value(group)
        panel.locator(f"[data-key='u:{widget}:place']").click()
        if widget == "hall":  # the focus goes on to the next widget to place
            expect(panel.locator("[data-key='u:dial:place']")).to_be_focused()
    expect(panel.locator(".dash-unplaced")).to_have_count(0)
    set_field(panel, "p0g0w1:height", "3")
    expect(panel.get_by_role("link", name="open", exact=True)).to_have_attribute(
        "href", "/dashboard/#overview")
    ARTIFACTS.mkdir(exist_ok=True)
    panel.screenshot(path=str(ARTIFACTS / "dashboard-tab.png"))
    save(page)
    file = served.flows / "plant.yaml"
    board = YAML(typ="safe").load(file.read_text())["connections"]["board"]
    assert board == {
        "type": "dashboard", "title": "Plant room", "theme": "dark",
        "pages": [{"id": "overview", "title": "Overview", "groups": [
            {"id": "group", "title": "Now", "width": 4,
             "widgets": ["hall", {"node": "dial", "height": 3}]},
            {"id": "group-2", "title": "Group 2", "widgets": ["fan"]}]}]}
    assert BARE.splitlines()[3:] == file.read_text().splitlines()[3:8]  # the nodes untouched
    checked = subprocess.run([sys.executable, "-m", "flowrt", "validate", str(file)],
                             capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "W112" not in checked.stdout and "E04" not in checked.stdout


def test_laid_out_groups_reordered_by_keyboard_change_only_their_lines(
        page: Any, served: Served) -> None:
    panel = open_tab(page)
    title = panel.locator("[data-key='p0g1:title']")
    expect(title).to_have_value("Switches")
    title.focus()
    title.press("Alt+ArrowUp")  # the Switches group moves above Now, and keeps the focus
    expect(panel.locator("[data-key='p0g0:title']")).to_be_focused()
    expect(panel.locator("[data-key='p0g0:title']")).to_have_value("Switches")
    save(page)
    file = served.flows / "plant.yaml"
    moved = file.read_text()
    assert sorted(changed_lines(LAID_OUT, moved)) == sorted([
        "+          - id: switches", "+            title: Switches", "+            widgets:",
        "+              - fan",
        "-          - id: switches", "-            title: Switches", "-            widgets:",
        "-              - fan"])
    assert "          - id: now          # current values\n" in moved
    # undo: the tab shows the old order, and the file saved again is the file as it was
    undo(page)
    expect(panel.locator("[data-key='p0g0:title']")).to_have_value("Now")
    save(page)
    assert file.read_text() == LAID_OUT


def test_laid_out_errors_of_the_check_show_in_the_tab(page: Any) -> None:
    panel = open_tab(page)
    panel.locator("[data-key='p0g0w0:remove']").click()  # hall leaves its group
    expect(panel.locator(".dash-unplaced li[data-widget='hall']")).to_be_visible()
    set_field(panel, "p0g0w0:width", "3")  # the dial, 3 columns of its group's 4
    set_field(panel, "p0g0:width", "2")  # then the group narrower than the dial
    problem = panel.locator(".dash-problems li")
    expect(problem.first).to_contain_text("wider than its group")
    expect(panel.locator("li.dash-page.has-error, li.dash-group.has-error").first).to_be_visible()
    undo(page)
    expect(panel.locator(".dash-problems")).to_have_count(0)


def test_laid_out_a_widget_dragged_to_another_group_moves_one_line(
        page: Any, served: Served) -> None:
    panel = open_tab(page)
    fan = panel.locator("li.dash-widget[data-name='fan']")
    fan.drag_to(panel.locator("li.dash-group[data-name='now'] > .dash-line").first)
    now = panel.locator("li.dash-group[data-name='now'] li.dash-widget")
    expect(now).to_have_count(3)
    expect(now.nth(2)).to_have_attribute("data-name", "fan")  # at the end of the group
    expect(panel.locator("li.dash-group[data-name='switches'] li.dash-widget")).to_have_count(0)
    save(page)
    assert sorted(changed_lines(LAID_OUT, (served.flows / "plant.yaml").read_text())) == sorted([
        "-            widgets: [hall, {node: dial, height: 3}]",
        "+            widgets: [hall, {node: dial, height: 3}, fan]",
        "-            widgets:", "-              - fan", "+            widgets: []"])
