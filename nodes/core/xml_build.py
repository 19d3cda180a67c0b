"""Object -> XML text, as xml2js 0.6's ``Builder`` writes it through xmlbuilder 11.

The object's keys become elements; ``$`` (``attrkey``) holds attributes and ``_`` (``charkey``)
text; a list repeats its element. An object with a single key is the root element; otherwise
the root is ``root`` (``rootName``). The declaration is ``<?xml version="1.0" encoding="UTF-8"
standalone="yes"?>`` unless ``headless``. Text and attribute values are escaped as xmlbuilder
escapes them; numbers and booleans are written as JavaScript writes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flowrt.api import NodeError

from .js_coercion import to_str

# XML 1.0 names (xmlbuilder checks each element and attribute name against the same ranges)
_START = (":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
          "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
          "\U00010000-\U000effff")
_NAME = re.compile(f"[{_START}][{_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass
class _Element:
    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[_Element | str] = field(default_factory=list)


@dataclass(frozen=True)
class BuildOptions:
    """The xml2js builder options flowrt writes with (``msg.options`` over these defaults)."""

    attrkey: str = "$"
    charkey: str = "_"
    root_name: str = "root"
    declaration: dict[str, Any] | None = field(
        default_factory=lambda: {"version": "1.0", "encoding": "UTF-8", "standalone": True})
    pretty: bool = True
    indent: str = "  "
    newline: str = "\n"

    @classmethod
    def from_message(cls, given: dict[str, Any] | None) -> BuildOptions:
        """The options of ``msg.options``; without it, Node-RED writes without indentation."""
        if given is None:
            return cls(pretty=False)
        if given.get("doctype") is not None:
            raise NodeError("xml: msg.options.doctype is not supported by flowrt")
        if given.get("cdata"):
            raise NodeError("xml: msg.options.cdata is not supported by flowrt")
        render = given.get("renderOpts")
        render = render if isinstance(render, dict) else {}
        declaration = given.get("xmldec", cls().declaration)
        return cls(
            attrkey=str(given.get("attrkey", "$")), charkey=str(given.get("charkey", "_")),
            root_name=str(given.get("rootName", "root")),
            declaration=None if given.get("headless") else dict(declaration or {}),
            pretty=bool(render.get("pretty", True)), indent=str(render.get("indent", "  ")),
            newline=str(render.get("newline", "\n")),
        )


def build_xml(value: Any, o: BuildOptions) -> str:
    """The text xml2js's ``Builder.buildObject`` writes for ``value`` (a dict or a list)."""
    if isinstance(value, dict) and len(value) == 1 and o.root_name == "root":
        root_name, value = next(iter(value.items()))
    elif isinstance(value, list) and len(value) == 1:
        root_name, value = "0", value[0]
    else:
        root_name = o.root_name
    root = _Element(_checked_name(root_name))
    _render(root, value, o)
    return _write(root, o)


def _keys(value: Any) -> list[tuple[str, Any]]:
    """JavaScript's ``for (key in value)`` over a JSON value."""
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list | str):
        return [(str(i), v) for i, v in enumerate(value)]
    return []


def _child(parent: _Element, name: str) -> _Element:
    element = _Element(_checked_name(name))
    parent.children.append(element)
    return element


def _render(element: _Element, obj: Any, o: BuildOptions) -> None:
    if obj is None:
        return
    if not isinstance(obj, dict | list):
        _text(element, obj)
    elif isinstance(obj, list):
        for item in obj:
            for key, entry in _keys(item):
                _render(_child(element, key), entry, o)
    else:
        for key, child in obj.items():
            if key == o.attrkey:
                for attr, value in _keys(child) if isinstance(child, dict | list) else []:
                    if value is not None:
                        element.attrs[_checked_name(attr)] = _legal(to_str(value))
            elif key == o.charkey:
                _text(element, child)
            elif isinstance(child, list):
                for entry in child:
                    _render(_child(element, key), entry, o)
            elif isinstance(child, dict):
                _render(_child(element, key), child, o)
            else:
                _text(_child(element, key), "" if child is None else child)


def _text(element: _Element, value: Any) -> None:
    if value is None:
        raise NodeError(f"xml: missing text of element <{element.name}> (null)")
    text = _legal(to_str(value))
    if text:
        element.children.append(text)


def _checked_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise NodeError(f"xml: invalid character in name {name!r}: it cannot be an XML name")
    return name


def _legal(text: str) -> str:
    found = _ILLEGAL.search(text)
    if found:
        raise NodeError(f"xml: invalid character U+{ord(found.group()):04X} in text {text!r}")
    return text


def _escape_text(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#xD;"))


def _escape_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
            .replace("\t", "&#x9;").replace("\n", "&#xA;").replace("\r", "&#xD;"))


def _write(root: _Element, o: BuildOptions) -> str:
    parts: list[str] = []
    end = o.newline if o.pretty else ""
    if o.declaration is not None:
        d = o.declaration
        text = f'<?xml version="{d.get("version", "1.0")}"'
        if d.get("encoding"):
            text += f' encoding="{d["encoding"]}"'
        if d.get("standalone") is not None:
            text += f' standalone="{"yes" if d["standalone"] else "no"}"'
        parts.append(text + "?>" + end)
    _write_element(root, o, 0, parts)
    out = "".join(parts)
    return out[: -len(end)] if end and out.endswith(end) else out


def _write_element(element: _Element, o: BuildOptions, level: int, parts: list[str]) -> None:
    pad, end = (o.indent * level, o.newline) if o.pretty else ("", "")
    head = pad + "<" + element.name + "".join(
        f' {k}="{_escape_attr(v)}"' for k, v in element.attrs.items())
    children = element.children
    if not children:
        parts.append(head + "/>" + end)
    elif len(children) == 1 and isinstance(children[0], str):
        parts.append(head + ">" + _escape_text(children[0]) + "</" + element.name + ">" + end)
    else:
        parts.append(head + ">" + end)
        for child in children:
            if isinstance(child, str):
                inner = o.indent * (level + 1) if o.pretty else ""
                parts.append(inner + _escape_text(child) + end)
            else:
                _write_element(child, o, level + 1, parts)
        parts.append(pad + "</" + element.name + ">" + end)
