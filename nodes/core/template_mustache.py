"""Mustache rendered as Node-RED renders it (mustache.js), on pystache.

What mustache.js does and pystache does not, done here:

- values print as JavaScript prints them: `true`/`false`, `2` for 2.0, nothing for null, a
  list as its items joined by commas; an object prints as JSON (mustache.js prints
  `[object Object]`, which no flow wants);
- `{{ }}` escapes `& < > " ' / ` =` as mustache.js does;
- dotted names index lists (`payload.0`) and read `length`, as JavaScript lookups do;
- `{{flow.name}}` and `{{global.name}}` read the flow and global context when the message has
  no such property (Node-RED's `flow[store].name` is accepted; flowrt has one store);
- with JSON output, strings are escaped for JSON (backslashes and control characters).

A template made only of text and variable tags, which is most of them, is compiled into a list
of parts and rendered without pystache (about ten times faster); the tests check that both ways
give the same text. pystache itself is imported only when a mustache template is checked or
compiled, not when the node registry is loaded.

What a flow author's template can reach: names are looked up in mappings and lists only. A
value that is not data (an object, a function) is treated as missing, so pystache never reads
an attribute of a Python object nor calls a lambda; there are no partials (``{{> name}}`` would
read ``name.mustache`` from the disk), they render as nothing. A rendering stops with an error
when its text would pass :data:`TEXT_LIMIT` characters (counted before sections repeat) or it
runs longer than :data:`flowrt.api.EVALUATION_SECONDS`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID

from flowrt.api import EVALUATION_SECONDS, MISSING, Message, NodeError, js_number, within
from flowrt.api import TEMPLATE_TEXT_LIMIT as TEXT_LIMIT

from .context_store import ContextStore

ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&#39;",
        "/": "&#x2F;",
        "`": "&#x60;",
        "=": "&#x3D;",
    }
)
JSON_STRING_ESCAPES = str.maketrans(
    {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\f": "\\f", "\b": "\\b"}
)
_CONTEXT_NAME = re.compile(r"^(flow|global)(?:\[\w*\])?\.(.+)$")
_VARIABLE = re.compile(
    r"\{\{(?:\{\s*([^{}\s]+)\s*\}|&\s*([^{}\s]+)\s*|\s*([^{}\s#^/!>=&{]+)\s*)\}\}"
)
"""`{{{name}}}`, `{{& name}}` or `{{name}}`: the tags the fast path handles."""

_NEEDS_ESCAPE = re.compile(r"[&<>\"'/`=]")
_PLAIN = frozenset((int, float, bool))
"""Values printed as they are (digits, a sign, a point, an exponent, NaN, Infinity, true,
false): nothing in their text to escape, and nothing for ``Resolver._found`` to change."""
_DATA = (str, int, float, bool, type(None), dict, list, tuple, bytes, bytearray)
"""What a template may see of a value: data. Times, decimals and UUIDs are given as their text;
anything else (an object, a function) is missing."""


def check_mustache(template: str) -> None:
    """Raise ValueError if the template does not parse (as mustache.js parses it)."""
    import pystache
    from pystache.parser import ParsingError

    try:
        _check_closed(template)
        pystache.parse(template)
    except (ParsingError, ValueError) as exc:
        raise ValueError(f"invalid mustache template: {exc}") from None


def _check_closed(template: str) -> None:
    """Raise mustache.js's ``Unclosed tag at N`` for a tag with no end (``{{payload``, or
    ``{{{name}}`` missing a brace), which pystache would keep as text. A template that changes
    its delimiters (``{{=<% %>=}}``) is left to pystache from there."""
    at = template.find("{{")
    while at >= 0 and not template.startswith("{{=", at):
        end = "}}}" if template.startswith("{{{", at) else "}}"
        close = template.find(end, at + len(end))
        if close < 0:
            raise ValueError(f"Unclosed tag at {len(template)}")
        at = template.find("{{", close + len(end))


def to_text(value: Any) -> str:
    """A value as mustache.js prints it (with objects as JSON)."""
    kind = type(value)
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    if value is None or value is MISSING:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is float:  # String(value): repr's text where it is JavaScript's (js_number)
        text = repr(value)
        return js_number(value) if text[-1] in "0nf" or "e" in text else text
    if kind is list or kind is tuple:
        return ",".join(to_text(item) for item in value)
    if kind is dict:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _child(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key, MISSING)
    if isinstance(value, list | str):
        if key == "length":
            return len(value)
        if key.isdigit() and int(key) < len(value):
            return value[int(key)]
    return MISSING


class Resolver:
    """How a name is looked up: on pystache's context stack (the message, then the sections
    around the tag), then in the flow or global context; "" when it is nowhere.

    ``resolver(stack, name)`` is pystache's hook; :meth:`getter` is the same lookup for a name
    known in advance, on the message alone (the fast path)."""

    def __init__(self, flow: ContextStore, global_: ContextStore, json_strings: bool) -> None:
        self.flow, self.global_, self.json_strings = flow, global_, json_strings

    def __call__(self, stack: Any, name: str) -> Any:
        if name == ".":
            return self._found(stack.top())
        first, _, rest = name.partition(".")
        try:
            value = stack.get(first)
        except _key_not_found():  # evaluated only when stack.get raises
            return self._from_context(name)
        if rest:
            for key in rest.split("."):
                value = _child(value, key)
                if value is MISSING:
                    return self._from_context(name)
        return self._found(value)

    def getter(self, name: str) -> Callable[[Message], Any]:
        if name == ".":
            return self._found
        first, *rest = name.split(".")
        found, from_context = self._found, self._from_context
        plain = _PLAIN if self.json_strings else _PLAIN | {str}

        def get(msg: Message) -> Any:
            value = msg.get(first, MISSING)
            for key in rest:
                if value is MISSING:
                    break
                value = value.get(key, MISSING) if type(value) is dict else _child(value, key)
            if type(value) in plain:  # what _found gives back as it is
                return value
            return from_context(name) if value is MISSING else found(value)

        return get

    def _found(self, value: Any) -> Any:
        if self.json_strings and type(value) is str:
            return value.translate(JSON_STRING_ESCAPES)
        if not isinstance(value, _DATA):
            if isinstance(value, dt.date | dt.time):  # a datetime is a date
                return value.isoformat()
            return str(value) if isinstance(value, Decimal | UUID) else ""
        if isinstance(value, list | tuple) and not all(isinstance(v, _DATA) for v in value):
            return [v if isinstance(v, _DATA) else "" for v in value]
        return value

    def _from_context(self, name: str) -> Any:
        match = _CONTEXT_NAME.match(name)
        if match is None:
            return ""
        store = self.flow if match.group(1) == "flow" else self.global_
        value = store.get(match.group(2), MISSING)
        return "" if value is MISSING else self._found(value)


def escape(text: str) -> str:
    """Escape as mustache.js does."""
    return text.translate(ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def escaped_text(value: Any) -> str:
    """``escape(to_text(value))``; a number's or a boolean's text has nothing to escape."""
    if type(value) in _PLAIN:
        return to_text(value)
    return escape(to_text(value))


class NodeRedRenderer:
    """pystache with mustache.js's printing and escaping, and the lookups of a Resolver."""

    def __init__(self, resolve: Resolver) -> None:
        self._renderer = _renderer_class()(resolve)

    def render(self, parsed: Any, context: Any) -> str:
        return str(self._renderer.render(parsed, context))


