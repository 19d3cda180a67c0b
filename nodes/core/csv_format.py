"""CSV text as the csv node reads and writes it: RFC 4180, with Node-RED's lenience.

Reading accepts any one-character separator and quote, ends rows at ``\\r``, ``\\n`` or
``\\r\\n``, and keeps a stray quote inside an unquoted cell as text instead of failing. An empty
cell is ``None`` (a missing value) unless it was quoted (``""``: an empty string), which is how
Node-RED tells them apart. Writing quotes a cell only when it holds the separator, the quote or a
line break, and doubles quotes inside it; ``None`` (JSON's null) is written ``null``.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .js_coercion import to_number, to_str

Cell = str | None
_NOT_A_NUMBER = re.compile(r"^ *(\+|-0\d|0\d)")


def read_rows(text: str, separator: str = ",", quote: str = '"') -> list[list[Cell]]:
    """Split CSV text into rows of cells; empty lines give no row."""
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    cell: list[str] = []
    fresh = True  # no character of the current cell seen yet
    in_quotes = closed = False
    i, n = 0, len(text)

    def end_cell() -> None:
        value = "".join(cell)
        row.append(value if value or not fresh else None)
        cell.clear()

    while i < n:
        c = text[i]
        if in_quotes:
            if c == quote and i + 1 < n and text[i + 1] == quote:
                cell.append(quote)
                i += 2
            elif c == quote:
                in_quotes, closed = False, True
                i += 1
            else:
                cell.append(c)
                i += 1
            fresh = False
        elif c == separator:
            end_cell()
            fresh, closed = True, False
            i += 1
        elif c == quote:
            i += 1
            if fresh:
                in_quotes, fresh = True, False
            elif i < n and text[i] not in ("\n", "\r", separator):
                cell.append(c)  # a stray quote in an unquoted cell is text
                if text[i] == quote:
                    i += 1
        elif c in "\r\n":
            if cell or not fresh or row:
                end_cell()
                rows.append(row)
                row = []
            i += 2 if c == "\r" and i + 1 < n and text[i + 1] == "\n" else 1
            fresh, closed = True, False
        else:
            if closed:  # text after a closing quote: keep that quote as text
                cell.append(quote)
                closed = False
            cell.append(c)
            fresh = False
            i += 1
    if cell or not fresh or row:
        end_cell()
        rows.append(row)
    return rows


def number_or_text(value: str) -> Any:
    """A cell's number when it reads as one (not ``+1`` or ``01``), else the text itself."""
    if not value or _NOT_A_NUMBER.match(value):
        return value
    number = to_number(value)
    if math.isnan(number) or math.isinf(number) and "Infinity" not in value:
        return value
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def write_cell(value: Any, separator: str, quote: str) -> str:
    """One value as a CSV cell: quoted only when it must be."""
    if value is None:
        text = "null"  # as Node-RED: a missing value is written as an empty field by the caller
    elif isinstance(value, dict | list):
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    else:
        text = to_str(value)
    if quote in text:
        return quote + text.replace(quote, quote + quote) + quote
    if separator in text or "\n" in text or "\r" in text:
        return quote + text + quote
    return text


def write_row(values: list[Any], separator: str, quote: str) -> str:
    return separator.join(write_cell(v, separator, quote) for v in values)


def columns_text(names: list[str]) -> str:
    """Column names as ``msg.columns`` holds them: comma-separated, quoted when needed."""
    return ",".join(write_cell(name, ",", '"') for name in names if name)


def parse_columns(text: str) -> list[str]:
    """``msg.columns`` (or any comma-separated header line) as a list of names."""
    rows = read_rows(text)
    return [(c or "").strip() for c in rows[0]] if rows else []
