"""http-in: serve an HTTP endpoint; each request becomes a message for http-response to answer."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from flowrt.api import Ack, Message, NodeConfig, Source, clone, field

from .access import EndpointConfig
from .exchange import Exchange, drop, exchanges_of, open_exchange
from .incoming import BadRequest, multi_dict, parse_body, read_body, request_info
from .outgoing import text_response

Method = Literal["get", "post", "put", "delete", "patch"]


class Served(NodeConfig):
    """The endpoint an http-in serves."""

    method: Method = field("get", description="The HTTP method this endpoint answers.")
    url: str = field(
        description="The path served; `:name` parts are parameters (`req.params.name`).",
        examples=["/hello", "/users/:id"],
        min_length=1,
    )
    upload: bool = field(
        False,
        description="Accept `multipart/form-data` uploads: fields in `payload`, files in "
        "`req.files`.",
    )
    timeout: float = field(
        120.0, gt=0, description="Seconds to wait for an http-response before answering 504."
    )
    max_body_size: int = field(
        5 * 1024 * 1024, ge=0, advanced=True,
        description="Largest request body accepted, in bytes; larger ones get 413.",
    )
    max_pending: int = field(
        1000, ge=1, advanced=True,
        description="Requests waiting for the flow to take them; more get 503 (busy).",
    )


class HttpIn(Source):
    """Serve an HTTP endpoint: every request is a message, answered by an http-response node.

    ### Outputs

    - `payload`: for `get`, the query parameters (`{"q": "x"}`; a name given twice gets a
      list); otherwise the body: JSON parsed, a form (`application/x-www-form-urlencoded`) as a
      dict, text and XML as a string, binary types (`application/octet-stream`, images...) as
      bytes, and `{}` when there is no body.
    - `req`: the request as plain data, with the JSON-safe properties of the Express request
      Node-RED gives: `method`, `url` and `originalUrl` (path and query), `path`, `params`
      (from `:name` parts of the url), `query`, `headers` (lower-case names), `cookies`, `ip`
      and `connection.remoteAddress` (the client's address; also `remote_address`),
      `hostname`, `protocol`, `secure`, `xhr`, `httpVersion`, `body` (the parsed body, as in
      `payload`; not for `get`), and with `upload` the `files` (`fieldname`, `originalname`,
      `mimetype`, `size`, `buffer`).
    - `client`: with `auth`, who called: `{name, kind, scopes}`, `kind` being `key`, `token`
      or `user` (never the key, token or password; the `authorization` and `x-api-key`
      headers of `req.headers` read `[hidden]`).
    - `res`: the handle of the waiting request (`{"_res": "<id>"}`). Keep it on the message
      until it reaches http-response; copies of the message (fan-out) share it.

    ### Details

    Routes are served by `flowrt run` on `--http HOST:PORT` (127.0.0.1:1880 by default: only
    this machine can reach them unless you choose another address). `url: /users/:id` matches
    `/users/42` with `req.params.id == "42"`; a trailing slash is ignored. Two nodes serving
    the same method and url stop the flow from starting, naming both.

    The request waits for an http-response node to answer. With none within `timeout` seconds
    the client gets `504`, with a text naming this node. If the flow fails on the message (an
    error no catch node takes) before anything answered, the client gets `500` naming this node
    and the message id (the error itself goes to the log, never to the client). A catch node
    wired to an http-response can answer errors its own way.

    Bodies over `max_body_size` bytes are refused with `413`, invalid JSON with `400`. While the
    flow stops, new requests get `503`; requests already in the flow are still answered.

    `out: NAME` names the ontology the payload follows (see docs/ontologies.md): the body (the
    query for `get`) is checked against it, and one that does not conform is refused with
    `400` saying where and which rule of the schema it fails (never the values it holds), so
    the flow only sees conforming payloads. The flows' OpenAPI document describes the request
    body with that schema (docs/openapi.md).

    `auth` decides who may call (see docs/keys.md): `key` takes an API key made by `flowrt
    keys add` (in `Authorization: Bearer KEY` or `X-API-Key: KEY`, never in the query string)
    and, with `scopes`, only keys that have them; `bearer` one of `tokens`; `basic` one of
    `users`. A request without valid credentials gets 401 with `WWW-Authenticate`, a key
    without a scope 403, and neither reaches the flow. `rate`/`burst` and `quota` limit each
    client (429 with `Retry-After`); `cors` lets other sites' pages call the endpoint (the
    engine answers preflights). Requests to endpoints with these settings are counted per
    client in `/metrics` (`flowrt_http_requests_total`).

    ```yaml
    readings:
      type: http-in
      method: post
      url: /readings
      auth: key
      scopes: [readings:write]
      rate: 5
      burst: 20
      quota: 10000
      to: store
    ```

    In a flow test (`flowrt test`), replace the http-in and http-response nodes with doubles
    (`replace: [{type: http-in}, {type: http-response}]`), send `from` the http-in a message
    with the `payload` and `req` a request would give, and look at what arrives at the
    http-response.

    ```yaml
    get_user:
      type: http-in
      method: get
      url: /users/:id
      to: lookup
    ```
    """

    type = "http-in"
    icon = "globe"

    class Config(EndpointConfig, Served):
        """What the endpoint serves (:class:`Served`), then who may call it and how often
        (:class:`EndpointConfig`), in that order in forms and docs."""

    config: Config

    @classmethod
    def once_in_group(cls, config: Any) -> bool:
        return False  # every worker serves its own requests

    async def start(self) -> None:
        self._queue: asyncio.Queue[tuple[Message, RequestAck]] = asyncio.Queue()
        self.closing = False
        self.ctx.http_routes().add(self.id, self.config.method, self.config.url, self._handle,
                                   access=self.config)

    async def read(self) -> tuple[Message, Ack | None]:
        return await self._queue.get()

    async def close(self) -> None:
        """No new requests; those never handed to the flow are answered 503."""
        self.closing = True
        while not self._queue.empty():
            _, ack = self._queue.get_nowait()
            ack.exchange.answer(text_response(503, self.stopping_text()), "the shutdown")
            drop(ack.exchange)

    async def stop(self) -> None:
        self.closing = True
        self.ctx.http_routes().remove(self.id)
        # requests still waiting: their messages were held past the drain deadline
        for exchange in exchanges_of(self.id):
            exchange.answer(text_response(503, self.stopping_text()), "the shutdown")
            drop(exchange)

    def stopping_text(self) -> str:
        return f"node '{self.id}' (http-in): the flow is stopping; try again later"

    async def _handle(self, request: Any) -> Any:
        if self.closing:
            return text_response(503, self.stopping_text())
        try:
            body = await read_body(request, self.config.max_body_size)
            payload, files = parse_body(
                request.headers.get("content-type", ""), body, self.config.upload
            )
        except BadRequest as exc:
            return text_response(exc.status, f"node '{self.id}' (http-in): {exc}")
        from_query = self.config.method == "get"
        refused = self._nonconforming(request.query_params if from_query else payload,
                                      from_query)
        if refused:
            return text_response(400, f"node '{self.id}' (http-in): {refused}")
        if self._queue.qsize() >= self.config.max_pending:
            text = f"node '{self.id}' (http-in): {self.config.max_pending} requests are waiting"
            return text_response(503, text)
        req = request_info(request, files, payload)
        exchange = open_exchange(self.id)
        msg: Message = {
            "_msgid": self.ctx.new_msgid(),
            "payload": clone(req["query"]) if self.config.method == "get" else payload,
            "req": req,
            "res": exchange.handle(),
        }
        client = request.scope.get("flowrt.client")
        if client:
            msg["client"] = client
        self.ctx.continue_trace(msg, request.headers.get("traceparent"))
        exchange.msgid = msg["_msgid"]
        timer = self.ctx.call_later(self.config.timeout, lambda: self._time_out(exchange))
        self._queue.put_nowait((msg, RequestAck(self, exchange)))
        try:
            return await asyncio.shield(exchange.future)
        finally:
            timer.cancel()
            exchange.answer(None, "the server, which gave up the request")

    def _nonconforming(self, given: Any, from_query: bool) -> str:
        """Why the payload does not conform to the ontology of ``out:`` ('' when it does, or
        when the node declares none); names the place and the schema's rule, not the values."""
        declared = self.ctx.output_type(0)
        if declared is None:
            return ""
        payload = multi_dict(list(given.multi_items())) if from_query else given
        problem = declared.problem(payload)
        if problem is None:
            return ""
        what = "the query" if from_query else "the body"
        return f"{what} does not conform to {declared.name}: {problem}"

    def _time_out(self, exchange: Exchange) -> None:
        text = (
            f"node '{self.id}' (http-in): no http-response answered within "
            f"{self.config.timeout:g} s (msg {exchange.msgid})"
        )
        if exchange.flow_done:
            text += "; the flow finished with the message without reaching an http-response"
        if exchange.answer(text_response(504, text), "the timeout"):
            self.ctx.warn(text)


class RequestAck:
    """Settled by the engine when the flow finished with a request's message: a nack with no
    answer yet is a failed flow (500), or a message given up at shutdown (503)."""

    def __init__(self, node: HttpIn, exchange: Exchange) -> None:
        self.node = node
        self.exchange = exchange

    async def ack(self) -> None:
        self.exchange.finish()

    async def nack(self, requeue: bool = True) -> None:
        if self.node.closing:
            self.exchange.answer(text_response(503, self.node.stopping_text()), "the shutdown")
        else:
            text = (
                f"node '{self.node.id}' (http-in): the flow failed on this request "
                f"(msg {self.exchange.msgid}) before an http-response answered; "
                "the error is in flowrt's log"
            )
            self.exchange.answer(text_response(500, text), "the flow's error")
        self.exchange.finish()