class MustacheLimit(NodeError):
    """A mustache template would make a text longer than TEXT_LIMIT."""


def _section_sizes(parsed: Any) -> dict[str, int]:
    """Section name -> the longest source text of a section of that name: what one turn of
    the section prints at most, besides the values and inner sections (counted on their own)."""
    from pystache.parser import _InvertedNode, _SectionNode

    sizes: dict[str, int] = {}
    stack = [parsed]
    while stack:
        for node in getattr(stack.pop(), "_parse_tree", ()):
            if isinstance(node, _SectionNode):
                size = max(1, node.index_end - node.index_begin)
                sizes[node.key] = max(sizes.get(node.key, 1), size)
            if isinstance(node, _SectionNode):
                stack.append(node.parsed)
            elif isinstance(node, _InvertedNode):
                stack.append(node.parsed_section)
    return sizes


@lru_cache(maxsize=1)
def _key_not_found() -> type[Exception]:
    from pystache.context import KeyNotFoundError

    return KeyNotFoundError  # type: ignore[no-any-return]


@lru_cache(maxsize=1)
def _renderer_class() -> type[Any]:
    """pystache's Renderer with our hooks, defined on first use (pystache is imported here).

    Each rendering gets its own engine, which counts what it prints (values, and each turn of
    a section times the section's length) and stops past TEXT_LIMIT."""
    import pystache
    from pystache.renderengine import RenderEngine

    class Engine(RenderEngine):  # type: ignore[misc]
        sizes: dict[str, int] = {}
        spent = 0

        def _spend(self, size: int) -> None:
            self.spent += size
            if self.spent > TEXT_LIMIT:
                raise MustacheLimit(
                    f"mustache template stopped: its text would pass {TEXT_LIMIT:,} "
                    "characters, the size limit of a template"
                )

        def fetch_string(self, context: Any, name: str) -> str:
            text = str(super().fetch_string(context, name))
            self._spend(len(text))
            return text

        def fetch_section_data(self, context: Any, name: str) -> Any:
            data = super().fetch_section_data(context, name)
            self._spend(len(data) * self.sizes.get(name, 1))
            return data

    class Renderer(pystache.Renderer):  # type: ignore[misc]
        def __init__(self, resolve: Resolver, sizes: dict[str, int] | None = None) -> None:
            super().__init__(escape=escape, missing_tags="ignore", partials={})
            self._resolve = resolve
            self._sizes = sizes or {}

        def str_coerce(self, value: Any) -> str:
            return to_text(value)

        def _make_resolve_context(self) -> Resolver:
            return self._resolve

        def _make_render_engine(self) -> Engine:
            engine = Engine(
                literal=self._to_unicode_hard, escape=self._escape_to_unicode,
                resolve_context=self._make_resolve_context(),
                resolve_partial=self._make_resolve_partial(), to_str=self.str_coerce,
            )
            engine.sizes = self._sizes
            return engine

    return Renderer


