"""Dashboard layouts: the board of the tests validates with no diagnostic and `flowrt fmt`
keeps it; a layout that places an unknown node or a node that is no widget is E047 (with a
did-you-mean), a widget of another dashboard E048, a widget on no page W112; ids used twice,
a widget wider than its group and a gauge's empty range are schema errors; a button that no
wire reaches is not W101 (a person presses it)."""

from __future__ import annotations

from flowrt.check import check
from flowrt.diagnostics import Diagnostic
from flowrt.load import Project, load_text
from flowrt.load.formatter import format_document
from flowrt.registry.discover import default_registry
from tests.nodes.dashboard.boards import BOARD


def diagnose(text: str) -> list[Diagnostic]:
    doc = load_text(text, "flows/board.yaml")
    return check(Project(documents=[doc]), default_registry(), env={})


def test_the_board_validates_and_fmt_keeps_it() -> None:
    assert diagnose(BOARD) == []
    assert format_document(load_text(BOARD, "f.yaml")) == BOARD


def test_an_unknown_node_in_the_layout_is_E047_with_did_you_mean() -> None:
    found = diagnose(BOARD.replace("widgets: [temp,", "widgets: [tmep, temp,"))
    assert [(d.code, d.line, d.column) for d in found] == [("E047", 15, 23)], found
    assert "did you mean 'temp'" in (found[0].hint or "")


def test_a_node_that_is_no_widget_is_E047() -> None:
    found = diagnose(BOARD.replace("widgets: [press,", "widgets: [seen, press,"))
    assert [d.code for d in found] == ["E047"]
    assert "is not a dashboard widget" in found[0].message


def test_a_widget_of_another_dashboard_is_E048() -> None:
    other = BOARD.replace("connections:\n", "connections:\n  other: {type: dashboard}\n")
    other = other.replace("dashboard: board, format", "dashboard: other, format")
    found = diagnose(other)
    assert [(d.code, d.node) for d in found] == [("E048", "temp")]


def test_a_widget_on_no_page_is_W112() -> None:
    found = diagnose(BOARD.replace("widgets: [press, fan, setpoint]", "widgets: [press, fan]"))
    assert [(d.code, d.node) for d in found] == [("W112", "setpoint")]


def test_ambiguous_or_impossible_layouts_are_schema_errors() -> None:
    twice = BOARD.replace("[press, fan, setpoint]", "[press, fan, setpoint, fan]")
    assert "placed twice" in diagnose(twice)[0].message
    wide = BOARD.replace("{node: dial, width: 3", "{node: dial, width: 8")
    assert "wider than its group" in diagnose(wide)[0].message
    flat = BOARD.replace("min: 0\n    max: 40", "min: 40\n    max: 40")
    assert "must be above min" in diagnose(flat)[0].message


def test_an_input_widget_with_no_wire_in_is_a_source() -> None:
    assert "press" not in BOARD.split("nodes:", 1)[1].split("  press:", 1)[0]  # no wire in
    assert "W101" not in [d.code for d in diagnose(BOARD)]
    unfed = BOARD.replace("to: [temp, dial, trend, fan, setpoint]", "to: [fan, setpoint]")
    assert [(d.code, d.node) for d in diagnose(unfed)] == [
        ("W101", "temp"), ("W101", "dial"), ("W101", "trend")]


def test_the_later_widgets_board_validates_with_its_notification_and_control_unplaced() -> None:
    from tests.nodes.dashboard.widget_boards import WIDGETS

    assert diagnose(WIDGETS) == []


def test_placing_a_notification_in_a_group_is_E047() -> None:
    from tests.nodes.dashboard.widget_boards import WIDGETS

    found = diagnose(WIDGETS.replace("widgets: [count,", "widgets: [alert, count,"))
    assert [(d.code, d.node) for d in found] == [("E047", "alert")], found
    assert "has no place in a group" in found[0].message
