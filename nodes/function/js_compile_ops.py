"""JavaScript's operations on the values a compiled function body sees (:mod:`.js_compile`),
exact for the cases they handle and raising :data:`DEOPT` for every other.

Values are the message's own Python values, as QuickJS would see them after ``JSON.parse``: a
number is an ``int`` (never past 2**53 in magnitude: a result past it becomes the ``float``
JavaScript rounds it to, which one correctly rounded operation gives) or a ``float`` (NaN,
the infinities and -0 among them); strings, booleans, ``None`` for null, :data:`UNDEFINED`,
and ``dict``/``list`` for objects and arrays. What would make JavaScript look further than
these (a string's ``ToNumber``, an object's ``valueOf``, a string with a lone surrogate
joined to another) is not done here: :data:`DEOPT` is raised and the message goes to QuickJS.

:func:`stored` gives a value as the QuickJS path's reply would give it back (``JSON.stringify``
then Python's reading: an integral number below 2**53 as an ``int``, -0 as 0), or DEOPT where
that is not worth doing exactly (integral floats between 2**53 and 1e21, objects written
somewhere else, undefined).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from sys import getsizeof
from typing import Any

from flowrt.api import js_number

MAX_SAFE = 2 ** 53
MAX_TEXT = 1 << 20
"""The longest string a compiled body makes; a longer one goes to QuickJS (and its limits)."""
MAX_CHARACTERS = 4 * MAX_TEXT
"""The most a compiled run may make and compare in all, in bytes of the strings' storage
(``LEFT``, charged by ``sys.getsizeof``: 1 to 4 bytes a character): past it, the message goes
to QuickJS, where the node's time and memory limits apply. Without it a short
body (no loops) could still double a string 20 times and compare or join the result a thousand
times, seconds of the server's time and tens of MB, where QuickJS would stop it."""
LEFT = [MAX_CHARACTERS]
"""What the run in progress may still make and compare, set by each run (runs do not nest:
a compiled body calls nothing that could start another)."""
NAN = math.nan
INF = math.inf
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()


class Deopt(Exception):
    """This message leaves the compiled body for QuickJS."""


DEOPT = Deopt()


def number(v: Any) -> int | float:
    """ToNumber, for what needs no parsing or valueOf."""
    t = type(v)
    if t is int or t is float:
        return v  # type: ignore[no-any-return]
    if t is bool:
        return int(v)
    if v is None:
        return 0
    if v is UNDEFINED:
        return NAN
    raise DEOPT


def text(v: Any) -> str:
    """ToString, for primitives."""
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if t is int:
        return str(v)
    if t is float:
        if v.is_integer() and MAX_SAFE <= abs(v) < 1e21:  # V8 writes the shortest digits
            raise DEOPT
        return js_number(v)
    if t is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    if v is UNDEFINED:
        return "undefined"
    raise DEOPT


def truthy(v: Any) -> bool:
    t = type(v)
    if t is bool:
        return v  # type: ignore[no-any-return]
    if t is int or t is float:
        return v == v and v != 0  # type: ignore[no-any-return]
    if t is str:
        return v != ""  # type: ignore[no-any-return]
    return not (v is None or v is UNDEFINED)  # objects and arrays, even empty


def _int(r: int) -> int | float:
    return r if -MAX_SAFE <= r <= MAX_SAFE else float(r)


def _spend(a: str, b: str) -> None:
    LEFT[0] -= getsizeof(a) + getsizeof(b)
    if LEFT[0] < 0:
        raise DEOPT


def _concat(a: str, b: str) -> str:
    if len(a) + len(b) > MAX_TEXT:
        raise DEOPT
    _spend(a, b)
    if not (a.isascii() and b.isascii()) and (_SURROGATE.search(a) or _SURROGATE.search(b)):
        raise DEOPT  # JavaScript may join two halves of a pair into one character
    return a + b


def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return _int(a + b)
    if (ta is float or ta is int) and (tb is float or tb is int):
        return a + b
    if ta is str:
        return _concat(a, text(b))
    if tb is str:
        return _concat(text(a), b)
    if ta is dict or ta is list or tb is dict or tb is list:
        raise DEOPT
    return add(number(a), number(b))


def sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float and (tb is float or tb is int) or ta is int and tb is float:
        return a - b  # (the common case first: no conversion, no -0 to make)
    a, b = number(a), number(b)
    if type(a) is int and type(b) is int:
        return _int(a - b)
    return a - b


def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is float and (tb is float or tb is int) or ta is int and tb is float:
        return a * b
    a, b = number(a), number(b)
    if type(a) is int and type(b) is int:
        r = a * b
        if r == 0 and (a < 0 or b < 0):
            return -0.0
        return _int(r)
    return a * b


def div(a: Any, b: Any) -> Any:
    tb = type(b)
    if b and (tb is float or tb is int) and (type(a) is float or type(a) is int):
        return a / b
    a, b = number(a), number(b)
    if b == 0:
        if a != a or a == 0:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)
    return a / b


def mod(a: Any, b: Any) -> Any:
    a, b = number(a), number(b)
    if type(a) is int and type(b) is int and b != 0:
        r = abs(a) % abs(b)
        if a < 0:
            return -r if r else -0.0
        return r
    if a != a or b != b or a in (INF, -INF) or b == 0:
        return NAN
    if b in (INF, -INF) or a == 0:
        return a
    return math.fmod(a, b)


