"""Flow texts for the function node's tests: one `function` node `f`, and helpers to read what
it did."""

from __future__ import annotations

import textwrap
from typing import Any

from flowrt.types import Message

CODE = ("initialize", "finalize")


def function_flow(func: str, *, header: str = "", extra: str = "", **options: Any) -> str:
    """A flow with one function node `f` running `func`, its `options` (`initialize` and
    `finalize` as YAML blocks, the others as written), more flow-level keys in `header` and
    more nodes in `extra`."""
    lines = ["flowrt: 1", *_lines(header), "nodes:"]
    lines += ["  f:", "    type: function", *_block("func", func)]
    for key, value in options.items():
        if key in CODE:
            lines += _block(key, value)
        else:
            lines.append(f"    {key}: {value}")
    lines += ["  " + line for line in _lines(extra)]
    return "\n".join(lines) + "\n"


def _lines(text: str) -> list[str]:
    return [line for line in textwrap.dedent(text).strip("\n").splitlines() if line.strip()]


def _block(key: str, text: str) -> list[str]:
    body = textwrap.dedent(text).strip("\n").splitlines() or [""]
    return [f"    {key}: |-", *("      " + line for line in body)]


def bare(messages: list[Message]) -> list[Message]:
    """Messages without their `_msgid`."""
    return [{k: v for k, v in m.items() if k != "_msgid"} for m in messages]
