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

from flowrt.api import Message, Output, StepCode, indented, lookup, parse_path, step_function

from .template_mustache import escape, fast_parts, to_text

Step = Callable[[Message], Output]
Print = Callable[[Message], Any]
"""A tag's text in the message, or NotImplemented."""


def _one_tag_lines(escaped: bool) -> tuple[str, ...]:
    """One tag two names deep (``value {{payload.v}}``) set on a property of one name, as code
    (:mod:`flowrt.step_code`): values ``{0}``, ``{1}`` the tag's names, ``{2}`` to_text,
    ``{3}`` escape, ``{4}`` the property, ``{5}`` and ``{6}`` the text before and after, ``{7}``
    and ``{8}`` the characters of a ``repr`` that is not JavaScript's text (no text constant
    is written in code). A
    float whose ``repr`` is already its JavaScript text (no exponent, not whole, finite) is
    printed so; any other goes to to_text, as :func:`_printer` prints it."""
    text = "t = {3}(x)" if escaped else "t = x"
    return (*lookup("o", "msg", "{0}"),
            "out = NotImplemented",
            "if type(o) is dict:",
            *indented(lookup("x", "o", "{1}")),
            "    k = type(x)",
            "    if k is float:",
            "        t = repr(x)",
            "        if t[-1] in {7} or {8} in t:",
            "            t = {2}(x)",
            "        msg[{4}] = {5} + t + {6}",
            "        out = msg",
            "    elif k is str:",
            f"        {text}",
            "        msg[{4}] = {5} + t + {6}",
            "        out = msg",
            "    elif k is int or k is bool:",
            "        t = {2}(x)",
            "        msg[{4}] = {5} + t + {6}",
            "        out = msg")


_ONE_TAG = {escaped: _one_tag_lines(escaped) for escaped in (False, True)}


def template_code(template: str, prop: str) -> StepCode | None:
    """The step of a template of one tag two names deep set on a property of one name, as
    code; None for any other."""
    parts = fast_parts(template)
    keys = parse_path(prop)
    if parts is None or len(parts) != 2 or len(keys) != 1 or type(keys[0]) is not str:
        return None
    before, name, escaped = parts[0]
    first, *rest = name.split(".")
    if len(rest) != 1 or not first or name == ".":
        return None
    return StepCode(_ONE_TAG[escaped],
                    (first, rest[0], to_text, escape, keys[0], before, parts[-1][0], "0nf", "e"))


def fast_template(template: str, prop: str) -> Step | None:
    """The fast step setting ``prop`` to ``template`` rendered, or None when the template has
    tags other than variables or the property is not a path of names."""
    code = template_code(template, prop)
    if code is not None:
        return step_function(code)
    parts = fast_parts(template)
    keys = parse_path(prop)
    if parts is None or not all(type(k) is str for k in keys):
        return None
    tail = parts[-1][0]
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