def neg(a: Any) -> Any:
    a = number(a)
    if type(a) is int:
        return -a if a else -0.0
    return -a


def _ordered(a: Any, b: Any) -> tuple[Any, Any] | None:
    """Operands of a relational comparison: two strings (as UTF-16 code units compare), two
    numbers, or None when one is NaN (every comparison is then false)."""
    ta, tb = type(a), type(b)
    if ta is str and tb is str:
        _spend(a, b)
        if a.isascii() and b.isascii():
            return a, b
        return a.encode("utf-16-be", "surrogatepass"), b.encode("utf-16-be", "surrogatepass")
    if ta is str or tb is str:
        raise DEOPT
    a, b = number(a), number(b)
    if a != a or b != b:
        return None
    return a, b


def lt(a: Any, b: Any) -> bool:
    pair = _ordered(a, b)
    return pair is not None and pair[0] < pair[1]


def le(a: Any, b: Any) -> bool:
    pair = _ordered(a, b)
    return pair is not None and pair[0] <= pair[1]


def gt(a: Any, b: Any) -> bool:
    pair = _ordered(a, b)
    return pair is not None and pair[0] > pair[1]


def ge(a: Any, b: Any) -> bool:
    pair = _ordered(a, b)
    return pair is not None and pair[0] >= pair[1]


def _kind(v: Any) -> int:
    t = type(v)
    if t is int or t is float:
        return 0
    if t is str:
        return 1
    if t is bool:
        return 2
    if v is None:
        return 3
    if v is UNDEFINED:
        return 4
    return 5  # an object


def strict_eq(a: Any, b: Any) -> bool:
    kind = _kind(a)
    if kind != _kind(b):
        return False
    if kind == 5:
        return a is b
    if type(a) is str:
        _spend(a, b)
    return a == b  # type: ignore[no-any-return]  # (NaN is unequal to itself, 0 == -0)


def loose_eq(a: Any, b: Any) -> bool:
    """``==`` where it needs no conversion: same kinds, or null and undefined."""
    ka, kb = _kind(a), _kind(b)
    if ka in (3, 4) or kb in (3, 4):  # null == x: x is null or undefined
        return ka in (3, 4) and kb in (3, 4)
    if ka != kb:
        raise DEOPT
    return strict_eq(a, b)


def typeof(v: Any) -> str:
    kind = _kind(v)
    return ("number", "string", "boolean", "object", "undefined", "object")[kind]


# Math ---------------------------------------------------------------------------------------


def _whole(x: Any) -> bool:
    """True when x is its own rounding: an int, or a float that is integral or not finite."""
    return type(x) is int or x.is_integer() or x != x or x in (INF, -INF)


def m_round(x: Any = UNDEFINED, *_: Any) -> Any:
    x = number(x)
    if _whole(x):
        return x
    r = math.floor(x)
    if x - r >= 0.5:  # (exact: |x| < 2**52 here); halves go up, as JavaScript rounds
        r += 1
    return -0.0 if r == 0 and x < 0 else r


def m_floor(x: Any = UNDEFINED, *_: Any) -> Any:
    x = number(x)
    return x if _whole(x) else math.floor(x)


def _toward_zero_keeps_sign(how: Callable[[float], int]) -> Callable[..., Any]:
    """Math.ceil or Math.trunc: ``how`` of x, where a negative x rounded to 0 gives -0."""

    def rounded(x: Any = UNDEFINED, *_: Any) -> Any:
        x = number(x)
        if _whole(x):
            return x
        r = how(x)
        return -0.0 if r == 0 and x < 0 else r

    return rounded


m_ceil = _toward_zero_keeps_sign(math.ceil)
m_trunc = _toward_zero_keeps_sign(math.trunc)


def m_abs(x: Any = UNDEFINED, *_: Any) -> Any:
    return abs(number(x))


def _negative_zero(x: Any) -> bool:
    return type(x) is float and x == 0 and math.copysign(1.0, x) < 0


def m_min(*args: Any) -> Any:
    values = [number(a) for a in args]  # every argument converted, in order
    best: Any = INF
    for x in values:
        if x != x:
            return NAN
        if x < best or (x == 0 and best == 0 and _negative_zero(x)):
            best = x
    return best


def m_max(*args: Any) -> Any:
    values = [number(a) for a in args]
    best: Any = -INF
    for x in values:
        if x != x:
            return NAN
        if x > best or (x == 0 and best == 0 and _negative_zero(best)):
            best = x
    return best


MATH_CALLS = {"round": m_round, "floor": m_floor, "ceil": m_ceil, "trunc": m_trunc,
              "abs": m_abs, "min": m_min, "max": m_max}
MATH_VALUES = {"PI": math.pi, "E": math.e}


# what the QuickJS path gives back -------------------------------------------------------------


def stored(v: Any) -> Any:
    """``v`` as it would come back in the message from the QuickJS path (see the module docs)
    and as the body may read it again; DEOPT for what a compiled body does not write."""
    t = type(v)
    if t is float:
        if v.is_integer():
            if v == 0 and math.copysign(1.0, v) < 0:
                raise DEOPT  # the reply would give 0, the body read -0
            if -MAX_SAFE <= v <= MAX_SAFE:
                return int(v)
            if abs(v) < 1e21:
                raise DEOPT
        return v
    if t is int or t is str or t is bool or v is None:
        return v
    raise DEOPT  # undefined, or an object or array that would then be in two places
