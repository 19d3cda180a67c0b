"""Whether a value conforms to a node type's schema, without jsonschema: the quick answer
:mod:`.schema` asks before it asks jsonschema for the errors.

Most flows are valid, and for a valid flow the schema check's only cost was importing
jsonschema (with referencing and attrs, more than the check itself in `flowrt run`'s start-up).
:func:`conforms` evaluates the keywords flowrt's schemas use, as jsonschema's Draft 2020-12
validator with :mod:`.schema`'s ``${VAR}`` rule (a reference passes any schema) does. It may
only err one way: a value it calls conforming has no error in jsonschema. Any keyword it does
not know, a ``$ref`` outside the schema, or anything else in doubt is "does not conform", and
then jsonschema runs and reports the errors, worded as ever.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from flowrt.load.env import is_reference

ANNOTATIONS = frozenset({
    "title", "description", "default", "examples", "defaultSnippets", "deprecated", "readOnly",
    "writeOnly", "$comment", "$schema", "$defs", "definitions", "format", "markdownDescription",
    "contentMediaType", "contentEncoding", "contentSchema",
})
"""Keywords that constrain nothing (``format`` included: the checker's validator has no format
checker), and every ``x-`` keyword."""


class _Unknown(Exception):
    """A schema this module does not evaluate: jsonschema decides."""


def conforms(schema: Any, instance: Any) -> bool:
    """True only if jsonschema finds no error in ``instance`` against ``schema`` (a whole
    schema, its ``$ref``s pointing into itself); False when it may find one."""
    try:
        return _valid(instance, schema, schema)
    except (_Unknown, re.error, TypeError, KeyError, IndexError, ValueError):
        return False


def _valid(instance: Any, schema: Any, root: Any) -> bool:
    if schema is True:
        return True
    if schema is False:
        return False
    if not isinstance(schema, dict):
        return _unknown()
    if is_reference(instance):
        return True
    for keyword, value in schema.items():
        if keyword in ANNOTATIONS or keyword.startswith("x-"):
            continue
        check = _KEYWORDS.get(keyword)
        if check is None:
            _unknown()
        elif not check(instance, value, schema, root):
            return False
    return True


def _unknown() -> bool:
    raise _Unknown


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: not isinstance(v, bool) and (
        isinstance(v, int) or (isinstance(v, float) and v.is_integer())),
}


def _type(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    names = value if isinstance(value, list) else [value]
    return any(_TYPES[name](instance) for name in names)


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: true is not 1, and containers compare item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(map(_equal, one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(_equal(one[k], two[k]) for k in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


def _extras(instance: dict[Any, Any], schema: Any) -> list[Any]:
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    return [k for k in instance
            if k not in known and not any(re.search(p, k) for p in patterns)]


def _additional(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    if not isinstance(instance, dict):
        return True
    extras = _extras(instance, schema)
    if isinstance(value, dict):
        return all(_valid(instance[k], value, root) for k in extras)
    return bool(value) or not extras


def _items(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    if not isinstance(instance, list):
        return True
    rest = instance[len(schema.get("prefixItems", [])):]
    if value is False:
        return not rest
    return all(_valid(item, value, root) for item in rest)


def _ref(instance: Any, value: Any, schema: Any, root: Any) -> bool:
    if not isinstance(value, str) or not value.startswith("#"):
        return _unknown()
    target = root
    for step in unquote(value[1:]).split("/")[1:]:
        step = step.replace("~1", "/").replace("~0", "~")
        target = target[int(step)] if isinstance(target, list) else target[step]
    return _valid(instance, target, root)


def _of(kind: type, test: Any) -> Any:
    """A keyword that applies to instances of ``kind`` only (others pass it)."""
    return lambda instance, value, schema, root: (
        not isinstance(instance, kind) or test(instance, value, schema, root))


def _numeric(test: Any) -> Any:
    return lambda instance, value, schema, root: (
        not _is_number(instance) or test(instance, value))


_KEYWORDS: dict[str, Any] = {
    "type": _type,
    "enum": lambda i, v, s, r: any(_equal(i, each) for each in v),
    "const": lambda i, v, s, r: _equal(i, v),
    "$ref": _ref,
    "anyOf": lambda i, v, s, r: any(_valid(i, b, r) for b in v),
    "oneOf": lambda i, v, s, r: sum(_valid(i, b, r) for b in v) == 1,
    "allOf": lambda i, v, s, r: all(_valid(i, b, r) for b in v),
    "not": lambda i, v, s, r: not _valid(i, v, r),
    "minimum": _numeric(lambda i, v: i >= v),
    "maximum": _numeric(lambda i, v: i <= v),
    "exclusiveMinimum": _numeric(lambda i, v: i > v),
    "exclusiveMaximum": _numeric(lambda i, v: i < v),
    "pattern": _of(str, lambda i, v, s, r: re.search(v, i) is not None),
    "minLength": _of(str, lambda i, v, s, r: len(i) >= v),
    "maxLength": _of(str, lambda i, v, s, r: len(i) <= v),
    "minItems": _of(list, lambda i, v, s, r: len(i) >= v),
    "maxItems": _of(list, lambda i, v, s, r: len(i) <= v),
    "minProperties": _of(dict, lambda i, v, s, r: len(i) >= v),
    "maxProperties": _of(dict, lambda i, v, s, r: len(i) <= v),
    "required": _of(dict, lambda i, v, s, r: all(k in i for k in v)),
    "properties": _of(dict, lambda i, v, s, r: all(
        _valid(i[k], sub, r) for k, sub in v.items() if k in i)),
    "patternProperties": _of(dict, lambda i, v, s, r: all(
        _valid(value, sub, r) for p, sub in v.items() for k, value in i.items()
        if re.search(p, k))),
    "additionalProperties": _additional,
    "propertyNames": _of(dict, lambda i, v, s, r: all(_valid(k, v, r) for k in i)),
    "dependentRequired": _of(dict, lambda i, v, s, r: all(
        all(each in i for each in needed) for k, needed in v.items() if k in i)),
    "dependentSchemas": _of(dict, lambda i, v, s, r: all(
        _valid(i, sub, r) for k, sub in v.items() if k in i)),
    "prefixItems": _of(list, lambda i, v, s, r: all(
        _valid(item, sub, r) for item, sub in zip(i, v, strict=False))),
    "items": _items,
}
