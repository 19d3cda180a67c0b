"""What the editor tasks (tests/ui/test_tasks.py, tests/ui/test_tasks_nodered.py) share: a recorder
that counts a user's actions, the table of counts in docs/editor.md, and the screenshots.

An action is what a person does with the mouse or keyboard: a click, a double-click, a drag, a
key press or shortcut, a choice from a drop-down, a text typed into one field, pointing at a
menu item to open its submenu, scrolling a list to find what is not in view. Waiting for
something and looking at it are not actions.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "editor.md"
SHOTS = ROOT / "docs" / "editor"
ARTIFACTS = ROOT / "tests" / "ui" / "artifacts"
VIEWPORT = {"width": 1400, "height": 900}
SECTION = "## Tasks, counted"


class Recorder:
    """Performs a user's actions on a Playwright page, counting them."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.actions: list[str] = []

    def _note(self, what: str) -> None:
        self.actions.append(what)

    def click(self, target: Any, **options: Any) -> None:
        self._note("click")
        target.click(**options)

    def click_at(self, target: Any, modifier: str | None = None) -> None:
        """A click at the middle of `target` by the mouse alone: unlike a locator's click, it
        scrolls nothing into view first (so a canvas stays where the user left it)."""
        self._note("click")
        x, y = self._middle(target)
        if modifier:
            self.page.keyboard.down(modifier)
        self.page.mouse.click(x, y)
        if modifier:
            self.page.keyboard.up(modifier)

    def dblclick_at(self, target: Any) -> None:
        self._note("double-click")
        self.page.mouse.dblclick(*self._middle(target))

    def _middle(self, target: Any) -> tuple[float, float]:
        target.wait_for()
        box = target.bounding_box()
        assert box, f"{target} is not shown"
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def dblclick(self, target: Any, **options: Any) -> None:
        self._note("double-click")
        target.dblclick(**options)

    def reveal(self, target: Any) -> None:
        """Scroll `target` into its scrolling list's view if it is not shown whole (a palette
        entry further down): a person scrolls (or searches) for it, one action."""
        shown = target.evaluate(
            """(e) => {
                 let box = e.parentElement;
                 while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
                 const r = e.getBoundingClientRect();
                 const b = box ? box.getBoundingClientRect() : {top: 0, bottom: innerHeight};
                 return r.top >= b.top && r.bottom <= Math.min(b.bottom, innerHeight);
               }""")
        if not shown:
            self._note("scroll")
            target.scroll_into_view_if_needed()

    def point(self, target: Any) -> None:
        """The mouse moved onto something to open it (a menu's submenu)."""
        self._note("point")
        target.hover()

    def drag(self, source: Any, target: Any, **options: Any) -> None:
        self._note("drag")
        source.drag_to(target, **options)

    def drag_by_mouse(self, source: Any, target: Any, x: float, y: float) -> None:
        """A drag from `source` to (x, y) of `target` by the mouse's own moves, in steps (for
        jQuery UI's draggables); like `click_at`, it scrolls nothing into view."""
        self._note("drag")
        end = target.bounding_box()
        assert end, f"{target} is not shown"
        self.page.mouse.move(*self._middle(source))
        self.page.mouse.down()
        self.page.mouse.move(end["x"] + x, end["y"] + y, steps=12)
        self.page.mouse.up()

    def press(self, keys: str) -> None:
        """A key or a shortcut (`Control+a`) pressed where the focus is."""
        self._note(f"key {keys}")
        self.page.keyboard.press(keys)

    def fill(self, target: Any, text: str) -> None:
        """A text typed into one field (replacing what it held)."""
        self._note("type")
        target.fill(text)

    def type_text(self, text: str) -> None:
        """A text typed where the focus is, in one go (as a paste: an editor's own
        auto-closing of brackets and quotes does not add to it)."""
        self._note("type")
        self.page.keyboard.insert_text(text)

    def choose(self, target: Any, value: str) -> None:
        """An option chosen from a drop-down (<select>)."""
        self._note("choose")
        target.select_option(value)

    @property
    def count(self) -> int:
        return len(self.actions)


def counted() -> dict[str, tuple[str, str]]:
    """The table of docs/editor.md's "Tasks, counted": task -> (flowrt, Node-RED) as written."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index(SECTION)
    rows: dict[str, tuple[str, str]] = {}
    for line in text[start:].splitlines()[1:]:
        if line.startswith("## "):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.match(r"^\d+\.", cells[0]):
            rows[cells[0].split(".", 1)[0]] = (cells[1], cells[2])
    return rows


def documented(task: str, editor: str) -> int:
    """The count docs/editor.md gives task number `task` in `editor` ("flowrt" or "Node-RED")."""
    rows = counted()
    assert task in rows, f"docs/editor.md's {SECTION!r} table has no task {task}"
    cell = rows[task][0 if editor == "flowrt" else 1]
    assert cell.isdigit(), f"task {task}, {editor}: {cell!r} is not a count"
    return int(cell)


def shot(page: Any, name: str) -> None:
    """The viewport (1400x900) as tests/ui/artifacts/<name>.png; with FLOWRT_SCREENSHOTS=docs,
    as docs/editor/<name>.png, the committed pictures docs/editor.md shows (a test run leaves
    the documentation as it is unless asked)."""
    folder = SHOTS if os.environ.get("FLOWRT_SCREENSHOTS") == "docs" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, VIEWPORT["height"] - 1)  # no hover effect left where the last click was
    page.screenshot(path=str(folder / f"{name}.png"))
