"""Dashboard templates: node-red-dashboard's ``ui_template`` (Angular v1) and FlowFuse Dashboard
2's ``ui-template`` (Vue) as flowrt's ``ui-template``, and back as ``ui_template``.

flowrt's ui-template is Jinja whose printed values are escaped, kept to an allowlist of HTML
(nodes/dashboard/ui_template.py). What carries over: the static HTML and the ``{{msg.<path>}}``
bindings (Angular and Vue write them as Jinja does); an Angular filter (``| number:1``) is
dropped. What does not, each named in a caveat: directives (``ng-*``, ``v-*``, ``@click``,
``:bind``), ``<script>`` and ``<style>``, other expressions (shown as written), and what the
allowlist removes. A template that is nothing but script or style, or added to every page
(``templateScope``), is unsupported. A node-red-dashboard template of text and bindings only
(no tag, no directive) stays ``ui-markdown``, as ui-markdown's export writes it.
"""

from __future__ import annotations

import re
from typing import Any

from flowrt.nodered.families.dashboard_common import V1, V2, widget
from flowrt.nodered.families.dashboard_text import template_constructs, translate_format
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool

_EXPRESSION = re.compile(
    r"\{%\s*raw\s*%\}.*?\{%\s*endraw\s*%\}|\{\{\s*(.*?)\s*\}\}|\{%|%\}|\{#|#\}", re.S)
