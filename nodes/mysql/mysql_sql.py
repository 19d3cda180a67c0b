"""A statement and its values, as node-red-node-mysql binds them, for PyMySQL to send.

Node-RED's rules: values in a list fill the ``?`` placeholders in order (``??`` takes an
identifier); values in an object fill the ``:name`` placeholders whose name is a key of it
(others stay as written); any other payload binds nothing. Placeholders are found outside
string literals, quoted identifiers and comments, as mysql2 finds them.

A value is never written into the SQL text by flowrt: each placeholder becomes PyMySQL's
``%s`` and the value goes to the driver, which quotes it for the connection's character set
and SQL mode (MySQL's text protocol has no other way to send a value with a statement; this is
what mysql2 does for Node-RED too). As in Node-RED, a list value is a list of values
(``IN (?)``), a list of lists a list of rows (``VALUES ?``), an object a list of assignments
(``SET ?``: each key a quoted identifier, each value a value). Identifiers (``??`` and an
object's keys) are quoted in backticks, a backtick in them doubled.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLACEHOLDERS = re.compile(r"\?+|:(\w+)")


def split_sql(sql: str) -> list[tuple[bool, str]]:
    """The statement as pieces: (True, code) or (False, a literal, quoted identifier or
    comment)."""
    pieces: list[tuple[bool, str]] = []
    start = i = 0
    n = len(sql)
    while i < n:
        end = _skip_quoted(sql, i)
        if end > i:
            if start < i:
                pieces.append((True, sql[start:i]))
            pieces.append((False, sql[i:end]))
            start = i = end
        else:
            i += 1
    if start < n:
        pieces.append((True, sql[start:]))
    return pieces


def _skip_quoted(sql: str, i: int) -> int:
    """The end of a literal, quoted identifier or comment starting at ``i`` (``i`` when none
    does)."""
    c = sql[i]
    if c in "'\"`":
        j = i + 1
        while j < len(sql):
            if sql[j] == "\\" and c != "`":
                j += 2
                continue
            if sql[j] == c:
                if sql.startswith(c * 2, j):
                    j += 2
                    continue
                return j + 1
            j += 1
        return len(sql)
    if c == "#" or (sql.startswith("--", i) and (i + 2 == len(sql) or sql[i + 2] in " \t\r\n")):
        end = sql.find("\n", i)
        return len(sql) if end < 0 else end
    if sql.startswith("/*", i):
        end = sql.find("*/", i + 2)
        return len(sql) if end < 0 else end + 2
    return i


def quote_identifier(name: Any) -> str:
    """``name`` as a quoted identifier (``a.b`` -> `` `a`.`b` ``), as mysql2's escapeId."""
    if not isinstance(name, str):
        raise ValueError(f"an identifier (`??`) must be text, got {type(name).__name__}")
    return ".".join("`" + part.replace("`", "``") + "`" for part in name.split("."))


def _expand(value: Any, args: list[Any], nested: bool = False) -> str:
    """The placeholders for one value, its parts appended to ``args``."""
    if isinstance(value, list | tuple):
        if nested:
            return "(" + ", ".join(_expand(v, args, False) for v in value) + ")"
        return ", ".join(_expand(v, args, True) for v in value)
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            args.append(json.dumps(item) if isinstance(item, dict | list) else item)
            pairs.append(f"{quote_identifier(str(key))} = %s")
        return ", ".join(pairs)
    args.append(value)
    return "%s"


def bind(sql: str, values: Any) -> tuple[str, tuple[Any, ...] | None]:
    """The statement in PyMySQL's ``%s`` style and its values (None when nothing is bound,
    and the statement is then sent as it is)."""
    positional = isinstance(values, list)
    if not positional and not isinstance(values, dict):
        return sql, None
    args: list[Any] = []
    left = list(values) if positional else []
    bound = False

    def place(found: re.Match[str]) -> str:
        nonlocal bound
        text = found.group()
        if positional and text.startswith("?") and len(text) <= 2 and left:
            bound = True
            value = left.pop(0)
            if len(text) == 2:
                items = value if isinstance(value, list) else [value]
                return ", ".join(quote_identifier(v) for v in items)
            return _expand(value, args)
        name = found.group(1)
        if not positional and name is not None and name in values:
            bound = True
            return _expand(values[name], args)
        return text.replace("%", "%%")

    out = []
    for code, piece in split_sql(sql):
        if code:
            parts = []
            last = 0
            for found in _PLACEHOLDERS.finditer(piece):
                parts.append(piece[last:found.start()].replace("%", "%%"))
                parts.append(place(found))
                last = found.end()
            parts.append(piece[last:].replace("%", "%%"))
            out.append("".join(parts))
        else:
            out.append(piece.replace("%", "%%"))
    if not bound:
        return sql, None
    return "".join(out), tuple(args)
