"""homeassistant-call-service: call a Home Assistant service (an action) for each message."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from flowrt.api import (
    AsyncTransform,
    Message,
    NodeConfig,
    NodeError,
    compile_expression,
    field,
    get_property,
    set_property,
)

from . import homeassistant_outputs as ha_outputs
from .homeassistant_compare import Comparer
from .homeassistant_server import server_of

MUSTACHE = re.compile(r"\{\{\{?\s*([^}]+?)\s*\}?\}\}")
TARGETS = ("entity_id", "area_id", "device_id", "floor_id", "label_id")


class HomeassistantCallService(AsyncTransform):
    """Call a Home Assistant service for each message (Node-RED's `call service`,
    api-call-service).

    ### Inputs

    Unless `block_input_overrides`, an object `payload` may override the configuration, as
    in Node-RED: `payload.domain` and `payload.service` replace them, `payload.data` (an
    object, or JSON text) is merged over the configured data, and each key of
    `payload.target` (`entity_id`, `area_id`, `device_id`) replaces the configured one.

    ### Outputs

    The message, once Home Assistant has run the service; with `output_data`, that property
    holds what was called: `{domain, service, data}`.

    ### Details

    `data` is an object, JSON text with `{{ property }}` placeholders filled in from the
    message (Node-RED's mustache), or with `data_type: jsonata`, an expression of the message.
    `domain`, `service` and the entity ids take placeholders too. A service Home Assistant
    refuses (an unknown one, bad data) fails the message, which catch nodes get.

    ```yaml
    nodes:
      lamp-on:
        type: homeassistant-call-service
        server: home
        domain: light
        service: turn_on
        entity_id: [light.kitchen]
        data: {brightness_pct: 60}
    ```
    """

    type = "homeassistant-call-service"
    icon = "plug"
    evaluates = {"jsonata": ("data", "output_properties[].value"),
                 "mustache": ("data", "domain", "service", "entity_id")}

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        domain: str = field("", description="The service's domain (`light`); may come "
                            "from `payload.domain`.", examples=["light"])
        service: str = field("", description="The service (`turn_on`); may come from "
                             "`payload.service`.", examples=["turn_on"])
        entity_id: list[str] = field(default_factory=list,
                                     description="Target entities.")
        area_id: list[str] = field(default_factory=list, description="Target areas.")
        device_id: list[str] = field(default_factory=list, description="Target devices.")
        data: dict[str, Any] | str = field(
            default_factory=dict, description="The service data: an object, JSON text with "
            "`{{ property }}` placeholders, or a JSONata expression (`data_type`).")
        data_type: Literal["json", "jsonata"] = field(
            "json", description="How `data` is read when it is text.")
        block_input_overrides: bool = field(
            False, description="Ignore what `payload` says about the call.")
        output_data: str | None = field(
            None, description="A message property that receives `{domain, service, data}` "
            "as called; none leaves the message as it came.", examples=["payload"])
        output_properties: list[ha_outputs.OutputProperty] = field(
            default_factory=list, description="More properties set once the service ran "
            "(Node-RED's output properties): `data` (the service data sent) and `results` "
            "(the service's response, for a service that gives one) are this node's values.")

    config: Config

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        data = self.config.data
        self._expression = (compile_expression(data, self.ctx)
                            if isinstance(data, str) and self.config.data_type == "jsonata"
                            and data.strip() else None)
        self._comparer = Comparer(self.ctx, [], lambda: self._client.states,
                                  self._server.is_true)
        ha_outputs.prepare(self.config.output_properties, self._comparer)
        self._responding: dict[str, Any] | None = None
        """Home Assistant's services, read once when `results` are wanted."""

    async def stop(self) -> None:
        await self._server.detach(self.id)

    async def receive(self, msg: Message) -> None:
        domain, service, data, target = self._call(msg)
        if not domain or not service:
            raise NodeError("no service to call: give `domain` and `service`, or "
                            "`payload.domain` and `payload.service`")
        command: dict[str, Any] = {"type": "call_service", "domain": domain,
                                   "service": service, "service_data": data}
        if target:
            command["target"] = target
        wants = any(p.value_type in ("results", "jsonata") for p in self.config.output_properties)
        if wants and await self._responds(domain, service):
            command["return_response"] = True
        result = await self._client.command(command)
        self.ctx.status("green", "dot", f"called {domain}.{service}")
        if self.config.output_data:
            set_property(msg, self.config.output_data,
                         {"domain": domain, "service": service, "data": data})
        if self.config.output_properties:
            results = result.get("response") if isinstance(result, dict) else None
            ha_outputs.apply(self.config.output_properties, msg, self.ctx, self._comparer,
                          self.config.model_dump(), {"data": data, "results": results})
        self.ctx.send(msg, origin=msg)

    async def _responds(self, domain: str, service: str) -> bool:
        """Whether the service gives a response (asked for then, as Node-RED does)."""
        if self._responding is None:
            found = await self._client.command({"type": "get_services"})
            self._responding = found if isinstance(found, dict) else {}
        described = (self._responding.get(domain) or {}).get(service) or {}
        return bool(described.get("response"))

    def _call(self, msg: Message) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
        cfg = self.config
        domain, service = _render(cfg.domain, msg), _render(cfg.service, msg)
        data = self._data(msg)
        target: dict[str, Any] = {}
        for key in ("entity_id", "area_id", "device_id"):
            ids = [_render(i, msg) for i in getattr(cfg, key) if i]
            ids = [i for part in ids for i in part.split(",") if i.strip()]
            if ids:
                target[key] = [i.strip() for i in ids]
        payload = msg.get("payload")
        if not cfg.block_input_overrides and isinstance(payload, dict):
            domain = str(payload.get("domain") or domain)
            service = str(payload.get("service") or service)
            extra = payload.get("data")
            if isinstance(extra, str) and extra.strip():
                extra = _json(extra, "payload.data")
            if isinstance(extra, dict):
                data = {**data, **extra}
            given = payload.get("target")
            if isinstance(given, dict):
                target.update({k: v for k, v in given.items() if k in TARGETS})
        return domain, service, data, target

    def _data(self, msg: Message) -> dict[str, Any]:
        data = self.config.data
        if isinstance(data, dict):
            return dict(data)
        if not data.strip():
            return {}
        if self._expression is not None:
            value = self._expression(msg, None)
        else:
            value = _json(_render(data, msg), "data")
        if not isinstance(value, dict):
            raise NodeError(f"the service data must be an object; got {value!r}")
        return value


def _render(text: str, msg: Message) -> str:
    """Node-RED's mustache, for message properties: ``{{ payload.id }}``."""
    def value(match: re.Match[str]) -> str:
        found = get_property(msg, match.group(1).strip(), None)
        if found is None:
            return ""
        return found if isinstance(found, str) else json.dumps(found)
    return MUSTACHE.sub(value, text)


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise NodeError(f"{what} is not JSON ({exc}): {text[:80]!r}") from exc
