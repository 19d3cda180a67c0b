"""The template's fast step: a mustache template of variable tags, rendered for a fused run.

A fused run (flowrt/run/fuse_code.py) calls a node's fast step in place of its ``process``: it
returns what ``process`` would, or NotImplemented having done nothing. A template node has one
when its template is mustache with only variable tags (``value {{payload.v}}``), its result is
text set on a message property of names. Each tag's name is walked through the message's
objects; a value of text, a number or a boolean prints as mustache.js prints it
(:func:`.template_mustache.to_text`, text escaped in ``{{...}}``); anything else (a missing
name, which may be a context one, an object, a list) is left to ``process``, as is a property
whose objects on the way are not all there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowrt.api import Message, Output, parse_path

from .template_mustache import escape, fast_parts, to_text

Step = Callable[[Message], Output]
Print = Callable[[Message], Any]
"""A tag's text in the message, or NotImplemented."""


def fast_template(template: str, prop: str) -> Step | None:
    """The fast step setting ``prop`` to ``template`` rendered, or None when the template has
    tags other than variables or the property is not a path of names."""
    parts = fast_parts(template)
    keys = parse_path(prop)
    if parts is None or not all(type(k) is str for k in keys):
        return None
    tail = parts[-1][0]
    if len(parts) == 2 and len(keys) == 1:
        before, name, escaped = parts[0]
        first, *rest = name.split(".")
        if len(rest) == 1 and first and name != ".":
            return _one_tag(before, (first, rest[0]), escaped, tail, str(keys[0]))
    tags = [(before, _printer(name, escaped)) for before, name, escaped in parts[:-1]]
    render = _render(tags, tail)
    head, last = tuple(str(k) for k in keys[:-1]), str(keys[-1])
    if not head:

        def set_top(msg: Message) -> Output:
            text = render(msg)
            if text is NotImplemented:
                return NotImplemented  # type: ignore[no-any-return]
            msg[last] = text
            return msg

        return set_top

    def set_in(msg: Message) -> Output:
        text = render(msg)
        if text is NotImplemented:
            return NotImplemented  # type: ignore[no-any-return]
        obj: Any = msg
        for key in head:
            obj = obj.get(key)
            if type(obj) is not dict:
                return NotImplemented  # type: ignore[no-any-return]
        obj[last] = text
        return msg

    return set_in


def _one_tag(before: str, names: tuple[str, str], escaped: bool, tail: str, prop: str
             ) -> Step:
    """One tag two names deep (``value {{payload.v}}``) set on a property of one name: what
    :func:`_render` and :func:`_printer` do, in one function (without their calls)."""
    first, key = names

    def render_one(msg: Message) -> Output:
        value: Any = msg.get(first)
        if type(value) is not dict:
            return NotImplemented  # type: ignore[no-any-return]
        value = value.get(key)
        kind = type(value)
        if kind is float:
            text = repr(value)
            if text[-1] in "0nf" or "e" in text:
                text = to_text(value)
        elif kind is str:
            text = escape(value) if escaped else value
        elif kind is int or kind is bool:
            text = to_text(value)
        else:
            return NotImplemented  # type: ignore[no-any-return]
        msg[prop] = before + text + tail
        return msg

    return render_one


def _render(tags: list[tuple[str, Print]], tail: str) -> Print:
    if len(tags) == 1:
        ((before, text_of),) = tags

        def one(msg: Message) -> Any:
            text = text_of(msg)
            if text is NotImplemented:
                return NotImplemented
            return before + text + tail

        return one

    def many(msg: Message) -> Any:
        out: list[str] = []
        for before, text_of in tags:
            text = text_of(msg)
            if text is NotImplemented:
                return NotImplemented
            out.append(before)
            out.append(text)
        out.append(tail)
        return "".join(out)

    return many


def _printer(name: str, escaped: bool) -> Print:
    """The text of tag ``name`` in a message, as the renderer's lookup and printing make it
    (:meth:`.template_mustache.Resolver.getter`, ``escaped_text``), when the name is found in
    the message and holds text, a number or a boolean."""
    first, *rest = name.split(".")
    if name == "." or not first:
        return lambda msg: NotImplemented

    def text_of(msg: Message) -> Any:
        value: Any = msg.get(first)
        for key in rest:
            if type(value) is not dict:
                return NotImplemented
            value = value.get(key)
        kind = type(value)
        if kind is float:
            text = repr(value)
            return to_text(value) if text[-1] in "0nf" or "e" in text else text
        if kind is str:
            return escape(value) if escaped else value
        if kind is int or kind is bool:
            return to_text(value)
        return NotImplemented

    return text_of
