"""The conversions of node-red-contrib-prib-functions' transform node that flowrt's convert
node runs, by the contrib's name (``<Source>To<Target>``), each as written there.

Kept as there: JSON to HTML writes ``<table>`` where ``</table>`` belongs and fails on an
object inside (it calls itself wrongly); JSON to CSV writes falsy fields as empty and joins an
array of plain values with the two characters ``/n``; CSV cells that read as a non-zero number
become numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flowrt.api import MISSING, js_string

from .convert_binary import ACTIONS as BINARY
from .convert_text import (
    WHITESPACE,
    char_at,
    char_code_at,
    code_point_at,
    escape,
    number_value,
    parse_float,
    parse_int,
    split,
    stringify,
    to_number,
)


@dataclass(frozen=True, slots=True)
class Options:
    """The node's settings a conversion reads."""

    delimiter: str = ","
    index: Any = 0
    radix: Any = 10
    min_string: str | None = None
    max_string: str | None = None
    skip_leading: int = 0
    skip_trailing: int = 0


class ConvertError(Exception):
    """A conversion failed; the message is the reason, as JavaScript words it."""


_CSV = re.compile(r',(?=(?:(?:[^"]*"){2})*[^"]*$)')


def _unquote(cell: str) -> Any:
    text = cell.strip(WHITESPACE)
    if len(text) > 1 and text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    number = to_number(text)
    return number_value(number) if number and number == number else text


def _lines(data: Any, o: Options) -> list[str]:
    if not isinstance(data, str):
        raise ConvertError("data.split is not a function")
    lines = re.split(r"[\r\n]+", data)
    lines = lines[o.skip_leading:]
    return lines[:len(lines) - o.skip_trailing] if o.skip_trailing else lines


def _tags(items: Any, tag: str, inner: Callable[[Any], str]) -> str:
    if not isinstance(items, list):
        raise ConvertError("a.reduce is not a function")
    return "".join(f"<{tag}>{inner(c)}</{tag}>" for c in items)


def _cdata(value: Any) -> str:
    return f"<![CDATA[{js_string(value)}]]>"


def array_to_html(data: Any, o: Options) -> str:
    def cell(c: Any) -> str:
        if isinstance(c, list):
            raise ConvertError("callback is not a function")
        return _cdata(c)

    return "<table>" + _tags(data, "tr", lambda c: _tags(c, "td", cell) if isinstance(
        c, list) else _cdata(c)) + "</table>"


def array_to_csv(data: Any, o: Options) -> str:
    if not isinstance(data, list):
        raise ConvertError("data.map is not a function")
    return "\n".join(stringify(c) or "" for c in data)


def json_to_csv(data: Any, o: Options) -> Any:
    if not isinstance(data, list):
        return stringify(data)
    if not data:
        return MISSING
    delimiter = o.delimiter
    if isinstance(data[0], list):
        return "\n".join(delimiter.join(stringify(c) or "" for c in r) if isinstance(r, list)
                         else stringify(r) or "" for r in data)
    if isinstance(data[0], dict):
        names: list[str] = []
        for r in data:
            if isinstance(r, dict):
                names += [p for p in r if p not in names]
        names.sort()

        def row(r: Any) -> str:
            if isinstance(r, dict):
                return delimiter.join(js_string(r.get(c) or "") for c in names)
            return delimiter * len(names) + (stringify(r) or "")

        return delimiter.join(names) + "\n" + "\n".join(row(r) for r in data)
    return "/n".join(stringify(r) or "" for r in data)


def json_to_array(data: Any, o: Options | None = None) -> Any:
    if isinstance(data, dict):
        return [[k, json_to_array(v)] for k, v in data.items()]
    if isinstance(data, list):
        return [[str(i), json_to_array(v)] for i, v in enumerate(data)]
    return [data]


def json_to_html(data: Any, o: Options | None = None) -> str:
    if isinstance(data, list):
        if not data:
            return ""
        return "<table><tr>" + "</tr><tr>".join(json_to_html(r) for r in data) + "</tr><table>"
    if isinstance(data, dict):
        if data:
            raise ConvertError("callback is not a function")
        return "<table><tr></tr><table>"
    return escape("undefined" if data is MISSING else data)


def csv_to_array(data: Any, o: Options) -> list[list[Any]]:
    return [[_unquote(c) for c in _CSV.split(line)] for line in _lines(data, o)]


