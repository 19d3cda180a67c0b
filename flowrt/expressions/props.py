"""Message property paths as Node-RED writes them: ``payload.a.b``, ``payload["a b"]``, ``a[0]``,
and ``payload[msg.topic]``: a bracketed ``msg.`` path (a :class:`Ref`) whose value, read from the
message, is the key (a string or a number; anything else fails the message with an error).

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
from typing import Any, Final, TypeAlias, cast

from flowrt.errors import NodeError
from flowrt.expressions.path_syntax import Key, Path, PlainPath, Ref, parse_path

__all__ = [
    "MISSING", "Getter", "Key", "Path", "PlainPath", "Ref", "Setter", "delete_path",
    "delete_property", "get_path", "get_property", "getter", "has_refs", "parse_path",
    "path_getter", "resolve", "set_path", "set_property", "setter",
]


class _Missing(enum.Enum):
    """The type of :data:`MISSING`: a falsy singleton (copies are itself, as for any enum)."""

    MISSING = "MISSING"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing.MISSING
"""A property that does not exist (JavaScript's ``undefined``)."""

def _child(obj: Any, key: str | int) -> Any:
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


def has_refs(keys: Path) -> bool:
    """Whether ``keys`` hold a nested reference (:class:`Ref`) to resolve per message."""
    return any(type(k) is Ref for k in keys)


def resolve(keys: Path, msg: Any) -> PlainPath:
    """``keys`` with each nested reference replaced by its value in ``msg``.

    Raises NodeError when a reference is missing or is not a string or a number.
    """
    if not has_refs(keys):
        return cast(PlainPath, keys)
    out: list[str | int] = []
    for key in keys:
        if type(key) is Ref:
            value = get_path(msg, resolve(key.keys, msg))
            if type(value) is float:  # JavaScript's key text: 2.0 is "2", 1.5 is "1.5"
                value = int(value) if value.is_integer() else repr(value)
            if type(value) is not str and type(value) is not int:
                what = "missing" if value is MISSING else f"a {_js_type(value)}"
                raise NodeError(
                    f"the nested reference [{key.text}] in a property path is {what}; "
                    "it must be a string or a number"
                )
            out.append(value)
        else:
            out.append(cast(str | int, key))
    return tuple(out)


def _js_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def get_path(obj: Any, keys: Path, default: Any = MISSING, msg: Any = None) -> Any:
    """The value at already-parsed ``keys`` in ``obj``, or ``default``.

    Nested references are read from ``msg`` (``obj`` itself when not given)."""
    return _walk(obj, resolve(keys, obj if msg is None else msg), default)


def _walk(obj: Any, keys: PlainPath, default: Any = MISSING) -> Any:
    for key in keys:
        obj = _child(obj, key)
        if obj is MISSING:
            return default
    return obj


def get_property(msg: Any, path: str, default: Any = MISSING, root: Any = None) -> Any:
    """The value at ``path`` in ``msg``, or ``default`` (MISSING) when any part is absent.

    Nested references (``[msg.topic]``) are read from ``root`` (``msg`` itself when not given)."""
    keys = parse_path(path)
    if root is not None and has_refs(keys):
        return get_path(msg, keys, default, root)
    if len(keys) == 1 and type(msg) is dict:
        return msg.get(keys[0], default)
    return get_path(msg, keys, default)


def set_path(obj: Any, keys: Path, value: Any, msg: Any = None) -> bool:
    """Set ``value`` at ``keys``, creating containers; False if a non-container is in the way.

    Nested references are read from ``msg`` (``obj`` itself when not given)."""
    plain = resolve(keys, obj if msg is None else msg)
    last = len(plain) - 1
    for i, key in enumerate(plain):
        if isinstance(obj, dict):
            if isinstance(key, int) and key not in obj and str(key) in obj:
                key = str(key)
            if i == last:
                obj[key] = value
                return True
            nxt = obj.get(key, MISSING)
            if nxt is MISSING:
                nxt = [] if isinstance(plain[i + 1], int) else {}
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
                nxt = [] if isinstance(plain[i + 1], int) else {}
                obj[key] = nxt
        else:
            return False
        obj = nxt
    return False


def set_property(msg: Any, path: str, value: Any, root: Any = None) -> bool:
    """Set ``path`` in ``msg`` to ``value``; ``value`` MISSING deletes it. See the module doc.

    Nested references (``[msg.topic]``) are read from ``root`` (``msg`` itself when not given)."""
    keys = parse_path(path)
    if value is MISSING:
        return delete_path(msg, keys, root)
    if root is not None and has_refs(keys):
        return set_path(msg, keys, value, root)
    if len(keys) == 1 and type(msg) is dict:
        msg[keys[0]] = value
        return True
    return set_path(msg, keys, value)


def delete_path(obj: Any, keys: Path, msg: Any = None) -> bool:
    """Remove the value at ``keys`` (a list item is removed, shifting the rest); True if it was.

    Nested references are read from ``msg`` (``obj`` itself when not given)."""
    plain = resolve(keys, obj if msg is None else msg)
    parent = get_path(obj, plain[:-1]) if len(plain) > 1 else obj
    key = plain[-1]
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


def delete_property(msg: Any, path: str, root: Any = None) -> bool:
    """Remove ``path`` from ``msg``; True if something was removed (references: see above)."""
    return delete_path(msg, parse_path(path), root)


Getter: TypeAlias = Callable[[Any], Any]
Setter: TypeAlias = Callable[[Any, Any], bool]


def getter(path: str) -> Getter:
    """A function reading ``path`` from a message (MISSING when absent), parsed once."""
    return path_getter(parse_path(path))


def path_getter(keys: Path) -> Getter:
    """A function reading already-parsed ``keys`` from a message (MISSING when absent)."""
    if has_refs(keys):
        return lambda msg: get_path(msg, keys)
    if len(keys) == 1:
        key = cast(str, keys[0])  # a path starts with a name

        def get_one(msg: Any) -> Any:
            if type(msg) is dict:
                return msg.get(key, MISSING)
            return _child(msg, key)

        return get_one
    if any(type(k) is not str for k in keys):
        plain = cast(PlainPath, keys)  # no references: they were taken above
        return lambda msg: _walk(msg, plain)

    names = cast(tuple[str, ...], keys)

    def get_names(msg: Any) -> Any:  # the common case: names only, mostly through dicts
        obj = msg
        for key in names:
            obj = obj.get(key, MISSING) if type(obj) is dict else _child(obj, key)
            if obj is MISSING:
                return MISSING
        return obj

    return get_names


def setter(path: str) -> Setter:
    """A function setting ``path`` in a message (see :func:`set_property`), parsed once."""
    keys = parse_path(path)
    if has_refs(keys):
        return lambda msg, value: set_property(msg, path, value)
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
