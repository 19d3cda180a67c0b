"""The size limits of templates: what a Jinja or mustache template may make, checked before it
is made.

A check runs before the operation that could allocate too much (``'a' * 10**9`` is refused
without building a gigabyte), so memory stays bounded and the time limit only has loops to
stop. Every refusal is a :class:`TemplateLimit` naming the operation and the limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

TEXT_LIMIT = 10_000_000
"""The most characters a template may print, and the most characters or items of a text or
list it may make on the way."""

COUNT_LIMIT = 100_000
"""The most items of a ``range()``, a ``batch`` or ``slice`` filter, and words of ``lipsum``."""

INT_BITS = 100_000
"""The largest integer a template may compute, in bits (about 30,000 digits)."""

INDENT_LIMIT = 100
"""The widest indent of the ``tojson`` filter."""

_SEQUENCES = (str, bytes, bytearray, list, tuple)
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d+)?[,_]?(?:\.(\d+))?")


class TemplateLimit(Exception):
    """A template tried to make more than a limit allows."""


def check_size(size: int, what: str, limit: int = TEXT_LIMIT) -> None:
    if size > limit:
        raise TemplateLimit(
            f"{what} would make {size:,} characters or items, more than the limit of "
            f"{limit:,} for a template"
        )


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``*``, ``**``, ``+`` and ``%`` whose result would pass a limit."""
    if operator == "*":
        if isinstance(left, _SEQUENCES) and _int(right):
            check_size(len(left) * right, "repeating with *")
        elif _int(left) and isinstance(right, _SEQUENCES):
            check_size(left * len(right), "repeating with *")
        elif _int(left) and _int(right):
            _check_bits(left.bit_length() + right.bit_length(), "*")
    elif operator == "**":
        if _int(left) and _int(right) and right > 0 and abs(left) > 1:
            _check_bits(left.bit_length() * right, "**")
    elif operator == "+":
        if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
            check_size(len(left) + len(right), "joining with +")
    elif operator == "%" and isinstance(left, str):
        check_percent(left)


def _check_bits(bits: int, operator: str) -> None:
    if bits > INT_BITS:
        raise TemplateLimit(
            f"{operator} would make a number of about {bits:,} bits, more than the limit of "
            f"{INT_BITS:,} bits for a template"
        )


def check_percent(text: str) -> None:
    """Refuse a %-format whose widths or precisions pass TEXT_LIMIT, or come from ``*``."""
    for width, precision in _PERCENT.findall(text):
        for number in (width, precision):
            if number == "*":
                raise TemplateLimit("a * width in a %-format is not available in templates "
                                    "(its size cannot be checked): write the width itself")
            if number:
                check_size(int(number), "a width in a %-format")


def check_format_spec(spec: str) -> None:
    """Refuse a ``format()`` field whose width or precision passes TEXT_LIMIT."""
    found = _SPEC.match(spec)
    for number in found.groups() if found else ():
        if number:
            check_size(int(number), "a width in a format")


_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})


