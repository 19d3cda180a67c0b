"""XML text -> object, with the mapping of xml2js 0.6 (the library of Node-RED's xml node).

The text is read by the standard library's expat through defusedxml's SAX reader: an entity
declaration, a reference to an external entity or DTD is refused before anything is expanded,
so an "XML bomb" (billion laughs, quadratic blow-up) fails at once instead of filling memory.
Node-RED's sax parser refuses the same documents (it knows no declared entities). SAX with
namespace processing off gives element and attribute names as written (``ns:tag``), which is
what xml2js gives with its default ``xmlns: false``.

The mapping, as xml2js's ``Parser`` does it: each element becomes an object whose text is under
``charkey`` (``_``) and attributes under ``attrkey`` (``$``); children are added under their tag
name, in a list (``explicitArray``); text that is only whitespace is dropped (unless it came
from CDATA); an element with only text becomes that text; an empty element becomes ``""``
(``emptyTag``); the root is wrapped in an object named after it (``explicitRoot``).

Expat follows the XML specification and reads a line break written ``\r\n`` as ``\n``, and a
line break or tab inside an attribute value as a space; sax keeps them as written. So before
parsing, those characters are written as character references (which expat keeps), in text
and in attribute values (:func:`_keep_as_written`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from xml.sax import SAXException
from xml.sax.handler import ContentHandler, property_lexical_handler
from xml.sax.xmlreader import AttributesImpl

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from flowrt.api import NodeError

_WHITESPACE = re.compile(r"\s*")
_SPACES = re.compile(r"\s{2,}")

UNSUPPORTED = ("explicitChildren", "preserveChildrenOrder", "charsAsChildren", "xmlns",
               "validator", "attrNameProcessors", "attrValueProcessors", "tagNameProcessors",
               "valueProcessors")
"""xml2js options flowrt does not implement: set to anything but false or null, they are an
error rather than silently giving another shape."""


@dataclass(frozen=True)
class ParseOptions:
    """The xml2js parser options that shape the result (``msg.options`` over the defaults)."""

    attrkey: str = "$"
    charkey: str = "_"
    explicit_array: bool = True
    explicit_root: bool = True
    explicit_charkey: bool = False
    ignore_attrs: bool = False
    merge_attrs: bool = False
    trim: bool = False
    normalize: bool = False
    normalize_tags: bool = False
    empty_tag: Any = ""

    @classmethod
    def from_message(cls, given: dict[str, Any], attrkey: str, charkey: str) -> ParseOptions:
        """The options of ``msg.options`` (keys as xml2js names them); ``attrkey`` and
        ``charkey`` are already resolved (the node's setting wins over the message's)."""
        for name in UNSUPPORTED:
            if given.get(name) not in (None, False):
                raise NodeError(f"xml: msg.options.{name} is not supported by flowrt")
        if given.get("strict", True) is not True:
            raise NodeError("xml: msg.options.strict: only strict parsing is supported")

        def flag(name: str, default: bool) -> bool:
            return bool(given.get(name, default))

        return cls(
            attrkey=attrkey, charkey=charkey,
            explicit_array=flag("explicitArray", True), explicit_root=flag("explicitRoot", True),
            explicit_charkey=flag("explicitCharkey", False),
            ignore_attrs=flag("ignoreAttrs", False), merge_attrs=flag("mergeAttrs", False),
            trim=flag("trim", False), normalize=flag("normalize", False),
            normalize_tags=flag("normalizeTags", False), empty_tag=given.get("emptyTag", ""),
        )


class _Frame:
    __slots__ = ("cdata", "name", "obj")

    def __init__(self, name: str, obj: dict[str, Any]) -> None:
        self.name, self.obj, self.cdata = name, obj, False


class _Builder(ContentHandler):
    """SAX events -> the xml2js object (the ``onopentag``/``onclosetag``/``ontext`` of
    xml2js's parser.js, in the same order)."""

    def __init__(self, options: ParseOptions) -> None:
        super().__init__()
        self.o = options
        self.stack: list[_Frame] = []
        self.result: Any = None
        self.in_cdata = False

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802 (SAX API)
        o = self.o
        obj: dict[str, Any] = {o.charkey: ""}
        if not o.ignore_attrs:
            for key, value in attrs.items():
                if o.merge_attrs:
                    self._assign(obj, key, value)
                else:
                    obj.setdefault(o.attrkey, {})[key] = value
        self.stack.append(_Frame(name.lower() if o.normalize_tags else name, obj))

    def characters(self, content: str) -> None:
        if self.stack:
            frame = self.stack[-1]
            frame.obj[self.o.charkey] += content
            if self.in_cdata:
                frame.cdata = True

    def endElement(self, name: str) -> None:  # noqa: N802 (SAX API)
        o, frame = self.o, self.stack.pop()
        obj: Any = frame.obj
        text = obj[o.charkey]
        empty = ""
        if _WHITESPACE.fullmatch(text) and not frame.cdata:
            empty = text
            del obj[o.charkey]
        else:
            if o.trim:
                text = text.strip()
            if o.normalize:
                text = _SPACES.sub(" ", text).strip()
            obj[o.charkey] = text
            if len(obj) == 1 and not o.explicit_charkey:
                obj = text
        if isinstance(obj, dict) and not obj:
            obj = o.empty_tag if o.empty_tag != "" else empty
        if self.stack:
            self._assign(self.stack[-1].obj, frame.name, obj)
        else:
            self.result = {frame.name: obj} if o.explicit_root else obj

    def _assign(self, obj: dict[str, Any], key: str, value: Any) -> None:
        """xml2js's ``assignOrPush``."""
        if key not in obj:
            obj[key] = [value] if self.o.explicit_array else value
        elif isinstance(obj[key], list):
            obj[key].append(value)
        else:
            obj[key] = [obj[key], value]

    # the lexical handler's events: only CDATA matters
    def startCDATA(self) -> None:  # noqa: N802
        self.in_cdata = True

    def endCDATA(self) -> None:  # noqa: N802
        self.in_cdata = False

    def startDTD(self, name: str, public_id: str, system_id: str) -> None:  # noqa: N802
        pass

    def endDTD(self) -> None:  # noqa: N802
        pass

    def comment(self, content: str) -> None:
        pass


_MARKUP = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE(?:[^\[>]|\[.*?\])*>"
    r"|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.DOTALL,
)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
_IN_VALUE = {"\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}


def _keep_as_written(text: str) -> str:
    """``text`` with each carriage return outside markup, and each line break or tab in an
    attribute value, written as a character reference, so that expat keeps them as sax does
    (a carriage return inside CDATA is taken out of the section)."""
    out: list[str] = []
    last = depth = 0  # references are only allowed inside the root element
    for found in _MARKUP.finditer(text):
        between = text[last:found.start()]
        out.append(between.replace("\r", "&#13;") if depth > 0 else between)
        token = found.group()
        if token.startswith("<![CDATA["):
            token = token.replace("\r", "]]>&#13;<![CDATA[")
        elif not token.startswith(("<!", "<?")):
            token = _QUOTED.sub(
                lambda q: "".join(_IN_VALUE.get(c, c) for c in q.group()), token)
            depth += -1 if token.startswith("</") else 0 if token.endswith("/>") else 1
        out.append(token)
        last = found.end()
    out.append(text[last:])
    return "".join(out)


def parse_xml(text: str, options: ParseOptions) -> Any:
    """The object xml2js's ``parseString`` gives for ``text`` (None for blank text).

    Raises NodeError for text that is not well-formed XML or that declares entities."""
    if text.strip() == "":
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text or "\t" in text or "\n" in text:
        text = _keep_as_written(text)
    builder = _Builder(options)
    reader = make_parser()  # defusedxml: forbids entity declarations and external references
    reader.setContentHandler(builder)
    reader.setProperty(property_lexical_handler, builder)
    try:
        reader.feed(text)
        reader.close()
    except DefusedXmlException as exc:
        raise NodeError(f"xml: refused: {exc}") from exc
    except SAXException as exc:
        raise NodeError(f"xml: not well-formed XML: {exc}") from exc
    return builder.result
