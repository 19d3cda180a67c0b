"""Node-RED's typed inputs, property paths, durations and environment references, in flowrt terms.

A Node-RED typed input is a pair (value, type): ``("payload.x", "msg")``, ``("5", "num")``,
``("$now()", "jsonata")``. flowrt writes the same thing as a literal (``5``, ``hello``) or a
typed value (``{type: msg, value: payload.x}``); see flowrt/expressions/typed_value.py. The
conversions
follow Node-RED's own ``RED.util.evaluateNodeProperty``: ``str`` is the text of the value,
``bool`` is true only for "true" in any case, ``date`` with no format is epoch milliseconds.
What flowrt cannot express is returned as None with a note saying what differs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from flowrt.expressions.js_regex import translate
from flowrt.expressions.props import parse_path
from flowrt.load.env import NAME as _NAME
from flowrt.nodered.nrnode import as_number

Note = Callable[[str], None]
"""Where a conversion reports what differs from Node-RED (the node's caveats)."""

_WHOLE_ENV = re.compile(r"^\$\{(\S+)\}$|^\$\((\S+)\)$")
_STORE = re.compile(r"^#:\((\w+)\)::")


def env_reference(text: str) -> str | None:
    """The variable name when ``text`` is exactly ``${NAME}`` (or the old ``$(NAME)``)."""
    match = _WHOLE_ENV.match(text)
    if not match:
        return None
    return match.group(1) or match.group(2)


def escape_text(text: str, note: Note | None = None) -> str:
    """A Node-RED string as a flowrt string with the same meaning.

    Node-RED replaces a property's value by an environment variable only when the whole value
    is ``${NAME}``; flowrt also substitutes references inside longer text, so every other
    ``${`` is written ``$${`` (flowrt's escape for a literal ``${``).
    """
    name = env_reference(text)
    if name is not None:
        if _NAME.match(name):
            return "${" + name + "}"
        if note:
            note(f"`{text}`: flowrt variable names are letters, digits and `_`; kept as text")
    return text.replace("${", "$${")


def escape_all(value: Any, note: Note | None = None) -> Any:
    """:func:`escape_text` on every string inside ``value`` (keys are left as they are)."""
    if isinstance(value, str):
        return escape_text(value, note)
    if isinstance(value, list):
        return [escape_all(v, note) for v in value]
    if isinstance(value, dict):
        return {k: escape_all(v, note) for k, v in value.items()}
    return value


def escape_literal(value: Any) -> Any:
    """``value`` kept as it is by flowrt: every ``${`` in its strings (keys left as they are)
    is written ``$${``, even a whole ``${NAME}``, so nothing is substituted (for the Node-RED
    properties a stand-in node keeps; the export unescapes them)."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, list):
        return [escape_literal(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_literal(v) for k, v in value.items()}
    return value


def property_path(value: Any, note: Note, default: str = "payload") -> str:
    """A message property path from a Node-RED property field ("msg." prefixes removed)."""
    text = value.strip() if isinstance(value, str) else ""
    if text.startswith("msg."):
        text = text[4:]
    if not text:
        return default
    try:
        parse_path(text)
    except ValueError as exc:
        note(f"property `{text}` is not a path flowrt reads ({exc}); using `{default}`")
        return default
    return text


def context_key(value: Any, note: Note) -> str | None:
    """A flow/global context key, without Node-RED's ``#:(store)::`` prefix."""
    text = value.strip() if isinstance(value, str) else ""
    match = _STORE.match(text)
    if match:
        note(f"context store `{match.group(1)}` is not kept: flowrt has one store per scope")
        text = text[match.end() :]
    if not text:
        return None
    try:
        parse_path(text)
    except ValueError as exc:
        note(f"context key `{text}` is not a path flowrt reads ({exc})")
        return None
    return text


def typed_value(value: Any, vtype: Any, note: Note) -> tuple[bool, Any]:
    """(ok, flowrt value) for a Node-RED typed input; ok is False when it cannot be expressed."""
    kind = vtype if isinstance(vtype, str) and vtype else "str"
    convert = _CONVERTERS.get(kind)
    if convert is None:
        note(f"a value of type `{kind}` has no flowrt counterpart")
        return False, None
    return convert(value, note)


def _str(value: Any, note: Note) -> tuple[bool, Any]:
    if value is None:
        return True, ""
    if isinstance(value, bool):
        return True, "true" if value else "false"
    if isinstance(value, int | float):
        return True, str(value)
    if isinstance(value, str):
        return True, value
    return True, json.dumps(value)


def _num(value: Any, note: Note) -> tuple[bool, Any]:
    if isinstance(value, str) and env_reference(value.strip()):
        return True, value.strip()
    number = as_number(value)
    if number is None:
        if value in ("", None):
            return True, 0  # Number("") is 0 in JavaScript
        note(f"`{value}` is not a number (Node-RED would use NaN)")
        return False, None
    return True, number


def _bool(value: Any, note: Note) -> tuple[bool, Any]:
    if isinstance(value, bool):
        return True, value
    if isinstance(value, str) and env_reference(value.strip()):
        return True, value.strip()
    return True, isinstance(value, str) and value.strip().lower() == "true"


def _json(value: Any, note: Note) -> tuple[bool, Any]:
    if isinstance(value, str):
        try:
            parsed = json.loads(value) if value.strip() else None
        except json.JSONDecodeError as exc:
            note(f"invalid JSON `{value[:40]}`: {exc.msg}")
            return False, None
    else:
        parsed = value
    if isinstance(parsed, dict | list):
        return True, {"type": "json", "value": parsed}
    return True, parsed


def _bin(value: Any, note: Note) -> tuple[bool, Any]:
    data = value
    if isinstance(value, str):
        try:
            data = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            data = value
    if isinstance(data, str) or (
        isinstance(data, list) and all(isinstance(b, int) and 0 <= b <= 255 for b in data)
    ):
        return True, {"type": "bin", "value": data}
    note("a buffer value must be a string or a list of byte values")
    return False, None


def _date(value: Any, note: Note) -> tuple[bool, Any]:
    form = value if isinstance(value, str) else ""
    if form in ("", "ms"):
        return True, {"type": "date"}
    if form == "iso":
        return True, {"type": "date", "value": "iso"}
    if form == "object":
        note("a Date object becomes epoch milliseconds (messages carry JSON values)")
    else:
        note(f"date format `{form}` is not offered; the ISO 8601 text is used")
        return True, {"type": "date", "value": "iso"}
    return True, {"type": "date"}


def _context(kind: str) -> Callable[[Any, Note], tuple[bool, Any]]:
    def convert(value: Any, note: Note) -> tuple[bool, Any]:
        if kind == "msg":
            text = value.strip() if isinstance(value, str) else ""
            try:
                parse_path(text)
            except ValueError as exc:
                note(f"property `{text}` is not a path flowrt reads ({exc})")
                return False, None
            return True, {"type": "msg", "value": text}
        key = context_key(value, note)
        if key is None:
            return False, None
        return True, {"type": kind, "value": key}

    return convert


def _env(value: Any, note: Note) -> tuple[bool, Any]:
    text = value.strip() if isinstance(value, str) else ""
    name = env_reference(text)
    if name is not None:
        text = name
    if not text:
        note("an env value with no variable name")
        return False, None
    return True, {"type": "env", "value": text}


def _jsonata(value: Any, note: Note) -> tuple[bool, Any]:
    text = value if isinstance(value, str) else ""
    if not text.strip():
        note("an empty JSONata expression")
        return False, None
    return True, {"type": "jsonata", "value": text}


def _re(value: Any, note: Note) -> tuple[bool, Any]:
    text = value if isinstance(value, str) else ""
    if not text:
        note("an empty regular expression")
        return False, None
    syntax = js_regex(text, note)
    if syntax is None:
        return False, None
    return True, {"type": "re", "value": text, **syntax}


def js_regex(pattern: str, note: Note) -> dict[str, str] | None:
    """How flowrt reads the JavaScript ``pattern`` as Node-RED does: ``{}`` when Python's syntax
    means the same (the text is the same after translation), ``{"syntax": "javascript"}``
    otherwise; None (with a note) for a pattern JavaScript refuses."""
    try:
        same = translate(pattern) == pattern
    except ValueError as exc:
        note(f"regular expression `{pattern}` is not valid JavaScript: {exc}")
        return None
    return {} if same else {"syntax": "javascript"}


_CONVERTERS: dict[str, Callable[[Any, Note], tuple[bool, Any]]] = {
    "str": _str,
    "string": _str,  # older editors' name; Node-RED keeps the value of an unknown type as it is
    "num": _num,
    "bool": _bool,
    "json": _json,
    "bin": _bin,
    "date": _date,
    "msg": _context("msg"),
    "flow": _context("flow"),
    "global": _context("global"),
    "env": _env,
    "jsonata": _jsonata,
    "re": _re,
}

_UNITS = {
    "ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001, "msec": 0.001, "msecs": 0.001,
    "s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
    "h": 3600.0, "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0,
}


def seconds(value: Any, unit: Any, note: Note, default: float = 0.0) -> float:
    """A Node-RED (number, unit) duration in seconds."""
    number = as_number(value)
    if number is None:
        if value not in (None, ""):
            note(f"duration `{value}` is not a number; using {default} s")
        return default
    factor = _UNITS.get(str(unit).strip().lower(), None) if unit is not None else 1.0
    if factor is None:
        note(f"unknown time unit `{unit}`; read as seconds")
        factor = 1.0
    return _tidy(float(number) * factor)


def _tidy(number: float) -> float:
    rounded = round(number, 9)
    return int(rounded) if rounded.is_integer() else rounded


def unescape_separator(text: str) -> str:
    """Split and join separators as Node-RED's form writes them: ``\\n``, ``\\t``..."""
    for escaped, char in (("\\n", "\n"), ("\\r", "\r"), ("\\t", "\t"), ("\\f", "\f"),
                          ("\\e", "\x1b"), ("\\0", "\0")):
        text = text.replace(escaped, char)
    return text