def check_call(function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a call of a text method whose result would pass TEXT_LIMIT. Returns the
    arguments to call with (an iterable given to ``join`` is read once, here)."""
    owner = getattr(function, "__self__", None)
    if not isinstance(owner, str | bytes | bytearray):
        return args
    name = getattr(function, "__name__", "")
    if name in _WIDTH_METHODS:
        width = args[0] if args else kwargs.get("width", 0)
        if _int(width):
            check_size(width, f"str.{name}()")
    elif name == "join" and args:
        items = list(args[0])
        size = sum(len(x) for x in items if isinstance(x, _SEQUENCES))
        check_size(size + len(owner) * max(len(items) - 1, 0), "str.join()")
        return (items, *args[1:])
    elif name == "replace" and len(args) >= 2:
        check_size(_replaced_size(owner, args[0], args[1], args[2] if len(args) > 2 else -1),
                   "str.replace()")
    return args


def _replaced_size(text: Any, old: Any, new: Any, count: Any) -> int:
    if not isinstance(old, _SEQUENCES) or not isinstance(new, _SEQUENCES):
        return len(text)
    times = len(text) + 1 if not old else text.count(old)
    if _int(count) and count >= 0:
        times = min(times, count)
    return int(len(text) + times * max(len(new) - len(old), 0))


def _first(args: tuple[Any, ...], kwargs: dict[str, Any], name: str, default: Any) -> Any:
    return args[0] if args else kwargs.get(name, default)


def _pre_checks() -> dict[str, Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]]:
    """Filter name -> a check of (value, args, kwargs) before the filter runs; it returns the
    value to filter (an iterable is read once, by the check)."""

    def center(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        width = _first(args, kwargs, "width", 80)
        if _int(width):
            check_size(width, "the center filter")
        return value

    def indent(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        width = _first(args, kwargs, "width", 4)
        size = width if _int(width) else len(str(width))
        lines = str(value).count("\n") + 1
        check_size(len(str(value)) + size * lines, "the indent filter")
        return value

    def format_(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        check_percent(str(value))
        return value

    def join(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        items = list(value)
        glue = len(str(_first(args, kwargs, "d", "")))
        size = sum(len(x) if isinstance(x, _SEQUENCES) else 20 for x in items)
        check_size(size + glue * max(len(items) - 1, 0), "the join filter")
        return items

    def replace(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if len(args) >= 2:
            count = args[2] if len(args) > 2 else kwargs.get("count", -1)
            check_size(_replaced_size(str(value), str(args[0]), str(args[1]), count),
                       "the replace filter")
        return value

    def counted(name: str, key: str) -> Callable[[Any, tuple[Any, ...], dict[str, Any]], Any]:
        def check(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            number = _first(args, kwargs, key, 1)
            if _int(number):
                check_size(number, f"the {name} filter", COUNT_LIMIT)
            return value

        return check

    def wordwrap(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        wrap = args[2] if len(args) > 2 else kwargs.get("wrapstring")
        if isinstance(wrap, str):
            check_size(len(str(value)) * (len(wrap) + 1), "the wordwrap filter")
        return value

    def tojson(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        width = _first(args, kwargs, "indent", None)
        if _int(width):
            check_size(width, "the indent of tojson", INDENT_LIMIT)
        return value

    def sum_(value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        items = list(value)
        size = sum(len(x) for x in items if isinstance(x, _SEQUENCES))
        check_size(size, "the sum filter")
        return items

    return {
        "center": center, "indent": indent, "format": format_, "join": join,
        "replace": replace, "batch": counted("batch", "linecount"),
        "slice": counted("slice", "slices"), "wordwrap": wordwrap, "tojson": tojson,
        "sum": sum_,
    }


def bounded_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Jinja's filters, each checked before it runs where it can grow its input, and each
    result checked against TEXT_LIMIT."""
    checks = _pre_checks()
    return {name: _bounded(name, f, checks.get(name)) for name, f in filters.items()}


def _bounded(
    name: str, function: Callable[..., Any],
    check: Callable[[Any, tuple[Any, ...], dict[str, Any]], Any] | None,
) -> Callable[..., Any]:
    def bounded(*args: Any, **kwargs: Any) -> Any:
        head, value_at = _value_index(function, args)
        if check is not None and len(args) > value_at:
            value = check(args[value_at], args[value_at + 1 :], kwargs)
            args = (*head, value, *args[value_at + 1 :])
        result = function(*args, **kwargs)
        if isinstance(result, _SEQUENCES):
            check_size(len(result), f"the {name} filter")
        return result

    for attr in ("jinja_pass_arg", "__name__", "__doc__"):
        if hasattr(function, attr):
            setattr(bounded, attr, getattr(function, attr))
    return bounded


def _value_index(
    function: Callable[..., Any], args: tuple[Any, ...]
) -> tuple[tuple[Any, ...], int]:
    """Where the filtered value is among the arguments: after the environment, context or
    eval context that Jinja passes first to some filters."""
    passed = getattr(function, "jinja_pass_arg", None)
    at = 1 if passed is not None else 0
    return args[:at], at
