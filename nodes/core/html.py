"""html: pick elements out of an HTML document with a CSS selector, as Node-RED's html node does.

The parser is selectolax's lexbor backend: it parses as the HTML specification says (as
parse5, the parser of Node-RED's cheerio, does: a missing ``</p>``, a ``<td>`` outside a table
or stray text end up where browsers put them) and it matches CSS selectors in C, without
building a Python object per element. BeautifulSoup with soupsieve would need html5lib for
the same tree, and is an order of magnitude slower. The writing of what is selected, as
cheerio writes it, is in nodes/core/html_serialize.py.
"""

from __future__ import annotations

from typing import Any, Literal

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    NodeError,
    Output,
    PropertyPath,
    Transform,
    clone,
    field,
    getter,
    setter,
)

from .html_serialize import attributes, inner_html, inner_xml, text


class Html(Transform):
    """Pick elements out of an HTML document with a CSS selector.

    ### Inputs

    A message whose `property` (default `payload`) holds an HTML document or fragment.
    `msg.select` gives the selector when the node has none.

    ### Outputs

    With `output: single`, one message whose `output_property` (default: the `property`)
    holds a list with one entry per element matching `selector`, in document order (an
    empty list when none matches). With `output: multiple`, one message per element, each
    with `parts` (`id`, `index`, `count`, `type: string`, `ch: ""`) so that a `join` node can
    rebuild the list; the input message itself is not sent on.

    ### Details

    What each element gives, by `return`:

    - `html`: its content as markup (written as XML: `<br/>`, characters outside ASCII as
      `&#xE9;`), without the whitespace at its ends;
    - `text`: its text, without the content of `script` and `style` elements;
    - `attr`: its attributes, as an object;
    - `compl`: its attributes and, under `text_key` (`_`), its content as HTML.

    With `output: multiple`, an element that gives an empty text sends no message (its
    index is skipped), as in Node-RED. A message without the property passes unchanged.
    A selector that is not valid is an error.

    ```yaml
    headlines:
      type: html
      selector: "h2.title a"
      return: text
      output: multiple
      output_property: headline
    ```
    """

    type = "html"
    icon = "braces"
    evaluates = {"css": ("selector", "msg.select")}

    class Config(NodeConfig):
        property: PropertyPath = field("payload", description="Message property with the HTML.")
        output_property: PropertyPath | None = field(
            None, description="Message property for the result; when not set, `property`.")
        selector: str = field(
            "", description="CSS selector of the elements; empty to take `msg.select`.",
            examples=["h1", "ul#list > li.item", "a[href]"], format="css")
        return_: Literal["html", "text", "attr", "compl"] = field(
            "html", alias="return",
            description="What each element gives: its content as markup (`html`), its "
            "`text`, its attributes (`attr`), or attributes and content (`compl`).")
        output: Literal["single", "multiple"] = field(
            "single",
            description="`single`: one message with a list; `multiple`: one message per "
            "element, with `parts`.")
        text_key: str = field(
            "_", description="Key of the content in what `return: compl` gives.",
            advanced=True)

    async def start(self) -> None:
        c = self.config
        self._get = getter(c.property)
        self._set = setter(c.output_property or c.property)
        self._extract = {"html": inner_xml, "text": text, "attr": attributes,
                         "compl": self._complete}[c.return_]

    def _complete(self, node: Any) -> dict[str, Any]:
        return {self.config.text_key: inner_html(node), **attributes(node)}

    def process(self, msg: Message) -> Output:
        value = self._get(msg)
        if value is MISSING:
            return msg
        if isinstance(value, bytes | bytearray):
            value = bytes(value).decode("utf-8", errors="replace")
        if not isinstance(value, str):
            raise NodeError(f"html: {self.config.property} is not HTML text")
        selector = self.config.selector or msg.get("select")
        if not selector or not isinstance(selector, str):
            found: list[Any] = []
        else:
            try:
                found = list(LexborHTMLParser(value).css(selector))
            except (SelectolaxError, ValueError) as exc:
                raise NodeError(f"html: the selector {selector!r} is not valid: {exc}") from exc
        results = [self._extract(node) for node in found]
        if self.config.output == "single":
            self._set(msg, results)
            return msg
        sent = []
        for index, result in enumerate(results):
            if result == "":
                continue
            part = clone(msg)
            self._set(part, result)
            part["parts"] = {"id": msg.get("_msgid"), "index": index, "count": len(results),
                             "type": "string", "ch": ""}
            sent.append(part)
        return [sent] if sent else None