def fast_parts(template: str) -> list[tuple[str, str, bool]] | None:
    """(text before, name, escaped) for each tag, if the template has only variable tags."""
    parts: list[tuple[str, str, bool]] = []
    end = 0
    for match in _VARIABLE.finditer(template):
        text = template[end : match.start()]
        if "{{" in text:
            return None
        triple, amp, plain = match.groups()
        parts.append((text, triple or amp or plain, plain is not None))
        end = match.end()
    if "{{" in template[end:]:
        return None
    parts.append((template[end:], "", False))
    return parts


def compile_mustache(template: str, resolve: Resolver) -> Callable[[Message], str]:
    """The template as a function of the message, compiled once."""
    parts = fast_parts(template)
    if parts is None:
        import pystache

        parsed = pystache.parse(template)
        render = _renderer_class()(resolve, _section_sizes(parsed)).render
        return lambda msg: within(
            EVALUATION_SECONDS, "the mustache template", lambda: str(render(parsed, msg))
        )
    tail = parts[-1][0]
    tags = tuple((before, resolve.getter(name), escaped) for before, name, escaped in parts[:-1])
    if len(tags) == 1:
        ((before, get, escaped),) = tags
        if escaped:
            return lambda msg: before + escaped_text(get(msg)) + tail
        return lambda msg: before + to_text(get(msg)) + tail

    def many(msg: Message) -> str:
        out: list[str] = []
        for before, get, escaped in tags:
            out.append(before)
            out.append(escaped_text(get(msg)) if escaped else to_text(get(msg)))
        out.append(tail)
        return "".join(out)

    return many
