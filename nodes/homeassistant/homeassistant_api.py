"""homeassistant-api: a request to Home Assistant's REST API, or a command on its WebSocket API,
for each message; the answer goes into a message property."""

from __future__ import annotations

import json
from typing import Any, Literal

from flowrt.api import (
    AsyncTransform,
    ConnectionLost,
    Message,
    NodeConfig,
    NodeError,
    compile_expression,
    field,
    js_string,
    set_property,
)

from .homeassistant_mustache import render_mustache
from .homeassistant_server import server_of

PROTOCOLS = ("websocket", "http")
METHODS = ("get", "post", "put", "delete")
RESPONSES = ("json", "text", "arraybuffer")


class HomeassistantApi(AsyncTransform):
    """Call Home Assistant's API for each message (Node-RED's `API`, ha-api): an HTTP request
    to its REST API (`/api/...`, with the connection's token) or a command on the WebSocket
    API the connection holds.

    ### Inputs

    An object `payload` may override the configuration, as in Node-RED: `payload.protocol`,
    `payload.method`, `payload.path`, `payload.data` (used as given, no template),
    `payload.dataType` and `payload.responseType`.

    ### Outputs

    - `payload` (`output`): Home Assistant's answer: the command's result, or the response
      body (JSON read as such; text with `response_type: text`; bytes with `arraybuffer`).

    ### Details

    `data` is an object, JSON text with `{{ name }}` placeholders (Node-RED's mustache: a
    message property, `flow.key` or `global.key`, or an entity's state, `states.sun.sun` or
    `entity.sun.sun.attributes.elevation`), or with `data_type: jsonata`, an expression of the
    message. For HTTP, `path` is under `/api/` (a leading `/` or `/api/` is dropped) and takes
    placeholders; GET and DELETE send the data as the query, POST and PUT as a JSON body. A
    WebSocket command is the data itself and needs its `type`; for a subscription
    (`subscribe_events`) only the first answer is sent, not the events that follow. A request
    Home Assistant refuses fails the message, with its answer.

    ```yaml
    nodes:
      history:
        type: homeassistant-api
        server: home
        protocol: http
        method: get
        path: "history/period/{{ since }}"
        data: {filter_entity_id: sun.sun}
    ```
    """

    type = "homeassistant-api"
    icon = "plug"
    evaluates = {"jsonata": ("data",), "mustache": ("data", "path")}

    class Config(NodeConfig):
        server: str = field(connection="homeassistant-server", examples=["home"],
                            description="The homeassistant-server connection.")
        protocol: Literal["websocket", "http"] = field(
            "websocket", description="A WebSocket command, or an HTTP request to the REST "
            "API.")
        method: Literal["get", "post", "put", "delete"] = field(
            "get", description="The HTTP method.")
        path: str = field("", description="The REST API path, under `/api/`.",
                          examples=["states/sun.sun", "services/light/turn_on"])
        data: dict[str, Any] | list[Any] | str = field(
            "", description="The command or the request's data: an object, JSON text with "
            "`{{ name }}` placeholders, or a JSONata expression (`data_type`).",
            examples=[{"type": "config/area_registry/list"}])
        data_type: Literal["json", "jsonata"] = field(
            "json", description="How `data` is read when it is text.")
        response_type: Literal["json", "text", "arraybuffer"] = field(
            "json", description="How an HTTP response body is read.")
        output: str | None = field("payload", description="The message property that "
                                   "receives the answer; none for none.")

    config: Config

    async def start(self) -> None:
        self._server = server_of(self.ctx, self.config.server)
        self._client = self._server.attach(self.id, self.ctx.status)
        data = self.config.data
        self._expression = (compile_expression(data, self.ctx)
                            if isinstance(data, str) and self.config.data_type == "jsonata"
                            and data.strip() else None)
        self._http: Any = None

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        await self._server.detach(self.id)

    async def receive(self, msg: Message) -> None:
        await self._client.session()  # the states the placeholders read, as Node-RED needs
        given = msg.get("payload")
        given = given if isinstance(given, dict) else {}
        protocol = _choice(given.get("protocol", self.config.protocol), PROTOCOLS, "protocol")
        data = self._data(msg, given)
        if protocol == "http":
            result = await self._request(msg, given, data)
        else:
            if not isinstance(data, dict) or "type" not in data:
                raise NodeError("a WebSocket command needs its `type` in the data")
            self.ctx.status("yellow", "dot", "sending")
            result = await self._client.command(data)
        if self.config.output:
            set_property(msg, self.config.output, result)
        self.ctx.status("green", "dot", f"{protocol} called")
        self.ctx.send(msg, origin=msg)

    def _data(self, msg: Message, given: dict[str, Any]) -> Any:
        if "data" in given:
            return given["data"]
        data = self.config.data
        if not isinstance(data, str):
            return data
        if not data.strip():
            return None
        kind = _choice(given.get("dataType", self.config.data_type), ("json", "jsonata"),
                       "dataType")
        if kind == "jsonata":
            expression = self._expression if self._expression is not None and \
                "dataType" not in given else compile_expression(data, self.ctx)
            return expression(msg, None)
        text = render_mustache(data, msg, self._client.states, self.ctx)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise NodeError(f"the data is not JSON ({exc}): {text[:80]!r}") from exc

    async def _request(self, msg: Message, given: dict[str, Any], data: Any) -> Any:
        import httpx

        method = _choice(given.get("method", self.config.method), METHODS, "method")
        answer = _choice(given.get("responseType", self.config.response_type), RESPONSES,
                         "responseType")
        path = render_mustache(str(given.get("path", self.config.path)), msg,
                               self._client.states, self.ctx)
        path = path.removeprefix("/").removeprefix("api/") if path.startswith("/") else path
        if not path:
            raise NodeError("an HTTP request needs a `path` (under /api/)")
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self._server.config.url + "/api/", timeout=60.0,
                headers={"Authorization": f"Bearer {self._server.token}"})
        self.ctx.status("yellow", "dot", f"{method.upper()} {path}")
        body = {} if data is None else data
        try:
            if method == "get":
                response = await self._http.request(method, path, params=_query(body))
            else:
                response = await self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise ConnectionLost(f"Home Assistant at {self._server.config.url}: {exc}") \
                from exc
        if response.is_error:
            raise NodeError(f"Home Assistant answered {method.upper()} /api/{path} with "
                            f"{response.status_code}: {_message(response)}")
        if answer == "arraybuffer":
            return response.content
        if answer == "text":
            return response.text
        try:
            return response.json() if response.content else ""
        except ValueError:
            return response.text


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise NodeError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)


def _query(data: Any) -> dict[str, str | list[str]]:
    """The data as a query, as axios writes its params: scalars as text, lists as
    ``key[]``, objects as JSON."""
    if not isinstance(data, dict):
        raise NodeError(f"the data of a GET request must be an object; got {data!r}")
    query: dict[str, str | list[str]] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            query[f"{key}[]"] = [v if isinstance(v, str) else json.dumps(v) for v in value]
        elif isinstance(value, dict):
            query[key] = json.dumps(value)
        else:
            query[key] = js_string(value)
    return query


def _message(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return str(response.text)[:200]
    if isinstance(body, dict) and "message" in body:
        return str(body["message"])
    return json.dumps(body)[:200]
