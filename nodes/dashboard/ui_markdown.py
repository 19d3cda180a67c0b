"""ui-markdown: Markdown text, rendered on the server with raw HTML turned off."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

from flowrt.api import MISSING, Message, Output, Transform, field, get_property

from .widget import Widget, WidgetConfig, format_text


class UiMarkdown(Widget, Transform):
    """Shows Markdown, with `{{value}}` and `{{msg.<path>}}` filled in from the message.

    ### Inputs

    : payload (any) : `{{value}}` in `content`; with an empty `content`, the payload is the
      Markdown. With `msg.socketid`, only that browser's text changes.

    ### Details

    Rendered on the server by markdown-it-py (CommonMark with tables and strikethrough), with
    raw HTML off: `<script>`, `<img onerror=...>` and any other tag in the text are shown as
    text, and links to `javascript:`, `vbscript:`, `file:` and `data:` (but images) are not
    made. The browser keeps, besides, only the tags and attributes Markdown makes.

    ```yaml
    nodes:
      notes:
        type: ui-markdown
        dashboard: board
        content: "## Boiler\\n\\nTemperature: **{{value}} °C**"
    ```
    """

    type = "ui-markdown"
    kind = "markdown"
    category = "sink"
    outputs = 0

    class Config(WidgetConfig):
        property: str = field("payload", description="The message property that is "
                              "`{{value}}`.")
        content: str = field("{{value}}", description="The Markdown, with `{{value}}` and "
                             "`{{msg.<path>}}` (empty: the value is the Markdown).",
                             examples=["**{{value}}** °C"])

    config: Config

    def describe(self) -> dict[str, Any]:
        return {"label": self.label}

    def initial(self) -> dict[str, Any]:
        return {"html": ""}

    def render(self, text: str) -> str:
        renderer: MarkdownIt | None = getattr(self, "_md", None)
        if renderer is None:
            renderer = self._md = MarkdownIt("js-default", {"html": False})
        return str(renderer.render(text))

    def process(self, msg: Message) -> Output:
        value = get_property(msg, self.config.property)
        value = None if value is MISSING else value
        text = format_text(self.config.content or "{{value}}", value, msg)
        self.show({"html": self.render(text)}, msg)
        return None
