"""Dashboard label and value formats: node-red-dashboard's Angular ``{{ }}`` as flowrt's.

flowrt's widgets write ``{{value}}`` and ``{{msg.<path>}}`` and nothing else, as text
(nodes/dashboard/widget.py). node-red-dashboard evaluates Angular v1 expressions and renders
the result as HTML. What translates is kept; a filter (``| number:1``) is left out with a
caveat; any other expression or markup is kept as text, with a caveat naming it.
"""

from __future__ import annotations

import re

from flowrt.nodered.mapping import MapContext

_EXPRESSION = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_PATH = re.compile(r"^(value|msg(\.[A-Za-z_$][A-Za-z0-9_$]*|\[\d+\])+)$")
_FILTER = re.compile(r"^(?P<path>[^|]+?)\s*\|\s*(?P<filter>[A-Za-z]+.*)$")


def translate_format(text: str, cx: MapContext, what: str = "format") -> str:
    """``text`` with each placeholder flowrt reads kept, filters dropped (noted), and anything
    else kept as text (noted)."""

    def replace(match: re.Match[str]) -> str:
        inner = match[1]
        if _PATH.match(inner):
            return "{{" + inner + "}}"
        found = _FILTER.match(inner)
        if found and _PATH.match(found["path"].strip()):
            cx.note(f"{what}: the Angular filter `| {found['filter']}` is not applied; the "
                    "value is written as it comes (shape it before, e.g. with a change node's "
                    "JSONata `$round` or `$formatNumber`)")
            return "{{" + found["path"].strip() + "}}"
        cx.note(f"{what}: the Angular expression `{{{{{inner}}}}}` is not a `{{{{value}}}}` or "
                "`{{msg.<path>}}` placeholder; flowrt shows it as written (compute it in the "
                "flow before the widget)")
        return match[0]

    out = _EXPRESSION.sub(replace, text)
    if re.search(r"<[A-Za-z/][^>]*>", out):
        cx.note(f"{what}: Node-RED renders it as HTML; flowrt shows the markup as text")
    return out


def static_label(text: str, cx: MapContext, what: str = "label") -> str:
    """A label: flowrt's are fixed text, so a ``{{ }}`` in one is kept as written (noted)."""
    if "{{" in text:
        cx.note(f"{what} `{text}` is set from each message in Node-RED; flowrt's label is "
                "fixed text")
    return text


_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9-]*)")
_DIRECTIVE = re.compile(r"\b(ng-[a-z-]+|md-[a-z-]+)\b")


def template_constructs(html: str) -> list[str]:
    """What in a node-red-dashboard template is more than text with ``{{value}}`` and
    ``{{msg.<path>}}`` bindings: its tags, Angular directives and other expressions."""
    found = [f"`<{tag.lower()}>`" for tag in dict.fromkeys(_TAG.findall(html))]
    found += [f"`{d}`" for d in dict.fromkeys(_DIRECTIVE.findall(html))]
    found += [f"`{{{{{e}}}}}`" for e in dict.fromkeys(_EXPRESSION.findall(html))
              if not _PATH.match(e) and not _filtered(e)]
    return found


def _filtered(expression: str) -> bool:
    """A placeholder with an Angular filter (``msg.payload | number:1``), which
    :func:`translate_format` keeps without the filter."""
    found = _FILTER.match(expression)
    return bool(found and _PATH.match(found["path"].strip()))
