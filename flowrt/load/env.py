"""``${NAME}`` and ``${NAME:-default}`` substitution.

- Names are looked up in the flow's ``env`` first, then the process environment.
- A value that is exactly one reference takes the type of what it resolves to: a flow variable
  keeps its YAML type (``THRESHOLD: 30`` stays a number); a process variable or a default is read
  as a YAML scalar, so ``"30"`` becomes 30, ``"true"`` becomes true.
- Inside a longer string a reference is replaced by its text.
- ``$${`` writes a literal ``${``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

REFERENCE = re.compile(r"\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
WHOLE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}$")

Lookup = Callable[[str], Any]
MISSING = object()


def references(value: Any) -> Iterator[tuple[str, str | None]]:
    """Every (name, default) referenced anywhere in a value (strings, lists, mappings)."""
    if isinstance(value, str):
        if "${" not in value:
            return
        for match in REFERENCE.finditer(value):
            if match.group(1):
                yield match.group(1), match.group(2)
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def scalar(text: str) -> Any:
    """Read text as a YAML 1.2 core scalar: int, float, bool, null or string."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "~", ""):
        return None if low else ""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def substitute(value: Any, lookup: Lookup, missing: list[str] | None = None) -> Any:
    """Replace references in a value; names with no value and no default go to ``missing``."""
    if isinstance(value, str):
        if "${" not in value:
            return value
        whole = WHOLE.match(value)
        if whole:
            found = lookup(whole.group(1))
            if found is not MISSING:
                return found
            if whole.group(2) is not None:
                return scalar(whole.group(2))
            if missing is not None:
                missing.append(whole.group(1))
            return value

        def replace(match: re.Match[str]) -> str:
            if not match.group(1):
                return "${"
            found = lookup(match.group(1))
            if found is not MISSING:
                return "" if found is None else str(found)
            if match.group(2) is not None:
                return match.group(2)
            if missing is not None:
                missing.append(match.group(1))
            return match.group(0)

        return REFERENCE.sub(replace, value)
    if isinstance(value, dict):
        return {k: substitute(v, lookup, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, lookup, missing) for v in value]
    return value


def make_lookup(flow_env: dict[str, Any], process_env: dict[str, str]) -> Lookup:
    def lookup(name: str) -> Any:
        if name in flow_env:
            return flow_env[name]
        if name in process_env:
            return scalar(process_env[name])
        return MISSING

    return lookup


def is_reference(value: Any) -> bool:
    """True for a string that is exactly one ``${...}`` reference."""
    return isinstance(value, str) and WHOLE.match(value) is not None
