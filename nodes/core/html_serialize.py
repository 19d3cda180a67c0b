"""What Node-RED's html node (cheerio 1.0.0-rc.10) makes of a selected element: its inner HTML
written as XML, its text, and its inner HTML as HTML.

The element comes from selectolax's lexbor tree. Both lexbor and parse5 (cheerio's parser)
follow the HTML specification, so the trees agree; what is left is to write them as cheerio
does: ``ret: html`` is ``cheerio.load($(el).html().trim(), null, false).xml()``, that is the
children serialized by dom-serializer in XML mode (entities' ``encodeXML``: ``& < > " '`` as
named references and every non-ASCII character as ``&#xHEX;``; empty elements closed as
``<br/>``), with the whitespace the ``trim()`` would remove taken off the first and last text.
"""

from __future__ import annotations

import re
from typing import Any

_XML_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}
_TO_ENCODE = re.compile("[&<>\"']|[^\x00-\x7f]")
# JavaScript's String.prototype.trim() whitespace, less U+00A0 (written &nbsp; in HTML, so
# the trim of the serialized text never sees it)
_JS_SPACE = ("\t\n\x0b\x0c\r \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
             "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
_JS_TRIM = _JS_SPACE + "\u00a0"


def _encode_xml(text: str) -> str:
    return _TO_ENCODE.sub(
        lambda m: _XML_NAMED.get(m.group()) or f"&#x{ord(m.group()):X};", text)


def children(node: Any) -> list[Any]:
    found = []
    child = node.child
    while child is not None:
        found.append(child)
        child = child.next
    return found


def inner_xml(node: Any) -> str:
    """``ret: html``: the element's children written in XML mode, trimmed as cheerio does."""
    kids = children(node)
    texts: dict[int, str] = {}
    if kids and kids[0].tag == "-text":
        texts[0] = (kids[0].text_content or "").lstrip(_JS_SPACE)
    if kids and kids[-1].tag == "-text":
        texts[len(kids) - 1] = texts.get(len(kids) - 1, kids[-1].text_content or "").rstrip(
            _JS_SPACE)
    parts: list[str] = []
    for index, kid in enumerate(kids):
        if index in texts:
            parts.append(_encode_xml(texts[index]))
        else:
            _write(kid, parts)
    return "".join(parts)


def _write(node: Any, parts: list[str], foreign: bool = False) -> None:
    """One node in XML mode. Cheerio parses the inner HTML again as a fragment, where an SVG
    or MathML element is HTML (with lower-case names) until an ``<svg>`` or ``<math>`` opens
    inside the fragment: ``foreign`` says whether one did."""
    tag = node.tag
    if tag == "-text":
        parts.append(_encode_xml(node.text_content or ""))
    elif tag == "-comment":
        parts.append(str(node.html))
    elif not tag.startswith("-"):
        foreign = foreign or tag in ("svg", "math")
        if not foreign:
            tag = tag.lower()
        attrs = "".join(f' {k if foreign else k.lower()}="{_encode_xml(v or "")}"'
                        for k, v in node.attributes.items())
        kids = children(node)
        if not kids:
            parts.append(f"<{tag}{attrs}/>")
            return
        parts.append(f"<{tag}{attrs}>")
        for kid in kids:
            _write(kid, parts, foreign)
        parts.append(f"</{tag}>")


def text(node: Any) -> str:
    """``ret: text``: cheerio's ``text()``: the text below the element, leaving out comments
    and the content of ``script`` and ``style`` elements (the element itself included)."""
    if node.tag == "-text":
        return str(node.text_content or "")
    if node.tag in ("script", "style") or node.tag.startswith("-"):
        return ""
    return "".join(text(kid) for kid in children(node))


def inner_html(node: Any) -> str:
    """``ret: compl``'s text: the element's inner HTML, as HTML, trimmed."""
    return str(node.inner_html or "").strip(_JS_TRIM)


def attributes(node: Any) -> dict[str, str]:
    """The element's attributes (an attribute without a value has ``""``)."""
    return {k: v or "" for k, v in node.attributes.items()}
