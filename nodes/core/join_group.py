"""One sequence being joined by the join node: its values so far and how they become one value."""

from __future__ import annotations

import json
from typing import Any

from flowrt.api import MISSING, Message, Timer


class JoinGroup:
    """The values of one sequence received so far, and the messages they came from."""

    def __init__(self, kind: str, *, target: int | None, joiner: Any, chunked: bool) -> None:
        self.kind = kind
        """string, buffer, array, object or merged."""
        self.target = target
        """How many parts (for objects: keys) complete the group; None when unknown."""
        self.joiner = joiner
        self.chunked = chunked
        """Array parts are arrays of several elements, to be concatenated."""
        self.filled = 0
        self.indexed: dict[int, Any] = {}
        self.appended: list[Any] = []
        self.object: dict[str, Any] = {}
        self.merged: Message = {}
        """The output message so far: every message's properties, later ones winning."""
        self.held: list[Message] = []
        self.timer: Timer | None = None

    def add(self, value: Any, key: Any, index: Any) -> None:
        """Add one message's value: under ``key`` for objects, at ``index`` when the message
        has a place in its sequence, else after the others."""
        if self.kind == "object":
            self.object[str(key)] = value
            self.filled = len(self.object)
        elif self.kind == "merged":
            if isinstance(value, dict):
                self.object.update((k, v) for k, v in value.items() if k != "_msgid")
                self.filled = len(self.object)
        elif isinstance(index, int) and not isinstance(index, bool):
            self.indexed[index] = value
            self.filled += 1
        elif value is not MISSING:
            self.appended.append(value)
            self.filled += 1

    def result(self) -> Any:
        """The joined value."""
        if self.kind in ("object", "merged"):
            return dict(self.object)
        items = [self.indexed[i] for i in sorted(self.indexed)] + self.appended
        if self.kind == "array" and not self.chunked and self.indexed and min(self.indexed) >= 0:
            # as Node-RED: a part that never came leaves its place empty (None)
            size = max(self.indexed) + 1
            if size <= 2 * len(self.indexed) + 1000:
                items = [self.indexed.get(i) for i in range(size)] + self.appended
        if self.kind == "string":
            return _separator_text(self.joiner).join(_text(v) for v in items)
        if self.kind == "buffer":
            return _separator_bytes(self.joiner).join(_bytes(v) for v in items)
        if self.chunked:
            flat: list[Any] = []
            for item in items:
                flat.extend(item if isinstance(item, list) else [item])
            return flat
        return items


def _separator_text(joiner: Any) -> str:
    if isinstance(joiner, list):
        return bytes(joiner).decode("utf-8", "replace")
    if isinstance(joiner, bytes):
        return joiner.decode("utf-8", "replace")
    return "" if joiner is None else str(joiner)


def _separator_bytes(joiner: Any) -> bytes:
    if joiner is None:
        return b""
    return _bytes(joiner)


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, list):
        return bytes(value)
    return b""


def _text(value: Any) -> str:
    """A value as text, the way JavaScript's Array.join writes it (objects as JSON)."""
    if value is None or value is MISSING:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return ",".join(_text(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return json.dumps(value, default=str)