"""A raw block (what an earlier import made), a binding, or what Jinja would read as the start
or end of a block or comment."""
_LITERAL = re.compile(r"^'(\{%|%\}|\{#|#\})'$")
_RAW = re.compile(r"\{%\s*raw\s*%\}(.*?)\{%\s*endraw\s*%\}|\{\{ '(\{%|%\}|\{#|#\})' \}\}", re.S)
_PATH = re.compile(r"^msg(\.[A-Za-z_$][A-Za-z0-9_$]*|\[\d+\])+$")
_FILTER = re.compile(r"^(?P<path>[^|]+?)\s*\|\s*(?P<filter>[A-Za-z].*)$", re.S)
_DIRECTIVE = re.compile(r"""\s((?:ng|v|md)-[a-z-]+|[@:#][a-z][\w.:-]*(?=\s*=))""", re.I)
_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_HANDLER = re.compile(r"\s(on[a-z]+)\s*=", re.I)
_URL = re.compile(r"""(?:href|src)\s*=\s*["']?\s*javascript:""", re.I)
_TAG = re.compile(r"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
_ELEMENT = re.compile(r"<([a-z][a-z0-9]*-[a-z0-9-]*)", re.I)
"""A custom element (``<md-button>``, ``<v-btn>``): a component the allowlist drops."""
FRAMEWORK = {V1.base: "Angular", V2.base: "Vue"}


def import_template(node: NrNode, cx: MapContext, scheme: Any = V1) -> Mapped:
    """A dashboard template of either package as ui-template (see the module)."""
    framework = FRAMEWORK[scheme.base]
    scope = node.word("templateScope", "local")
    if scope != "local":
        raise Unsupported(f"a template added to every page (`templateScope` `{scope}`): "
                          "flowrt's dashboard takes no page-wide HTML, CSS or scripts")
    html = str(node.get("format") or "")
    if scheme is V2:
        html = _vue_template(html)
    visible = _TAG.sub("", _BLOCK.sub("", html)).strip() or re.search(r"<img\b", html)
    if not visible:
        raise Unsupported(f"the {framework} template shows nothing but what its script or "
                          "style makes: flowrt's dashboard runs no author's script (use "
                          "ui-text, ui-markdown, ui-table, or a ui-template of HTML)")
    config = widget(node, cx, scheme, node.get("label") if scheme is V2 else None)
    if scheme is V1 and not template_constructs(html):
        config["content"] = translate_format(html.strip(), cx, "template")
        cx.note("the template's text is shown as Markdown (it has no tags nor directives)")
        return Mapped("ui-markdown", config)  # what ui-markdown's export writes
    config["template"] = _translate(html, cx, framework)
    config["store"] = as_bool(node.get("storeOutMessages", True))
    passthru = node.get("fwdInMessages", node.get("passthru", False))
    config["passthru"] = as_bool(passthru)
    return Mapped("ui-template", config)


def import_template_v2(node: NrNode, cx: MapContext) -> Mapped:
    return import_template(node, cx, V2)


def export_template(c: dict[str, Any]) -> dict[str, Any]:
    """ui-template as node-red-dashboard's ui_template: what the import kept as text (raw
    blocks, quoted ``{%``) as it was; Jinja's ``{% %}`` blocks do not run in Angular, its
    ``{{ msg.<path> }}`` bindings do."""
    template = str(c.get("template", "<div>{{ msg.payload }}</div>"))
    return {"format": _RAW.sub(lambda m: m[1] if m[1] is not None else m[2], template),
            "storeOutMessages": c.get("store", True), "fwdInMessages": c.get("passthru", False),
            "resendOnRefresh": True, "templateScope": "local", "className": ""}


def _vue_template(sfc: str) -> str:
    """The HTML of a Vue single-file component: its ``<template>`` (the whole text if none),
    with its ``<script>`` and ``<style>`` kept for the caveats."""
    found = re.search(r"<template\b[^>]*>(.*)</template\s*>", sfc, re.S | re.I)
    if found is None:
        return sfc
    return found[1] + "".join(m[0] for m in _BLOCK.finditer(sfc))


def _translate(html: str, cx: MapContext, framework: str) -> str:
    """The template as flowrt's Jinja, with a caveat for each construct that will not run."""
    for tag in dict.fromkeys(m[1].lower() for m in _BLOCK.finditer(html)):
        what = "scripts are not run" if tag == "script" else "its CSS is not applied"
        cx.note(f"template: `<{tag}>` is kept for the export but not shown ({what}; "
                "flowrt's ui-template shows HTML only)")
    tags = _TAG.findall(_BLOCK.sub("", html))
    for name in dict.fromkeys(d for tag in tags for d in _DIRECTIVE.findall(tag)):
        cx.note(f"template: the {framework} directive `{name}` is not run (flowrt's "
                "ui-template is HTML with `{{ msg.<path> }}` values; input widgets send "
                "messages)")
    for name in dict.fromkeys(m[1].lower() for tag in tags if (m := _ELEMENT.match(tag))):
        cx.note(f"template: the {framework} component `<{name}>` is not drawn (its text is "
                "kept)")
    for name in dict.fromkeys(h.lower() for tag in tags for h in _HANDLER.findall(tag)):
        cx.note(f"template: the event handler `{name}` is removed")
    if _URL.search(html):
        cx.note("template: a `javascript:` link is removed")

    def replace(match: re.Match[str]) -> str:
        inner = match[1]
        if match[0].startswith("{% raw") or (inner is not None and _LITERAL.match(inner)):
            return match[0]
        if inner is None:  # `{%`, `%}`, `{#`, `#}` in the HTML: text, not Jinja
            return "{{ '" + match[0] + "' }}"
        if _PATH.match(inner):
            return "{{ " + inner + " }}"
        found = _FILTER.match(inner)
        if found and _PATH.match(found["path"].strip()):
            cx.note(f"template: the {framework} filter `| {found['filter']}` is not applied; "
                    "the value is written as it comes (a Jinja filter can do it, e.g. "
                    "`| round(1)`)")
            return "{{ " + found["path"].strip() + " }}"
        cx.note(f"template: the {framework} expression `{{{{{inner}}}}}` is shown as written "
                "(compute it in the flow, or write it in Jinja)")
        return "{% raw %}" + match[0] + "{% endraw %}"

    return _EXPRESSION.sub(replace, html)
