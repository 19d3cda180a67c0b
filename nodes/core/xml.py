"""xml: convert between XML text and objects, with the conventions of Node-RED's xml node
(the xml2js library): nodes/core/xml_parse.py reads, nodes/core/xml_build.py writes.

The module is named ``xml`` for its type id. flowrt imports its packs with absolute imports
only, so ``import xml.sax`` in this package still loads the standard library's package.
"""

from __future__ import annotations

from typing import Any

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    NodeError,
    Output,
    PropertyPath,
    Transform,
    field,
    getter,
    setter,
)

from .xml_build import BuildOptions, build_xml
from .xml_parse import ParseOptions, parse_xml


class Xml(Transform):
    """Convert between XML text and objects, as Node-RED's xml node does.

    ### Inputs

    A message whose `property` (default `payload`) holds XML text, or an object or a list.
    `msg.options` may hold xml2js options (see Details).

    ### Outputs

    Text is parsed into an object; an object or a list is written as XML text. A message
    without the property passes unchanged.

    ### Details

    Parsing follows xml2js, the library of Node-RED's node: `<item id="7">hot</item>` inside
    `<list>` becomes `{"list": {"item": [{"_": "hot", "$": {"id": "7"}}]}}`. Attributes are
    under `attr` (`$`), text under `text_key` (`_`) when the element also has attributes or
    children, and every child element is in a list, even when there is only one. An element
    with only text becomes that text, an empty one `""`; whitespace between elements is
    dropped. Blank text gives `null`.

    Writing takes the same shape back (an object with one key names the root element,
    otherwise the root is `<root>`); it writes on one line, with the XML declaration. With
    `msg.options`, writing is indented unless `renderOpts.pretty` is false; `rootName`,
    `headless`, `xmldec`, `attrkey` and `charkey` are honoured (the node's `attr` and
    `text_key` apply to parsing only, as in Node-RED).

    Parsing options in `msg.options`: `explicitArray`, `explicitRoot`, `explicitCharkey`,
    `ignoreAttrs`, `mergeAttrs`, `trim`, `normalize`, `normalizeTags`, `emptyTag`, `attrkey`,
    `charkey`. As in Node-RED, the node writes the options it used back into `msg.options`.

    Text that is not well-formed XML is an error, and so is a document that declares
    entities or refers to external ones: an "XML bomb" is refused before it is expanded.
    Other values (numbers, booleans, bytes) are not converted: a warning, and no message.

    ```yaml
    orders:
      type: xml
      property: payload.order
    ```
    """

    type = "xml"
    icon = "braces"

    class Config(NodeConfig):
        property: PropertyPath = field("payload", description="Message property to convert.")
        attr: str = field(
            "",
            description="Key of the attributes of a parsed element; empty for `$` (or "
            "`msg.options.attrkey`).",
            examples=["attributes"],
        )
        text_key: str = field(
            "",
            description="Key of the text of a parsed element that also has attributes or "
            "children; empty for `_` (or `msg.options.charkey`).",
            examples=["text"],
        )

    async def start(self) -> None:
        self._get, self._set = getter(self.config.property), setter(self.config.property)

    def process(self, msg: Message) -> Output:
        value = self._get(msg)
        if value is MISSING:
            return msg
        given = msg.get("options")
        options: dict[str, Any] | None = given if isinstance(given, dict) else None
        if isinstance(value, dict | list) or value is None:
            if value is None:
                raise NodeError(f"xml: {self.config.property} is null: nothing to write")
            if options is not None:
                options["async"] = False
            self._set(msg, build_xml(value, BuildOptions.from_message(options)))
            return msg
        if isinstance(value, str):
            given_options = options if options is not None else {}
            attrkey = self.config.attr or str(given_options.get("attrkey") or "$")
            charkey = self.config.text_key or str(given_options.get("charkey") or "_")
            if options is not None:
                options.update({"async": True, "attrkey": attrkey, "charkey": charkey})
            parsed = parse_xml(value, ParseOptions.from_message(given_options, attrkey, charkey))
            self._set(msg, parsed)
            return msg
        self.ctx.warn(f"xml: {self.config.property} is not XML text or an object; dropped", msg)
        return None
