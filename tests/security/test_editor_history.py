"""The History dialog's diff in Chromium shows every changed line in full: a long changed line
(an attacker's change hidden past the right edge, or just a long label) wraps inside the
dialog instead of running off to the right."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.security.api_kit import Served, call
from tests.security.editor_kit import chromium, editor_on

BEFORE = "flowrt: 1\nid: demo\nlabel: Demo\nnodes:\n  note: {type: comment, text: hello}\n"
HIDDEN = " " * 120 + "url: http://attacker.example/" + "x" * 200
LONG = "label: " + "A very long label that goes on and on " * 12


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def editor(browser: Any, tmp_path: Path) -> Iterator[tuple[Any, Served]]:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "demo.yaml").write_text(BEFORE)
    with editor_on(browser, flows) as opened:
        yield opened


def test_every_changed_line_is_shown_in_full(editor: tuple[Any, Served]) -> None:
    page, served = editor
    assert call(served.url + "/api/deploy", "POST", {})[0] == 200
    changed = BEFORE.replace("label: Demo", LONG) + f"# {HIDDEN}\n"
    (served.flows / "demo.yaml").write_text(changed)
    assert call(served.url + "/api/deploy", "POST", {})[0] == 200

    page.locator("#history").click()
    dialog = page.locator("dialog.modal", has_text="Revisions")
    items = dialog.locator(".revisions li[data-revision]")
    expect(items.nth(1)).to_be_visible()
    items.nth(1).click()  # newest first: the revision before the change
    diff = dialog.locator("pre.diff")
    expect(diff.locator(".add").first).to_be_visible()
    lines = diff.evaluate("""(pre) => {
      const box = pre.closest('.revision-detail').getBoundingClientRect();
      return [...pre.querySelectorAll('.add, .del')].map((el) => {
        const r = el.getBoundingClientRect();
        return { text: el.textContent, right: r.right, left: r.left, boxRight: box.right,
                 boxLeft: box.left, hidden: el.scrollWidth > el.clientWidth + 1 };
      });
    }""")
    texts = [line["text"].rstrip("\n") for line in lines]
    assert "+" + LONG in texts
    assert "+# " + HIDDEN in texts
    assert "-label: Demo" in texts
    for line in lines:
        assert line["left"] >= line["boxLeft"] - 1 and line["right"] <= line["boxRight"] + 1, \
            f"{line['text'][:60]!r} runs out of the dialog ({line['right']} > {line['boxRight']})"
        assert not line["hidden"], f"{line['text'][:60]!r} is cut"
    overflow = diff.evaluate("(pre) => pre.closest('.revision-detail').scrollWidth"
                             " - pre.closest('.revision-detail').clientWidth")
    assert overflow <= 1, "the diff scrolls sideways: changed text is out of sight"