def csv_to_html(data: Any, o: Options) -> str:
    return "<table>" + "".join(
        "<tr>" + "".join(f"<td>{_cdata(_unquote(c))}</td>" for c in _CSV.split(line)) + "</tr>"
        for line in _lines(data, o)) + "</table>"


def csv_with_header_to_json(data: Any, o: Options) -> list[dict[str, Any]]:
    lines = _lines(data, o)
    header = _CSV.split(lines.pop(0)) if lines else []
    rows = []
    for line in lines:
        row: dict[str, Any] = {}
        for i, cell in enumerate(_CSV.split(line)):
            row[header[i] if i < len(header) else "undefined"] = _unquote(cell)
        rows.append(row)
    return rows


def _capitalize(text: str) -> str:
    return char_at(text, 0).upper() + text[1:] if text else ""


def _title(text: str) -> str:
    return re.sub(r"\w\S*", lambda m: _capitalize(m.group(0)), text, flags=re.ASCII)


def _on_case(text: str, o: Options) -> str:
    sep = o.delimiter
    cased = re.sub(r"[A-Z]", lambda m: (sep if m.start() else "") + m.group(0).lower(), text)
    return re.sub(r"([-_ ]){1,}", lambda m: sep, cased)


def _range(text: str, o: Options) -> str | None:
    if o.min_string is not None and text < o.min_string:
        return o.min_string
    if o.max_string is not None and text > o.max_string:
        return o.max_string
    return text


def _drop_prefix(text: str, o: Options) -> Any:
    if text[:1] != "[":
        return text
    parts = text.split("] ")
    return parts[1] if len(parts) > 1 else MISSING


STRING: dict[str, Callable[[str, Options], Any]] = {
    "UpperCase": lambda s, o: s.upper(), "LowerCase": lambda s, o: s.lower(),
    "Trim": lambda s, o: s.strip(WHITESPACE), "TrimStart": lambda s, o: s.lstrip(WHITESPACE),
    "TrimEnd": lambda s, o: s.rstrip(WHITESPACE),
    "Capitalize": lambda s, o: _capitalize(s), "Title": lambda s, o: _title(s),
    "Camelize": lambda s, o: re.sub(r"[^a-zA-Z0-9]+(.)", lambda m: m.group(1).upper(),
                                    s.lower(), flags=re.S),
    "DelimiterOnCase": _on_case, "Deunderscore": lambda s, o: s.replace("_", " "),
    "DeunderscoreCapitilize": lambda s, o: _title(s.replace("_", " ")),
    "DropSquareBracketPrefix": _drop_prefix,
    "CharAt": lambda s, o: char_at(s, o.index),
    "CharCodeAt": lambda s, o: number_value(char_code_at(s, o.index)),
    "CodePointAt": lambda s, o: code_point_at(s, o.index),
    "Number": lambda s, o: number_value(to_number(s)),
    "Float": lambda s, o: number_value(parse_float(s)),
    "Real": lambda s, o: number_value(parse_float(s)),
    "Integer": lambda s, o: number_value(parse_int(s, o.radix)),
    "ArrayByDelimiter": lambda s, o: [e.strip(WHITESPACE) for e in s.split(o.delimiter)
                                      if e.strip(WHITESPACE)],
    "RangeLimit": _range,
}
"""String conversions that read only the text and the options."""

WITH_TEXT: dict[str, Callable[[str, str], Any]] = {
    "Append": lambda s, t: s + t, "Concat": lambda s, t: s + t, "Prepend": lambda s, t: t + s,
    "StartsWith": lambda s, t: s.startswith(t), "EndsWith": lambda s, t: s.endswith(t),
    "Split": split,
}
"""String conversions with a second text (the node's `text`)."""

OTHERS: dict[str, Callable[[Any, Options], Any]] = {
    "JSONToJSON": lambda d, o: d, "JSONToString": lambda d, o: stringify(d) or MISSING,
    "JSONToArray": json_to_array, "JSONToHTML": json_to_html, "JSONToCSV": json_to_csv,
    "ArrayToHTML": array_to_html, "ArrayToCSV": array_to_csv,
    "CSVToArray": csv_to_array, "CSVToHTML": csv_to_html,
    "CSVWithHeaderToJSON": csv_with_header_to_json,
}

ACTIONS = sorted([*OTHERS, *(f"StringTo{a}" for a in [*STRING, *WITH_TEXT]), "StringToJSON",
                  *BINARY])
"""Every conversion the convert node runs."""
