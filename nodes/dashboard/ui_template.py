"""ui-template: HTML made from a Jinja template over the message, shown through an allowlist."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from flowrt.api import Message, Output, Transform, check_jinja, compile_jinja, field

from .html_allowlist import ALLOWLIST, sanitize
from .widget import Widget, WidgetConfig

ESCAPED = "{%% autoescape true %%}%s{%% endautoescape %%}"
"""The template, with Jinja's HTML escaping on for every value it prints."""


class UiTemplate(Widget, Transform):
    """Shows HTML made from a Jinja template over the message, kept to an allowlist.

    The template is rendered on the server (`{{ msg.payload }}`), then kept to an allowlist
    of tags and attributes there and in the browser.

    ### Inputs

    : payload (any) : the template's `msg.payload` (and `payload`); every property of the
      message is a variable. With `msg.socketid`, only that browser's HTML changes.

    ### Outputs

    : (the message) : with `passthru`, the message in, unchanged.

    ### Details

    The template is Jinja (`{{ msg.payload }}`, `{{ msg.topic }}`, `{% for row in
    msg.payload %}`...), run in the sandbox and within the limits of the `template` node,
    and **every value it prints is HTML-escaped**: a payload holding `<script>` shows as text.
    The author's own markup (and a value passed through `| safe`) is then kept to an
    allowlist, on the server and again in the browser: common text, list, table and layout
    tags, `class`, `title`, a few plain `style` properties, links and images to http, https
    and mailto addresses. `<script>`, `on*` attributes, `javascript:` links, `<iframe>`,
    `<svg>`, `<style>` and forms are removed, under every `--scripts` policy: a flow author's
    script never runs in the browsers of the people who look at the dashboard (the page's CSP
    forbids inline script besides). Interaction is the input widgets' work.

    With `store` off, a browser that connects later shows nothing until the next message
    (node-red-dashboard's `storeOutMessages` off); otherwise it gets the last HTML at once.

    ```yaml
    nodes:
      boiler:
        type: ui-template
        dashboard: board
        template: |
          <h3>{{ msg.topic }}</h3>
          <p class="big">{{ msg.payload }} °C</p>
    ```
    """

    type = "ui-template"
    kind = "template"
    icon = "doc"
    evaluates = {"jinja": ("template",)}

    class Config(WidgetConfig):
        template: str = field("<div>{{ msg.payload }}</div>", description="The HTML, a Jinja "
                              "template over the message; what it prints is escaped.",
                              examples=["<b>{{ msg.topic }}</b>: {{ msg.payload }}"],
                              format="multiline")
        store: bool = field(True, description="Show the last HTML to a browser that connects "
                            "later (off: it waits for the next message).")
        passthru: bool = field(False, description="Send each message in on to the output.")

        @field_validator("template")
        @classmethod
        def _compiles(cls, template: str) -> str:
            check_jinja(ESCAPED % template)
            return template

    config: Config

    def describe(self) -> dict[str, Any]:
        return {"label": self.label, "store": self.config.store, "allow": ALLOWLIST}

    def initial(self) -> dict[str, Any]:
        return {"html": ""}

    async def start(self) -> None:
        self._render = compile_jinja(ESCAPED % self.config.template, {})
        await super().start()

    def process(self, msg: Message) -> Output:
        html = sanitize(self._render(msg))
        self.show({"html": html}, msg)
        return msg if self.config.passthru else None
