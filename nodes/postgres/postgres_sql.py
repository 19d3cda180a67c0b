"""SQL text and values: table names, named parameters, and rows made JSON-like for messages.

Identifiers are always quoted by ``psycopg.sql`` and values always bound as parameters: no
name or value from a flow or a message is ever formatted into SQL text.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

_PYFORMAT = re.compile(r"%\((\w+)\)s")
_NAME_START = re.compile(r"[A-Za-z_]")
_NAME = re.compile(r"\w+")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_]\w*)?\$")


def table_parts(name: str) -> tuple[str, ...]:
    """``schema.table`` or ``table`` as its parts; raises ValueError for anything else."""
    parts = tuple(name.split("."))
    if not 1 <= len(parts) <= 2 or not all(p.strip() for p in parts):
        raise ValueError(
            f"{name!r} is not a table name: write `table` or `schema.table` (each part is used "
            "exactly as written, quoted, so write it in lower case as PostgreSQL stores "
            "unquoted names)"
        )
    return parts


def named_parameters(query: str) -> tuple[str, list[str]]:
    """The query in psycopg's ``%(name)s`` style, and the names of its parameters in order.

    A query already written with ``%(name)s`` is kept as it is (psycopg's rules apply: a
    literal ``%`` is written ``%%``). Otherwise ``:name`` parameters are found outside string
    literals, quoted identifiers, dollar quotes and comments (``::type`` casts are not
    parameters) and every ``%`` is escaped, as SQLAlchemy's ``text()`` does.
    """
    if _PYFORMAT.search(query):
        return query, list(dict.fromkeys(_PYFORMAT.findall(query)))
    out: list[str] = []
    names: list[str] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        end = _skip_quoted(query, i)
        if end > i:
            out.append(query[i:end].replace("%", "%%"))
            i = end
        elif c == ":" and query.startswith("::", i):
            out.append("::")
            i += 2
        elif c == ":" and i + 1 < n and _NAME_START.match(query, i + 1):
            found = _NAME.match(query, i + 1)
            assert found is not None
            names.append(found.group())
            out.append(f"%({found.group()})s")
            i = found.end()
        else:
            out.append("%%" if c == "%" else c)
            i += 1
    return "".join(out), list(dict.fromkeys(names))


def _skip_quoted(query: str, i: int) -> int:
    """The end of a literal, quoted identifier, dollar quote or comment starting at ``i``
    (``i`` itself when none starts there)."""
    c = query[i]
    if c in "'\"":
        escapes = c == "'" and i > 0 and query[i - 1] in "eE"
        j = i + 1
        while j < len(query):
            if escapes and query[j] == "\\":
                j += 2
                continue
            if query[j] == c:
                if query.startswith(c * 2, j):
                    j += 2
                    continue
                return j + 1
            j += 1
        return len(query)
    if query.startswith("--", i):
        end = query.find("\n", i)
        return len(query) if end < 0 else end
    if query.startswith("/*", i):
        depth, j = 0, i
        while j < len(query):
            if query.startswith("/*", j):
                depth, j = depth + 1, j + 2
            elif query.startswith("*/", j):
                depth, j = depth - 1, j + 2
                if depth == 0:
                    return j
            else:
                j += 1
        return len(query)
    if c == "$" and (i == 0 or not (query[i - 1].isalnum() or query[i - 1] == "_")):
        tag = _DOLLAR_TAG.match(query, i)
        if tag:
            end = query.find(tag.group(), tag.end())
            return len(query) if end < 0 else end + len(tag.group())
    return i


def json_like(value: Any) -> Any:
    """A value read from the database, as messages carry values: numbers, text, booleans,
    None, lists and dicts (and bytes). Decimals become int when whole, else float; dates and
    times ISO 8601 text; intervals seconds; UUIDs, network addresses and ranges their text."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool, bytes):
        return value
    if kind is dict:
        return {k: json_like(v) for k, v in value.items()}
    if kind in (list, tuple):
        return [json_like(v) for v in value]
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, UUID):
        return str(value)
    return str(value)
