"""Text parameters: a value made from message properties as mustache.js writes them.

node-red-contrib-postgresql renders its query with mustache.js (``Mustache.render(query,
{msg})``) before sending it, so message text becomes SQL text. ``flowrt import nodered`` turns
each string literal or value that holds tags into a parameter made here from the SQL it stood
for, exactly as mustache.js would have written it, and sent apart from the statement, so it
can only ever be a value: a quoted literal (``'%{{msg.q}}%'``) gives its text as PostgreSQL
reads it once rendered (``''`` is ``'``, in the template and in a value alike; a lone ``'`` of a
value, which in Node-RED ends the literal and lets the rest run as SQL, stays data), anything
else (``{{msg.id}}``) a number when its text is one, as PostgreSQL reads
``42`` or ``1.5`` in a statement, else its text. A template holds plain text and three tags
naming message properties (``msg.`` and a dotted path): ``{{msg.path}}`` (HTML-escaped as
mustache.js escapes), ``{{{msg.path}}}`` and ``{{& msg.path}}`` (as they are). Nothing else is
evaluated: no sections, partials or other names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flowrt.api import MISSING, js_string

ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "/": "&#x2F;",
     "`": "&#x60;", "=": "&#x3D;"}
)
"""mustache.js's escapeHtml."""
TAG = re.compile(r"\{\{\{\s*([^{}]*?)\s*\}\}\}|\{\{\s*(&?)\s*([^{}]*?)\s*\}\}")
"""``{{{name}}}`` (group 1), or ``{{name}}`` / ``{{& name}}`` (groups 2 and 3)."""
NAME = re.compile(r"msg(?:\.[^.\s{}]+)+")

Part = str | tuple[tuple[str, ...], bool]
"""Plain text, or (the property's keys below msg, whether it is HTML-escaped)."""


NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
"""A numeric constant as PostgreSQL reads one in a statement (with its sign)."""


@dataclass(frozen=True)
class TextParam:
    """A compiled template: its parts, and whether it is a quoted literal."""

    parts: tuple[Part, ...]
    quoted: bool

    def value(self, msg: Any) -> str | int | Decimal:
        """The value PostgreSQL would have read where mustache.js wrote the text."""
        text = render_text(self.parts, msg)
        if self.quoted:  # as PostgreSQL reads the literal mustache.js wrote: '' is '
            return text.replace("''", "'")
        bare = text.strip()
        if not NUMBER.fullmatch(bare):
            return text
        return int(bare) if bare.lstrip("+-").isdigit() else Decimal(bare)


def compile_param(template: str) -> TextParam:
    """A template as ``flowrt import nodered`` writes one: a quoted literal, or SQL text;
    raises ValueError naming a tag that is not a message property."""
    quoted = len(template) >= 2 and template[0] == template[-1] == "'"
    return TextParam(compile_text(template[1:-1] if quoted else template), quoted)


def compile_text(template: str) -> tuple[Part, ...]:
    """The parts of ``template``; raises ValueError naming a tag that is not a message
    property."""
    parts: list[Part] = []
    at = 0
    for tag in TAG.finditer(template):
        if tag.start() > at:
            parts.append(template[at:tag.start()])
        name = tag.group(1) if tag.group(1) is not None else tag.group(3)
        if not NAME.fullmatch(name):
            raise ValueError(
                f"{tag.group()} is not a tag naming a message property (`{{{{msg.path}}}}`, "
                "`{{{msg.path}}}`)"
            )
        parts.append((tuple(name.split(".")[1:]), tag.group(1) is None and not tag.group(2)))
        at = tag.end()
    if "{{" in template[at:] or any("{{" in p for p in parts if isinstance(p, str)):
        raise ValueError("a `{{` opens no tag naming a message property")
    parts.append(template[at:])
    return tuple(p for p in parts if p != "")


def render_text(parts: tuple[Part, ...], msg: Any) -> str:
    """The text mustache.js writes for ``parts``: a missing or null value is empty, others are
    JavaScript's ``String(value)`` (an object is ``[object Object]``, a list its items joined
    by commas)."""
    out: list[str] = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
            continue
        keys, escaped = part
        value = _lookup(msg, keys)
        text = "" if value is None or value is MISSING else js_string(value)
        out.append(text.translate(ESCAPES) if escaped else text)
    return "".join(out)


def _lookup(value: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key, MISSING)
        elif isinstance(value, list | str) and key == "length":
            value = len(value)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return MISSING
    return value
