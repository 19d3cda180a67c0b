"""http-response: answer the request an http-in message came from."""

from __future__ import annotations

from http.cookies import CookieError

from flowrt.api import Message, NodeConfig, NodeError, Output, Transform, field

from .exchange import find
from .outgoing import reply_of, to_response


class HttpResponse(Transform):
    """Answer the HTTP request a message came from (its http-in node's `res`).

    ### Inputs

    - `payload`: the body. An object, a list, a boolean or null is sent as JSON
      (`application/json`); a string or a number as `text/html` (set a `content-type`
      header for another type, such as `text/plain`); bytes as they are
      (`application/octet-stream`); no payload sends an empty body.
    - `statusCode` (optional): the status when the node's `status_code` is not set; else 200.
    - `headers` (optional): headers to send; the node's own `headers` win over them.
      `content-length`, `transfer-encoding`, `connection` and `content-encoding` are ignored
      here (they usually come from an http-request's response, whose body was decoded); set
      them in the node's `headers` to send them.
    - `cookies` (optional): `name: "value"`, or `name: {value, maxAge (ms), expires, path,
      domain, secure, httpOnly, sameSite}`; a `null` value (or `name: null`) clears it.
    - `res`: the handle http-in put on the message.

    ### Details

    Only the first answer to a request is sent. When the message was copied (a fan-out to two
    http-response nodes), a second answer is dropped with a warning naming the node that
    answered first; so is an answer after the request timed out. A message with no `res` (one
    that did not come from http-in, or lost its `res` on the way) is an error for catch nodes:
    `no http-in request to answer`.

    ```yaml
    reply:
      type: http-response
      status_code: 201
      headers: {cache-control: no-store}
    ```
    """

    type = "http-response"
    icon = "globe"
    category = "sink"
    outputs = 0
    mutates = False

    class Config(NodeConfig):
        status_code: int | None = field(
            None, ge=100, le=599,
            description="The status to answer with; when not set, `msg.statusCode`, else 200.",
            examples=[200, 201, 404],
        )
        headers: dict[str, str] = field(
            default_factory=dict,
            description="Headers to send (they win over `msg.headers`).",
            examples=[{"content-type": "text/plain", "cache-control": "no-store"}],
        )

    config: Config

    def process(self, msg: Message) -> Output:
        res = msg.get("res")
        exchange = find(res)
        if exchange is None:
            if not isinstance(res, dict) or "_res" not in res:
                raise NodeError(
                    "no http-in request to answer: the message has no `res`; http-response "
                    "answers messages that came from an http-in node, with `res` kept"
                )
            raise NodeError(
                "no http-in request to answer: the request of this message is no longer "
                "waiting (its flow finished, or its http-in node stopped)"
            )
        reply = reply_of(msg, self.config.status_code, self.config.headers)
        try:
            response = to_response(reply)
        except (ValueError, KeyError, AssertionError, CookieError) as exc:
            raise NodeError(f"cannot build the response: {exc}") from exc
        if not exchange.answer(response, f"node '{self.id}'"):
            self.ctx.warn(
                f"the request (msg {exchange.msgid}) was already answered by "
                f"{exchange.answered_by}; this answer is dropped",
                msg,
            )
        return None
