"""The regular expressions of a JSON Schema (``pattern``, ``patternProperties``), matched with a
time bound.

jsonschema matches them with Python's ``re``, which backtracks without limit: a schema and a
message written by the same flow author could stop the event loop (``"pattern": "(a|aa)+$"``
against sixty a's and a b). :func:`bounded_validator` extends a validator class so that
``pattern``, ``patternProperties`` and ``additionalProperties`` match through
:func:`flowrt.api.compile_regex` (JSON Schema patterns are ECMA-262 regular expressions, which
the ``regex`` package reads): a runaway pattern fails the message with an error naming it.

``unevaluatedProperties`` matches ``patternProperties`` inside jsonschema itself, where no bound
can be put: :func:`refuse_unbounded` refuses a schema that uses the two together (the checker
reports it when the flow is loaded, or when the schema file is read).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from flowrt.api import BoundedRegex, compile_regex

_TOGETHER = frozenset({"unevaluatedProperties", "patternProperties"})


@lru_cache(maxsize=512)
def _regex(pattern: str) -> BoundedRegex:
    return compile_regex(pattern)


def _search(pattern: str, text: str) -> bool:
    try:
        regex = _regex(pattern)
    except ValueError:
        return False  # the schema was checked: a pattern `regex` cannot read matches nothing
    return regex.search(text) is not None


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [key for key in instance if key not in properties
              and not any(_search(p, key) for p in patterns)]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and extras:
        shown = ", ".join(repr(key) for key in sorted(extras, key=str))
        if patterns:
            verb = "does" if len(extras) == 1 else "do"
            listed = ", ".join(repr(p) for p in sorted(patterns))
            yield ValidationError(f"{shown} {verb} not match any of the regexes: {listed}")
        else:
            verb = "was" if len(extras) == 1 else "were"
            yield ValidationError(f"Additional properties are not allowed ({shown} {verb} "
                                  "unexpected)")


def bounded_validator(cls: type[Any]) -> type[Any]:
    """``cls`` with its pattern keywords matched with a time bound."""
    from jsonschema.validators import extend

    keywords = {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
    }
    own = {k: v for k, v in keywords.items() if k in cls.VALIDATORS}
    return extend(cls, own)  # type: ignore[no-any-return]


def keywords_in(schema: Any) -> set[str]:
    """Every mapping key in a schema document (keywords, and property names alike)."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(k for k in item if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def refuse_unbounded(keywords: set[str]) -> None:
    """ValueError when a schema (its documents' keys together) uses ``unevaluatedProperties``
    with ``patternProperties``."""
    if _TOGETHER <= keywords:
        raise ValueError(
            "unevaluatedProperties together with patternProperties is not supported: "
            "jsonschema matches those patterns where no time limit can be put; name the "
            "properties in `properties`, or use additionalProperties"
        )
