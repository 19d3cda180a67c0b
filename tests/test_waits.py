"""No ``asyncio.wait_for`` in flowrt/ and nodes/: on Python 3.11 (the oldest we run on) it may
swallow a cancellation that arrives as the wait it guards ends (CPython gh-86296, gh-84007;
fixed in 3.12 by rewriting it on ``asyncio.timeout``). A loop then runs on after its task was
cancelled, and whatever cancelled it and waits for it waits for ever: group.stop(), the
journal's close() and an MQTT session's close() did. Write ``async with asyncio.timeout(t):``
around the await instead: it runs the awaited code in the task itself, and a cancellation
goes through it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARMLESS: dict[str, str] = {}
"""Uses left where a lost cancellation changes nothing, with why (to convert all the same)."""


def wait_for_calls(path: Path) -> list[int]:
    """The lines of ``path`` that call asyncio.wait_for, or import it by its name."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if (isinstance(node, ast.Attribute) and node.attr == "wait_for"
                and isinstance(node.value, ast.Name) and node.value.id == "asyncio"):
            lines.append(node.lineno)
        elif (isinstance(node, ast.ImportFrom) and node.module == "asyncio"
                and any(alias.name == "wait_for" for alias in node.names)):
            lines.append(node.lineno)
    return lines


def test_no_asyncio_wait_for_in_the_engine_or_the_packs() -> None:
    paths = sorted(p for top in ("flowrt", "nodes") for p in (ROOT / top).rglob("*.py"))
    assert paths, "no module found: the check below checks nothing"
    found = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for path in paths
        if path.relative_to(ROOT).as_posix() not in HARMLESS
        for line in wait_for_calls(path)
    ]
    assert not found, ("asyncio.wait_for may swallow a cancellation on Python 3.11; use "
                       "`async with asyncio.timeout(...)`:\n" + "\n".join(found))
    stale = [name for name in HARMLESS if not wait_for_calls(ROOT / name)]
    assert not stale, f"no wait_for left in {stale}: remove them from HARMLESS"


def test_the_check_finds_a_wait_for(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import asyncio\nfrom asyncio import wait_for\n\n\nasync def f(e):\n"
                      "    await asyncio.wait_for(e.wait(), 1)\n", encoding="utf-8")
    assert sorted(wait_for_calls(module)) == [2, 6]
