"""Which messages a compiled function body (:mod:`.js_compile`) may run on, and undoing what
it wrote to one.

A message runs compiled only if it is what ``JSON.parse`` would make of it on the QuickJS path
(:func:`plain`): dicts with string keys, lists, strings, ints within 2**53, floats, booleans
and None; no object twice (JSON would make two copies, and a write would show in both here),
no Buffer shape (the path revives it), no key that JavaScript orders first (an array index),
no string the path would revive as NaN, no -0 (the body would read -0 and the reply give 0).
Integral floats in it are made ints, as the path's reply would give them back (journaled, so
that a message that then goes to QuickJS after all is left as it came).
"""

from __future__ import annotations

from typing import Any

from .js_compile_ops import MAX_SAFE

MAX_DEPTH = 64
ABSENT: Any = object()
"""A journal's old value for a key that was not there: undoing deletes it."""


def plain(value: dict[Any, Any], journal: list[Any], left: int, seen: set[int] | None = None,
          depth: int = 0) -> int:
    """What is left of ``left`` after the sizes of ``value`` (a dict: the message, then each
    object in it), or -1 when it is not what JSON.parse would make of it: see the module docs.
    ``left``: how many items and characters the message may hold (more goes to QuickJS, under
    its memory limit); ``seen``: the ids of the objects met inside the message, made when
    the message's first is met (an object in itself is met twice, the message too)."""
    if depth > MAX_DEPTH:
        return -1
    if "type" in value and len(value) == 2 and value["type"] == "Buffer":
        return -1
    left -= len(value)
    keys = _KEYS
    for key, v in value.items():
        if key not in keys or type(key) is not str:
            if not _key(key):
                return -1
        t = type(v)  # the common cases here, the others in _value (a call less an item)
        if t is float:
            if v.is_integer() and not _integral(value, key, v, journal):
                return -1
        elif t is str:
            if v < "\x01" and v:  # "\0" first: maybe NaN or an infinity, marked (js_values.py)
                return -1
            left -= len(v)
        elif t is int:
            if not -9007199254740992 <= v <= 9007199254740992:  # (MAX_SAFE, a constant)
                return -1
        elif t is dict:
            if seen is None:
                seen = {id(v)}
            elif id(v) in seen:
                return -1
            else:
                seen.add(id(v))
            left = plain(v, journal, left, seen, depth + 1)
            if left < 0:
                return -1
        elif t is not bool and v is not None:
            if seen is None:
                seen = set()
            left = _value(value, key, v, journal, seen, depth, left)
            if left < 0:
                return -1
    return left


def undo(journal: list[tuple[Any, Any, Any]]) -> None:
    for target, key, old in reversed(journal):
        if old is ABSENT:
            del target[key]
        else:
            target[key] = old


_KEYS: set[str] = set()
"""Keys seen to be plain (a string that no JavaScript engine orders first): most messages
have the same few, and a set's lookup is faster than the test."""


def _key(key: Any) -> bool:
    if type(key) is str and not "0" <= key[:1] <= "9":
        if len(_KEYS) < 4096:
            _KEYS.add(key)
        return True
    return False


def _plain_list(value: list[Any], journal: list[Any], seen: set[int], depth: int,
                left: int) -> int:
    if depth > MAX_DEPTH:
        return -1
    left -= len(value)
    for index, v in enumerate(value):
        left = _value(value, index, v, journal, seen, depth, left)
        if left < 0:
            return -1
    return left


def _integral(parent: Any, key: Any, v: float, journal: list[Any]) -> bool:
    """An integral float made an int, as the QuickJS path's reply would give it (journaled);
    False for one it would not give back as it is (-0: the body would see -0, the reply 0)."""
    if -1e21 < v < 1e21:  # (from 1e21, JSON writes an exponent: the float stays)
        if v == 0 and str(v)[0] == "-" or not -MAX_SAFE <= v <= MAX_SAFE:
            return False
        journal.append((parent, key, v))
        parent[key] = int(v)
    return True


def _value(parent: Any, key: Any, v: Any, journal: list[Any], seen: set[int], depth: int,
           left: int) -> int:
    t = type(v)
    if t is str:
        if v[:1] == "\0":  # maybe NaN or an infinity, marked (js_values.py)
            return -1
        return left - len(v)
    if t is float:
        return left if not v.is_integer() or _integral(parent, key, v, journal) else -1
    if t is int:
        return left if -MAX_SAFE <= v <= MAX_SAFE else -1
    if t is dict or t is list:
        if id(v) in seen:  # in two places, or in itself: JSON would make two copies
            return -1
        seen.add(id(v))
        if t is dict:
            return plain(v, journal, left, seen, depth + 1)
        return _plain_list(v, journal, seen, depth + 1, left)
    return left if t is bool or v is None else -1
