"""Saving a document whose lists moved items (the dashboard tab reorders pages and groups and
moves widgets): the items' lines move, with their style and comments, and nothing else
changes."""

from __future__ import annotations

import difflib
import re
from typing import Any

from flowrt.load.yaml_io import to_plain
from flowrt.server.files import load_flow_text
from flowrt.server.roundtrip import save_text

TEXT = """\
flowrt: 1
id: board
connections:
  board:
    type: dashboard
    pages:
      - id: home
        groups:
          - id: a            # the first group
            title: A
            width: 6
            widgets: [x, y]
          - id: b
            title: B
            widgets:
              - z
              - {node: w, height: 3}
          - id: c
            widgets: []
nodes:
  n: {type: inject, to: ["x", y]}
"""


def document() -> dict[str, Any]:
    doc: dict[str, Any] = to_plain(load_flow_text(TEXT, "board.yaml").data)
    return doc


def groups(doc: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = doc["connections"]["board"]["pages"][0]["groups"]
    return found


def changed(after: str) -> list[str]:
    return [line for line in difflib.unified_diff(TEXT.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_swapping_two_groups_moves_their_lines_with_their_style() -> None:
    doc = document()
    g = groups(doc)
    g[0], g[1] = g[1], g[0]
    after = save_text("board.yaml", TEXT, doc)
    assert after.index("- id: b") < after.index("- id: a")
    assert "            widgets:\n              - z\n" in after  # block style kept
    assert "- id: a            # the first group" in after
    assert len(changed(after)) == 8  # group b's 4 lines out and back in above a


def test_moving_a_widget_changes_the_two_lists_only() -> None:
    doc = document()
    g = groups(doc)
    g[1]["widgets"].pop(0)
    g[0]["widgets"].append("z")
    assert sorted(changed(save_text("board.yaml", TEXT, doc))) == [
        "+            widgets: [x, y, z]",
        "-              - z", "-            widgets: [x, y]"]


def test_a_renamed_group_keeps_its_place_and_comment() -> None:
    doc = document()
    groups(doc)[0]["id"] = "first"
    # (the spaces before a comment may change)
    assert [re.sub(r" +#", " #", line) for line in changed(save_text("board.yaml", TEXT, doc))
            ] == ["-          - id: a # the first group",
                  "+          - id: first # the first group"]


def test_a_moved_string_keeps_its_quotes() -> None:
    doc = document()
    doc["nodes"]["n"]["to"] = ["y", "x"]
    assert changed(save_text("board.yaml", TEXT, doc)) == [
        '-  n: {type: inject, to: ["x", y]}', '+  n: {type: inject, to: [y, "x"]}']
