"""Message ids, copies and JSON text.

Fan-out gives every branch but one its own copy (Node-RED's rule). Messages are JSON-like, so
:func:`clone` copies dicts and lists itself, which is several times faster than
``copy.deepcopy``; anything else (a datetime, a custom object) goes through ``copy.deepcopy``.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import os
from typing import TYPE_CHECKING, Any, TypeVar

T = TypeVar("T")

_PREFIX = os.urandom(4).hex()
_COUNTER = itertools.count(1)
_IMMUTABLE = frozenset((str, int, float, bool, type(None), bytes))


def new_msgid() -> str:
    """A 16-hex-digit id, unique in this process and very likely across processes."""
    return f"{_PREFIX}{next(_COUNTER) & 0xFFFFFFFF:08x}"


def _clone(value: Any) -> Any:
    """A deep copy of a JSON-like value."""
    kind = type(value)
    if kind is dict:
        # a shallow copy, then each mutable value copied in place: about twice as fast as a
        # comprehension over every item for a message of a few plain values
        out = value.copy()
        for k, v in out.items():
            if type(v) not in _IMMUTABLE:
                out[k] = _clone(v)  # an existing key: the dict's size does not change
        return out
    if kind is list:
        return [v if type(v) in _IMMUTABLE else _clone(v) for v in value]
    if kind in _IMMUTABLE:
        return value
    if kind is bytearray:
        return bytearray(value)
    if kind is tuple:
        return tuple(_clone(v) for v in value)
    return copy.deepcopy(value)


def js_dumps(value: Any, **options: Any) -> str:
    """``json.dumps(value, **options)`` as ``JSON.stringify`` writes numbers: NaN and the
    infinities (which a message may carry between nodes, as in Node-RED) as ``null``, never
    as the bare tokens JSON does not allow. Sinks and the debug view write messages with it."""
    try:
        return json.dumps(value, allow_nan=False, **options)
    except ValueError:
        return json.dumps(_finite(value), allow_nan=False, **options)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


if TYPE_CHECKING:

    def clone(value: T) -> T:
        """A deep copy of a JSON-like value."""

else:
    clone = _clone  # the copy itself, with no call in between (a message path makes many)
