"""The grammar of message property paths, as Node-RED writes them: ``payload.a.b``,
``payload["a b"]``, ``a[0]``, and nested references ``payload[msg.topic]`` (a :class:`Ref`, whose
value in the message is the key). :func:`parse_path` turns a path into a tuple of keys once and
caches it; :mod:`flowrt.expressions.props` reads and writes messages with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias


@dataclass(frozen=True)
class Ref:
    """A nested reference, ``[msg.topic]`` in ``payload[msg.topic]``: the message property at
    ``keys`` names the key. ``text`` is the reference as written, for error messages."""

    keys: tuple[str | int | Ref, ...]
    text: str


Key: TypeAlias = str | int | Ref
Path: TypeAlias = tuple[Key, ...]
PlainPath: TypeAlias = tuple[str | int, ...]
"""A path whose nested references are resolved: names and indexes only."""


_SPECIAL = ".[]'\""


@lru_cache(maxsize=4096)
def parse_path(path: str) -> Path:
    """Split a property path into its keys; raise ValueError saying what is wrong and where."""
    if not isinstance(path, str) or not path:
        raise ValueError("a property path cannot be empty")
    keys: list[Key] = []
    i, n = 0, len(path)
    expect_name = True  # at the start and after '.'
    while i < n:
        c = path[i]
        if c == "[":
            i = _parse_bracket(path, i, keys)
            expect_name = False
            if i < n and path[i] not in ".[":
                _fail(path, i, "expected '.', '[' or the end after ']'")
        elif c == ".":
            if expect_name:
                _fail(path, i, "a name is missing before '.'")
            expect_name = True
            i += 1
            if i == n:
                _fail(path, i, "a name is missing after '.'")
            if path[i] == "[":
                _fail(path, i, "write a[0], not a.[0]")
        elif c in "]'\"":
            _fail(path, i, f'unexpected {c!r} (quote names in brackets: a["b c"])')
        else:
            if not expect_name:
                _fail(path, i, "expected '.' or '[' before a name")
            start = i
            while i < n and path[i] not in _SPECIAL:
                i += 1
            keys.append(path[start:i])
            expect_name = False
    return tuple(keys)


def _parse_bracket(path: str, i: int, keys: list[Key]) -> int:
    """Parse ``[n]``, ``["name"]`` or ``['name']`` at ``path[i] == '['``; return the next index."""
    if not keys:
        _fail(path, i, "a path starts with a name, not '['")
    n = len(path)
    j = i + 1
    if j < n and path[j] in "'\"":
        quote = path[j]
        j += 1
        chars: list[str] = []
        while j < n and path[j] != quote:
            if path[j] == "\\" and j + 1 < n:
                j += 1
            chars.append(path[j])
            j += 1
        if j >= n:
            _fail(path, i, f"unterminated {quote} quote")
        j += 1
        if j >= n or path[j] != "]":
            _fail(path, j, "expected ']' after the quoted name")
        keys.append("".join(chars))
        return j + 1
    if path.startswith(("msg.", "msg["), j):
        return _parse_ref(path, i, keys)
    end = path.find("]", j)
    if end < 0:
        _fail(path, i, "'[' is not closed")
    inner = path[j:end].strip()
    if inner.isdigit():
        keys.append(int(inner))
        return end + 1
    _fail(path, i, 'expected a number or a quoted name in brackets: a[0] or a["b"]')
    raise AssertionError  # unreachable: _fail raises


def _parse_ref(path: str, i: int, keys: list[Key]) -> int:
    """Parse a nested ``[msg.a.b]`` at ``path[i] == '['`` (brackets and quotes may nest)."""
    depth, quote, j = 1, "", i + 1
    while j < len(path):
        c = path[j]
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                break
        j += 1
    if depth:
        _fail(path, i, "'[' is not closed")
    text = path[i + 1 : j]
    try:
        inner = parse_path(text)
    except ValueError as exc:
        _fail(path, i, f"in the nested reference [{text}]: {exc}")
    if len(inner) < 2:
        _fail(path, i, f"the nested reference [{text}] names no property")
    keys.append(Ref(inner[1:], text))
    return j + 1


def _fail(path: str, at: int, what: str) -> None:
    raise ValueError(f"invalid property path {path!r} at character {at + 1}: {what}")
