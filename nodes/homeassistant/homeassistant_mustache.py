"""The mustache of node-red-contrib-home-assistant-websocket's API node, for the text of a path
or of JSON data: ``{{ name }}`` reads the message, then the flow and global context
(``flow.key``, ``global.key``), then the entities (``states.light.kitchen``,
``entity.light.kitchen.attributes.brightness``; the state when no property is named)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from flowrt.api import MISSING, Message, NodeError, get_property, js_string

TAG = re.compile(r"\{\{(\{?)\s*([&#^/!>=]?)\s*([^}]*?)\s*\}?\}\}")
ENTITY = re.compile(r"^(?:states|entity)\.(\w+\.\w+)(?:\.(.+))?$")
CONTEXT = re.compile(r"^(flow|global)(?:\[\w*\])?\.(.+)$")
ESCAPES = {"/": "&#x2F;", "`": "&#x60;", "=": "&#x3D;"}


def render_mustache(text: str, msg: Message, states: Mapping[str, Mapping[str, Any]],
                    ctx: Any) -> str:
    """The text with its tags replaced; ``{{ x }}`` is HTML-escaped as mustache.js does,
    ``{{{ x }}}`` and ``{{& x }}`` are not. Sections, partials and comments are refused."""

    def value(match: re.Match[str]) -> str:
        triple, sigil, name = match.groups()
        if sigil and sigil != "&":
            raise NodeError(f"the mustache tag {match.group(0)!r} is not offered: only "
                            "`{{ name }}`, `{{{ name }}}` and `{{& name }}` are")
        found = _lookup(name, msg, states, ctx)
        shown = "" if found is None else js_string(found)
        if triple or sigil == "&":
            return shown
        return "".join(ESCAPES.get(c, c) for c in html.escape(shown, quote=True)).replace(
            "&#x27;", "&#39;")

    return TAG.sub(value, text) if "{{" in text else text


def _lookup(name: str, msg: Message, states: Mapping[str, Mapping[str, Any]],
            ctx: Any) -> Any:
    if name == ".":
        return msg
    try:
        found = get_property(msg, name, MISSING) if name else MISSING
    except (ValueError, NodeError):  # not a property path: a context or an entity name
        found = MISSING
    if found is not MISSING and found is not None:
        return found
    context = CONTEXT.match(name)
    if context is not None:
        store = ctx.flow if context.group(1) == "flow" else ctx.global_
        found = store.get(context.group(2).split(".")[0])
        for part in context.group(2).split(".")[1:]:
            found = found.get(part) if isinstance(found, dict) else None
        if found is not None:
            return found
    entity = ENTITY.match(name)
    if entity is not None:
        found = states.get(entity.group(1))
        for part in (entity.group(2) or "state").split("."):
            found = found.get(part) if isinstance(found, Mapping) else None
        return found
    return None
