"""http-request: call an HTTP service and send on its answer."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import MISSING, AsyncTransform, Message, NodeConfig, NodeError, field

from .outbound import (
    full_url,
    payload_of,
    redirect_list,
    render_url,
    request_body,
    request_headers,
    response_cookies,
    response_headers,
    shown,
)

Method = Literal["get", "post", "put", "delete", "patch", "head", "options", "use"]


class HttpRequest(AsyncTransform):
    """Send an HTTP request and pass on the response.

    ### Inputs

    - `url` (string): the url, when the node's `url` is not set.
    - `method` (string): the method, when the node's `method` is `use`.
    - `headers` (object): request headers; the node's `headers` win over them. Headers that
      described another body (`content-length`, `transfer-encoding`, `content-encoding`,
      `connection`, `host`) are left out, so the response headers of an earlier http-request
      can stay on the message.
    - `payload`: the body, for methods other than GET and HEAD: bytes and strings as they are,
      numbers as text, objects and lists as JSON (with `content-type: application/json` unless
      a content type is set; with `application/x-www-form-urlencoded`, as a form). For GET and
      HEAD the payload is not sent, unless `payload_to_query` makes an object payload the
      query string.
    - `requestTimeout` (number, ms): overrides the node's `timeout` for this message.

    ### Outputs

    The input message with `payload` (the body: text for `ret: txt`, bytes for `bin`, parsed
    JSON for `obj`), `statusCode`, `headers` (lower-case names; `set-cookie` is a list),
    `responseUrl` (after redirects), `redirectList` (each `{location, cookies}`) and
    `responseCookies` (`name: {value}`).

    ### Details

    `url` may hold `{{payload.id}}` style parts, replaced by that message property (inserted
    as is: encode values yourself if they need it); a url without `http://` or `https://` gets
    `http://`.

    A status that is not 2xx is not an error (as in Node-RED): check `msg.statusCode`, or set
    `fail_on_status: true` to make it one. A request that cannot be made (connection refused,
    a name that does not resolve, a timeout, too many redirects) is an error for catch nodes
    naming the method, the url and the reason.

    `auth: basic` or `digest` uses `username` and `password`; `auth: bearer` sends
    `Authorization: Bearer <token>`. Write the secrets as `${VAR}`. Proxy settings of the
    environment (`HTTP_PROXY`...) are ignored; set `proxy` to use one. One connection pool is
    kept per node; up to `concurrency` requests run at once, so with more than 1 answers may
    leave in another order than the messages came.

    ```yaml
    fetch_user:
      type: http-request
      url: https://api.example.com/users/{{payload.id}}
      ret: obj
      auth: bearer
      token: ${API_TOKEN}
    ```
    """

    type = "http-request"
    icon = "globe"
    evaluates = {"url": ("url", "msg.url")}

    class Config(NodeConfig):
        method: Method = field(
            "get", description="The HTTP method; `use` takes it from `msg.method`."
        )
        url: str | None = field(
            None,
            description="The url, with optional `{{property}}` parts; when not set, `msg.url`.",
            examples=["https://api.example.com/users/{{payload.id}}"],
        )
        headers: dict[str, str] = field(
            default_factory=dict,
            description="Headers to send (they win over `msg.headers`).",
            examples=[{"accept": "application/json"}],
        )
        payload_to_query: bool = field(
            False, description="For GET and HEAD, send an object payload as the query string."
        )
        ret: Literal["txt", "bin", "obj"] = field(
            "txt", description="The payload of the output: text, bytes, or parsed JSON."
        )
        timeout: float = field(120.0, gt=0, description="Seconds to wait for the response.")
        follow_redirects: bool = field(True, description="Follow 3xx redirects.")
        auth: Literal["none", "basic", "digest", "bearer"] = field(
            "none", description="How to authenticate."
        )
        username: str | None = field(None, description="User name for basic or digest auth.")
        password: str | None = field(
            None, secret=True, description="Password for basic or digest auth."
        )
        token: str | None = field(None, secret=True, description="Token for bearer auth.")
        tls_verify: bool = field(
            True, advanced=True, description="Check the server's TLS certificate."
        )
        proxy: str | None = field(
            None, advanced=True, description="Proxy url; none by default (the environment's "
            "proxy variables are ignored).", examples=["http://proxy.local:3128"],
        )
        fail_on_status: bool = field(
            False, description="Make a status that is not 2xx an error for catch nodes."
        )
        concurrency: int = field(
            16, ge=1, le=1000, advanced=True, description="Requests in flight at once."
        )

        @model_validator(mode="after")
        def _credentials(self) -> HttpRequest.Config:
            if self.auth in ("basic", "digest") and not self.username:
                raise ValueError(f"auth: {self.auth} needs a username (and a password)")
            if self.auth == "bearer" and not self.token:
                raise ValueError("auth: bearer needs a token")
            return self

    config: Config
    _client: Any = None

    async def start(self) -> None:
        import httpx

        c = self.config
        auth: Any = None
        if c.auth == "basic":
            auth = httpx.BasicAuth(c.username or "", c.password or "")
        elif c.auth == "digest":
            auth = httpx.DigestAuth(c.username or "", c.password or "")
        self._client = httpx.AsyncClient(
            auth=auth, verify=c.tls_verify, follow_redirects=c.follow_redirects,
            timeout=c.timeout, trust_env=False, proxy=c.proxy,
        )
        self._slots = asyncio.Semaphore(c.concurrency)

    async def stop(self) -> None:
        if self._client is not None:  # None when another node failed to start before this one
            await self._client.aclose()
            self._client = None

    async def receive(self, msg: Message) -> None:
        await self._slots.acquire()
        try:
            self.ctx.spawn(self._call(msg), msg)
        except BaseException:
            self._slots.release()
            raise

    async def _call(self, msg: Message) -> None:
        try:
            await self._request(msg)
        finally:
            self._slots.release()
        self.ctx.send(msg, origin=msg)

    async def _request(self, msg: Message) -> None:
        """Make the request for ``msg`` and put the response on it."""
        import httpx

        c = self.config
        method = str(msg.get("method") or "GET") if c.method == "use" else c.method
        method = method.upper()
        url = full_url(render_url(c.url, msg) if c.url else str(msg.get("url") or ""))
        headers = request_headers(msg.get("headers"), c.headers)
        traceparent = self.ctx.traceparent(msg)
        if traceparent is not None:  # tracing on: the server called continues the trace
            headers = {k: v for k, v in headers.items() if k.lower() != "traceparent"}
            headers["traceparent"] = traceparent
        if c.auth == "bearer" and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = f"Bearer {c.token}"
        body, query = request_body(method, msg.get("payload", MISSING), headers,
                                   c.payload_to_query)
        timeout = _timeout(msg.get("requestTimeout"), c.timeout)
        where = f"{method} {shown(url)}"
        try:
            target = httpx.URL(url)
            if query:
                target = target.copy_merge_params(query)
            response = await self._client.request(
                method, target, content=body, headers=headers, timeout=timeout
            )
        except httpx.TimeoutException as exc:
            raise NodeError(f"{where}: no response within {timeout:g} s") from exc
        except httpx.TooManyRedirects as exc:
            raise NodeError(f"{where}: too many redirects ({exc})") from exc
        except httpx.ConnectError as exc:
            raise NodeError(f"{where}: cannot connect: {exc or type(exc).__name__}") from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise NodeError(f"{where} failed: {exc or type(exc).__name__}") from exc
        payload, warning = payload_of(response, c.ret)
        if warning:
            self.ctx.warn(f"{where}: {warning}", msg)
        msg["payload"] = payload
        msg["statusCode"] = response.status_code
        msg["headers"] = response_headers(response)
        msg["responseUrl"] = shown(str(response.url))
        msg["redirectList"] = redirect_list(response)
        msg["responseCookies"] = response_cookies(response)
        if c.fail_on_status and not 200 <= response.status_code < 300:
            raise NodeError(
                f"{where} answered {response.status_code} {response.reason_phrase}".rstrip()
            )


def _timeout(value: Any, default: float) -> float:
    """``msg.requestTimeout`` (milliseconds, as Node-RED) when it is a positive number."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value) / 1000.0
    return default
