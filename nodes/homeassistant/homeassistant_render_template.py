"""homeassistant-render-template: a Home Assistant template, rendered by Home Assistant."""

from __future__ import annotations

from flowrt.api import AsyncTransform, Message, NodeConfig, NodeError, field, set_property

from .homeassistant_server import server_of


class HomeassistantRenderTemplate(AsyncTransform):
    """Have Home Assistant render a template (Jinja, with its `states()`, `state_attr()`...)
    for each message (Node-RED's `get template`, api-render-template).

    ### Inputs

    - `template`: a template used instead of the configured one.

    ### Outputs

    - `payload` (`output`): what Home Assistant rendered. It gives numbers, lists and objects
      as such when the text reads as one (`{{ 1 + 1 }}` is 2), else text.
    - `template` (`template_output`): the template rendered.

    ### Details

    The template runs on Home Assistant, in its sandbox, and may read every entity the
    token's user sees. A template Home Assistant cannot render fails the message.

    ```yaml
    nodes:
      outside:
        type: homeassistant-render-template
        server: home
        template: "{{ state_attr('weather.home', 'temperature') }}"
    ```
    """

    type = "homeassistant-render-template"
    icon = "plug"
    evaluates = {"jinja": ("template", "msg.template")}

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        template: str = field("", description="The template; `msg.template` replaces it.",
                              examples=["{{ states('sun.sun') }}"], format="code:jinja")
        output: str = field("payload", description="The message property that receives "
                            "the result.")
        template_output: str | None = field(
            "template", description="The message property that receives the template "
            "rendered; none for none.")

    config: Config

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)

    async def stop(self) -> None:
        await self._server.detach(self.id)

    async def receive(self, msg: Message) -> None:
        given = msg.get("template")
        template = given if isinstance(given, str) and given else self.config.template
        if not template:
            raise NodeError("no template: give `template`, or `msg.template`")
        result = await self._client.render(template)
        set_property(msg, self.config.output, result)
        if self.config.template_output:
            set_property(msg, self.config.template_output, template)
        self.ctx.send(msg, origin=msg)
