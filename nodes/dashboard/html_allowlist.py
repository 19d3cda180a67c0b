"""The HTML a ui-template may show: an allowlist of tags, attributes, link schemes and style
properties, applied on the server to the rendered template before any browser gets it.

The HTML is parsed as a browser parses it (lexbor, through selectolax: the HTML5 algorithm)
and written out again from nothing but what the allowlist keeps: every text and attribute
value escaped, tags closed. So what reaches a browser is a plain tree of allowed elements;
the browser filters it once more through the same allowlist (``ui/dashboard/widgets/
allowlist.js``, which the widget's layout entry hands :data:`ALLOWLIST`).

What never passes: ``<script>``, ``<style>``, ``<iframe>``, ``<object>``, ``<embed>``,
``<svg>``, ``<math>``, ``<template>``, forms and their fields (dropped with their content, or
for unknown and form tags: the tag dropped, its text kept), every ``on*`` attribute, ``id``
and ``name`` (no clobbering of the page's own elements), links and images whose address is
not http, https, mailto or relative, and style declarations other than a few properties with
plain values (no ``url()``, no ``expression()``, no escapes, no comments).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

TAGS = frozenset(
    "div span p br hr h1 h2 h3 h4 h5 h6 em strong b i u s del ins small sub sup mark code pre "
    "kbd samp blockquote q cite abbr time ul ol li dl dt dd a img table caption thead tbody "
    "tfoot tr th td figure figcaption section article header footer aside details summary "
    "progress meter".split()
)
"""Elements kept (with their allowed attributes)."""
DROPPED = frozenset(
    "script style template noscript iframe frame frameset object embed applet svg math "
    "textarea title xmp noembed noframes plaintext select option head base link meta "
    "audio video source track canvas portal".split()
)
"""Elements dropped with all their content; any other element not in TAGS is dropped but its
content is kept (an Angular ``<md-card>``'s text stays)."""
VOID = frozenset({"br", "hr", "img"})
GLOBAL_ATTRS = ("class", "title", "lang", "dir", "style")
ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",), "img": ("src", "alt", "width", "height"), "ol": ("start", "reversed"),
    "td": ("colspan", "rowspan"), "th": ("colspan", "rowspan"), "time": ("datetime",),
    "progress": ("value", "max"), "meter": ("value", "min", "max", "low", "high", "optimum"),
    "details": ("open",),
}
URL_ATTRS = frozenset({"href", "src"})
SCHEMES = frozenset({"http", "https", "mailto"})
STYLES = frozenset(
    "color background-color font-weight font-style font-size font-family text-align "
    "text-decoration text-transform vertical-align white-space width height max-width "
    "min-width max-height min-height margin margin-top margin-bottom margin-left margin-right "
    "padding padding-top padding-bottom padding-left padding-right border border-radius "
    "border-color border-width border-style opacity display gap".split()
)
_STYLE_VALUE = re.compile(r"^(?:[#\w .,%+-]|(?:rgba?|hsla?)\([\d\s.,%/+-]*\))*$")
"""A style value: words, numbers, units, colours and rgb()/hsl(); nothing else (no url(),
expression(), var(), escapes, quotes or comments)."""
STYLE_ATTRIBUTE = "data-style"
"""What a kept ``style`` is written as: a browser parsing a ``style`` attribute under the
page's CSP (no inline style) reports a violation even in a DOMParser document; the browser's
filter sets the declarations through ``element.style`` instead."""
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")
"""What a browser strips from (or ignores in) an address before reading its scheme."""

ALLOWLIST: dict[str, Any] = {
    "tags": sorted(TAGS),
    "attrs": {"*": list(GLOBAL_ATTRS), **{tag: list(names) for tag, names in ATTRS.items()}},
    "styles": sorted(STYLES),
}
"""The allowlist as the browser's filter takes it (``widgets/allowlist.js``)."""


def sanitize(html: str) -> str:
    """``html`` with only what the allowlist keeps, written out again (see the module)."""
    from selectolax.lexbor import LexborHTMLParser

    body = LexborHTMLParser(f"<body>{html}</body>").body
    if body is None:
        return ""
    out: list[str] = []
    _children(body, out)
    return "".join(out)


def _children(node: Any, out: list[str]) -> None:
    child = node.child
    while child is not None:
        _node(child, out)
        child = child.next


def _node(node: Any, out: list[str]) -> None:
    tag = node.tag
    if tag == "-text":
        out.append(escape(node.text_content or "", quote=False))
        return
    if not isinstance(tag, str) or tag.startswith(("-", "_")) or tag in DROPPED:
        return  # comments, doctypes, and what goes with its content
    if tag not in TAGS:
        _children(node, out)
        return
    out.append(f"<{tag}{_attributes(tag, node.attributes)}>")
    if tag in VOID:
        return
    _children(node, out)
    out.append(f"</{tag}>")


def _attributes(tag: str, attributes: dict[str, str | None]) -> str:
    kept: list[str] = []
    for name in (*GLOBAL_ATTRS, *ATTRS.get(tag, ())):
        if name not in attributes:
            continue
        value = attributes[name] or ""
        if name in URL_ATTRS and not safe_url(value):
            continue
        if name == "style":
            value = safe_style(value)
            if not value:
                continue
        written = "data-style" if name == "style" else name  # see STYLE_ATTRIBUTE
        kept.append(f' {written}="{escape(value, quote=True)}"')
    if tag == "a" and any(k.startswith(" href=") for k in kept):
        kept.append(' rel="noopener noreferrer nofollow"')
    return "".join(kept)


def safe_url(value: str) -> bool:
    """Whether an address is http, https, mailto, or relative (read as a browser reads it)."""
    scheme = _SCHEME.match(_IGNORED_IN_URL.sub("", value))
    return scheme is None or scheme[1].lower() in SCHEMES


def safe_style(value: str) -> str:
    """The declarations of a style attribute whose property is allowed and value plain."""
    kept: list[str] = []
    for declaration in value.split(";"):
        name, sep, found = declaration.partition(":")
        name, found = name.strip().lower(), found.strip()
        if sep and name in STYLES and found and _STYLE_VALUE.match(found):
            kept.append(f"{name}: {found}")
    return "; ".join(kept)
