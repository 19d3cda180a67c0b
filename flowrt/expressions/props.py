"""Message property paths as Node-RED writes them: ``payload.a.b``, ``payload["a b"]``, ``a[0]``.

A path is parsed once into a tuple of keys (``str`` for names, ``int`` for ``[n]`` indexes) and
cached, so nodes may call :func:`get_property` per message; nodes on a hot path take a compiled
:func:`getter` / :func:`setter` at start instead, which for a one-key path is a plain ``dict.get``.

Lookups follow JavaScript's rules where JSON-like data allows it: an index into a mapping looks up
the key's text (``payload[0]`` reads key ``"0"``), a digit name indexes a list (``list.0``), and
``length`` of a list or string is its length. A missing property reads as :data:`MISSING`, which
plays the part of JavaScript's ``undefined`` (``None`` is JSON's ``null``).

Setting creates the missing containers on the way, as Node-RED does: a dict when the next key is a
name, a list when it is an index. Setting beneath a value that is not a container (a string, a
number) changes nothing and returns ``False``, which is also what Node-RED does.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final, TypeAlias

Key: TypeAlias = str | int
Path: TypeAlias = tuple[Key, ...]


class _Missing(enum.Enum):
    """The type of :data:`MISSING`: a falsy singleton (copies are itself, as for any enum)."""

    MISSING = "MISSING"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing.MISSING
"""A property that does not exist (JavaScript's ``undefined``)."""

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
    end = path.find("]", j)
    if end < 0:
        _fail(path, i, "'[' is not closed")
    inner = path[j:end].strip()
    if inner.isdigit():
        keys.append(int(inner))
        return end + 1
    if inner.startswith("msg."):
        _fail(path, i, "nested references like [msg.key] are not supported")
    _fail(path, i, 'expected a number or a quoted name in brackets: a[0] or a["b"]')
    raise AssertionError  # unreachable: _fail raises


def _fail(path: str, at: int, what: str) -> None:
    raise ValueError(f"invalid property path {path!r} at character {at + 1}: {what}")


def _child(obj: Any, key: Key) -> Any:
    """``obj[key]`` with JavaScript's lenience, or MISSING."""
    if isinstance(obj, dict):
        value = obj.get(key, MISSING)
        if value is MISSING and isinstance(key, int):
            value = obj.get(str(key), MISSING)
        return value
    if isinstance(obj, list | str | bytes | bytearray):
        if isinstance(key, str):
            if key == "length":
                return len(obj)
            if not key.isdigit():
                return MISSING
            key = int(key)
        return obj[key] if 0 <= key < len(obj) else MISSING
    return MISSING


def get_path(obj: Any, keys: Path, default: Any = MISSING) -> Any:
    """The value at already-parsed ``keys`` in ``obj``, or ``default``."""
    for key in keys:
        obj = _child(obj, key)
        if obj is MISSING:
            return default
    return obj


def get_property(msg: Any, path: str, default: Any = MISSING) -> Any:
    """The value at ``path`` in ``msg``, or ``default`` (MISSING) when any part is absent."""
    keys = parse_path(path)
    if len(keys) == 1 and type(msg) is dict:
        return msg.get(keys[0], default)
    return get_path(msg, keys, default)


def set_path(obj: Any, keys: Path, value: Any) -> bool:
    """Set ``value`` at ``keys``, creating containers; False if a non-container is in the way."""
    last = len(keys) - 1
    for i, key in enumerate(keys):
        if isinstance(obj, dict):
            if isinstance(key, int) and key not in obj and str(key) in obj:
                key = str(key)
            if i == last:
                obj[key] = value
                return True
            nxt = obj.get(key, MISSING)
            if nxt is MISSING:
                nxt = [] if isinstance(keys[i + 1], int) else {}
                obj[key] = nxt
        elif isinstance(obj, list):
            if isinstance(key, str):
                if not key.isdigit():
                    return False
                key = int(key)
            if key >= len(obj):
                obj.extend([None] * (key + 1 - len(obj)))
            if i == last:
                obj[key] = value
                return True
            nxt = obj[key]
            if nxt is None:
                nxt = [] if isinstance(keys[i + 1], int) else {}
                obj[key] = nxt
        else:
            return False
        obj = nxt
    return False


def set_property(msg: Any, path: str, value: Any) -> bool:
    """Set ``path`` in ``msg`` to ``value``; ``value`` MISSING deletes it. See the module doc."""
    keys = parse_path(path)
    if value is MISSING:
        return delete_path(msg, keys)
    if len(keys) == 1 and type(msg) is dict:
        msg[keys[0]] = value
        return True
    return set_path(msg, keys, value)


def delete_path(obj: Any, keys: Path) -> bool:
    """Remove the value at ``keys`` (a list item is removed, shifting the rest); True if it was."""
    parent = get_path(obj, keys[:-1]) if len(keys) > 1 else obj
    key = keys[-1]
    if isinstance(parent, dict):
        if key in parent:
            del parent[key]
            return True
        if isinstance(key, int) and str(key) in parent:
            del parent[str(key)]
            return True
        return False
    if isinstance(parent, list):
        if isinstance(key, str):
            if not key.isdigit():
                return False
            key = int(key)
        if 0 <= key < len(parent):
            del parent[key]
            return True
    return False


def delete_property(msg: Any, path: str) -> bool:
    """Remove ``path`` from ``msg``; True if something was removed."""
    return delete_path(msg, parse_path(path))


Getter: TypeAlias = Callable[[Any], Any]
Setter: TypeAlias = Callable[[Any, Any], bool]


def getter(path: str) -> Getter:
    """A function reading ``path`` from a message (MISSING when absent), parsed once."""
    return path_getter(parse_path(path))


def path_getter(keys: Path) -> Getter:
    """A function reading already-parsed ``keys`` from a message (MISSING when absent)."""
    if len(keys) == 1:
        key = keys[0]

        def get_one(msg: Any) -> Any:
            if type(msg) is dict:
                return msg.get(key, MISSING)
            return _child(msg, key)

        return get_one
    if any(type(k) is not str for k in keys):
        return lambda msg: get_path(msg, keys)

    def get_names(msg: Any) -> Any:  # the common case: names only, mostly through dicts
        obj = msg
        for key in keys:
            obj = obj.get(key, MISSING) if type(obj) is dict else _child(obj, key)
            if obj is MISSING:
                return MISSING
        return obj

    return get_names


def setter(path: str) -> Setter:
    """A function setting ``path`` in a message (see :func:`set_property`), parsed once."""
    keys = parse_path(path)
    if len(keys) == 1:
        key = keys[0]

        def set_one(msg: Any, value: Any) -> bool:
            if value is MISSING:
                return delete_path(msg, keys)
            if type(msg) is dict:
                msg[key] = value
                return True
            return set_path(msg, keys, value)

        return set_one

    head, last = keys[:-1], keys[-1]
    names = all(type(k) is str for k in keys)

    def set_many(msg: Any, value: Any) -> bool:
        if value is MISSING:
            return delete_path(msg, keys)
        if names:  # walk dicts directly; anything else takes the general path from the start
            obj = msg
            for key in head:
                if type(obj) is not dict:
                    return set_path(msg, keys, value)
                nxt = obj.get(key, MISSING)
                if nxt is MISSING:
                    nxt = obj[key] = {}
                obj = nxt
            if type(obj) is dict:
                obj[last] = value
                return True
        return set_path(msg, keys, value)

    return set_many
