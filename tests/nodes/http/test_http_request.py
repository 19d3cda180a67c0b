"""http-request against a local Starlette app served by HttpServer on a free port: methods,
bodies, parsing, auth, redirects, timeouts, refused connections, statuses and concurrency."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from flowrt.errors import CheckError
from flowrt.testing import FlowResult, arun_flow
from tests.nodes.http.serving import app_server, registry, run


class Service:
    """The app http-request talks to in these tests, and what it saw."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.inside = 0
        self.most_inside = 0
        self.app = Starlette(routes=[
            Route("/echo", self.echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route("/json", self.json),
            Route("/text", self.text),
            Route("/binary", self.binary),
            Route("/redirect", self.redirect),
            Route("/loop", self.loop),
            Route("/slow", self.slow),
            Route("/status/{code:int}", self.status),
            Route("/basic", self.basic),
            Route("/gate", self.gate),
        ])

    async def echo(self, request: Request) -> Response:
        body = await request.body()
        return JSONResponse({
            "method": request.method,
            "headers": dict(request.headers),
            "query": sorted(request.query_params.multi_items()),
            "body": body.decode("latin-1"),
        })

    async def json(self, request: Request) -> Response:
        response = JSONResponse({"id": 7, "name": "Zoë"})
        response.set_cookie("flavour", "oat")
        return response

    async def text(self, request: Request) -> Response:
        return PlainTextResponse("not json")

    async def binary(self, request: Request) -> Response:
        return Response(b"\x00\x01\xff", media_type="application/octet-stream")

    async def redirect(self, request: Request) -> Response:
        response = RedirectResponse("/json", status_code=302)
        response.set_cookie("hop", "1")
        return response

    async def loop(self, request: Request) -> Response:
        return RedirectResponse("/loop", status_code=302)

    async def slow(self, request: Request) -> Response:
        await self.release.wait()
        return PlainTextResponse("late")

    async def status(self, request: Request) -> Response:
        code = request.path_params["code"]
        return PlainTextResponse(f"status {code}", status_code=code)

    async def basic(self, request: Request) -> Response:
        expected = "Basic " + base64.b64encode(b"ada:s3cret").decode()
        if request.headers.get("authorization") != expected:
            return PlainTextResponse("who?", status_code=401)
        return PlainTextResponse("welcome")

    async def gate(self, request: Request) -> Response:
        """Answers only once 3 requests are in at the same time (or after 20 s)."""
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        loop = asyncio.get_running_loop()
        end = loop.time() + 20
        while self.most_inside < 3 and loop.time() < end:
            await asyncio.sleep(0.01)
        self.inside -= 1
        return PlainTextResponse(str(self.most_inside))


@asynccontextmanager
async def service() -> AsyncIterator[tuple[Service, str]]:
    svc = Service()
    async with app_server(svc.app) as base:
        try:
            yield svc, base
        finally:
            svc.release.set()  # before the server stops: it waits for handlers to finish


def request_flow(**config: Any) -> str:
    return f"flowrt: 1\nnodes:\n  req: {json.dumps({'type': 'http-request', **config})}\n"


async def call(
    base: str, inputs: list[dict[str, Any]], env: dict[str, str] | None = None, **config: Any
) -> FlowResult:
    return await arun_flow(request_flow(**config), inputs, into="req", registry=registry(),
                           virtual_time=False, timeout=30.0, env={"BASE": base, **(env or {})})


def test_get_with_ret_obj_parses_json_and_gives_status_headers_and_url() -> None:
    async def main() -> None:
        async with service() as (_, base):
            result = await call(base, [{"payload": "ignored", "topic": "t"}],
                                url="${BASE}/json", ret="obj")
            assert result.errors == []
            [msg] = result.sent("req")
            assert msg["payload"] == {"id": 7, "name": "Zoë"}
            assert msg["statusCode"] == 200
            assert msg["headers"]["content-type"] == "application/json"
            assert msg["responseUrl"] == f"{base}/json"
            assert msg["responseCookies"] == {"flavour": {"value": "oat"}}
            assert msg["redirectList"] == []
            assert msg["topic"] == "t"

    run(main())


@pytest.mark.parametrize(
    ("ret", "path", "payload"),
    [("txt", "/text", "not json"), ("bin", "/binary", b"\x00\x01\xff"),
     ("txt", "/binary", "\x00\x01\ufffd")],
)
def test_ret_gives_text_or_bytes(ret: str, path: str, payload: Any) -> None:
    async def main() -> None:
        async with service() as (_, base):
            result = await call(base, [{}], url="${BASE}" + path, ret=ret)
            assert result.errors == []
            assert result.payloads("req") == [payload]

    run(main())


def test_ret_obj_on_text_keeps_the_text_and_warns() -> None:
    async def main() -> None:
        async with service() as (_, base):
            result = await call(base, [{}], url="${BASE}/text", ret="obj")
            assert result.errors == []
            assert result.payloads("req") == ["not json"]
            [(node, text)] = result.warnings
            assert node == "req" and "not JSON" in text and "/text" in text

    run(main())


@pytest.mark.parametrize(
    ("payload", "headers", "body", "content_type"),
    [
        ({"a": 1, "b": [True, None]}, {}, '{"a":1,"b":[true,null]}', "application/json"),
        ("plain text", {}, "plain text", None),
        (12.5, {}, "12.5", None),
        ({"a": "x y", "b": [1, 2]}, {"content-type": "application/x-www-form-urlencoded"},
         "a=x+y&b=1&b=2", "application/x-www-form-urlencoded"),
    ],
)
def test_post_sends_the_payload_as_the_body(
    payload: Any, headers: dict[str, str], body: str, content_type: str | None
) -> None:
    async def main() -> None:
        async with service() as (_, base):
            result = await call(base, [{"payload": payload, "headers": headers}],
                                method="post", url="${BASE}/echo", ret="obj")
            assert result.errors == []
            [seen] = result.payloads("req")
            assert seen["method"] == "POST"
            assert seen["body"] == body
            assert seen["headers"].get("content-type") == content_type

    run(main())


def test_bytes_are_sent_as_they_are() -> None:
    async def main() -> None:
        async with service() as (_, base):
            result = await call(base, [{"payload": b"\x00\xfe"}], method="put",
                                url="${BASE}/echo", ret="obj")
            [seen] = result.payloads("req")
            assert (seen["method"], seen["body"]) == ("PUT", "\x00\xfe")

    run(main())


def test_url_templates_msg_url_method_from_msg_and_query_from_payload() -> None:
    async def main() -> None:
        async with service() as (_, base):
            templated = await call(base, [{"payload": {"id": 5, "kind": "a b"}}],
                                   url="${BASE}/echo?id={{payload.id}}&k={{{payload.kind}}}",
                                   ret="obj")
            [seen] = templated.payloads("req")
            assert seen["query"] == [["id", "5"], ["k", "a b"]]

            host = base.removeprefix("http://")
            from_msg = await call(base, [{"url": f"{host}/echo", "method": "delete",
                                          "payload": {"q": "1", "many": ["x", "y"]}}],
                                  method="use", ret="obj")
            [seen] = from_msg.payloads("req")
            assert seen["method"] == "DELETE"
            assert json.loads(seen["body"]) == {"q": "1", "many": ["x", "y"]}

            query = await call(base, [{"payload": {"q": "1", "many": ["x", "y"]}}],
                               url="${BASE}/echo?fixed=1", payload_to_query=True, ret="obj")
            [seen] = query.payloads("req")
            assert seen["query"] == [["fixed", "1"], ["many", "x"], ["many", "y"], ["q", "1"]]
            assert seen["body"] == ""

            ignored = await call(base, [{"payload": {"q": "1"}}], url="${BASE}/echo", ret="obj")
            [seen] = ignored.payloads("req")
            assert (seen["query"], seen["body"]) == ([], "")

    run(main())


def test_headers_of_the_node_win_and_stale_ones_are_left_out() -> None:
    async def main() -> None:
        async with service() as (_, base):
            stale = {"content-length": "999", "transfer-encoding": "chunked",
                     "x-trace": "from-msg", "x-both": "msg"}
            result = await call(base, [{"headers": stale}], url="${BASE}/echo", ret="obj",
                                headers={"X-Both": "node"})
            assert result.errors == []
            [seen] = result.payloads("req")
            assert seen["headers"]["x-trace"] == "from-msg"
            assert seen["headers"]["x-both"] == "node"
            assert "content-length" not in seen["headers"]
            assert "transfer-encoding" not in seen["headers"]

    run(main())


def test_basic_and_bearer_auth_use_secrets_from_the_environment() -> None:
    async def main() -> None:
        async with service() as (_, base):
            basic = await call(base, [{}], env={"PW": "s3cret"}, url="${BASE}/basic",
                               auth="basic", username="ada", password="${PW}")
            assert basic.payloads("req") == ["welcome"]
            wrong = await call(base, [{}], env={"PW": "nope"}, url="${BASE}/basic",
                               auth="basic", username="ada", password="${PW}")
            assert [m["statusCode"] for m in wrong.sent("req")] == [401]
            bearer = await call(base, [{}], env={"TOKEN": "t0k"}, url="${BASE}/echo",
                                auth="bearer", token="${TOKEN}", ret="obj")
            [seen] = bearer.payloads("req")
            assert seen["headers"]["authorization"] == "Bearer t0k"

    run(main())


def test_an_inline_password_is_refused_by_the_checker() -> None:
    async def main() -> None:
        with pytest.raises(CheckError) as info:
            await call("http://127.0.0.1:1", [{}], url="${BASE}/basic", auth="basic",
                       username="ada", password="inline")
        assert "E039" in [d.code for d in info.value.diagnostics]

    run(main())


def test_redirects_are_followed_and_listed_or_returned_as_they_are() -> None:
    async def main() -> None:
        async with service() as (_, base):
            followed = await call(base, [{}], url="${BASE}/redirect", ret="obj")
            [msg] = followed.sent("req")
            assert msg["payload"] == {"id": 7, "name": "Zoë"}
            assert msg["responseUrl"] == f"{base}/json"
            assert msg["redirectList"] == [{"location": f"{base}/json",
                                            "cookies": {"hop": {"value": "1"}}}]
            kept = await call(base, [{}], url="${BASE}/redirect", follow_redirects=False)
            [msg] = kept.sent("req")
            assert msg["statusCode"] == 302
            assert msg["headers"]["location"] == "/json"

    run(main())


def test_failures_are_errors_naming_the_method_url_and_reason() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]

    async def main() -> None:
        async with service() as (_, base):
            refused_url = f"http://127.0.0.1:{closed_port}/x"
            refused = await call(base, [{"url": refused_url}])
            [error] = refused.errors
            assert error.node == "req"
            assert error.message.startswith(f"GET {refused_url}: cannot connect")
            assert refused.sent("req") == []

            slow = await call(base, [{"payload": 1}], url="${BASE}/slow", timeout=0.2)
            [error] = slow.errors
            assert error.message == f"GET {base}/slow: no response within 0.2 s"

            per_message = await call(base, [{"requestTimeout": 200}], url="${BASE}/slow")
            [error] = per_message.errors
            assert error.message == f"GET {base}/slow: no response within 0.2 s"

            looping = await call(base, [{}], url="${BASE}/loop")
            [error] = looping.errors
            assert error.message.startswith(f"GET {base}/loop: too many redirects")

            secret = await call(base, [{"url": f"http://ada:pw@127.0.0.1:{closed_port}/"}])
            [error] = secret.errors
            assert "ada:***@" in error.message and ":pw@" not in error.message

            scheme = await call(base, [{"url": "ftp://example.com/x"}])
            [error] = scheme.errors
            assert "only http:// and https://" in error.message

            no_url = await call(base, [{}])
            [error] = no_url.errors
            assert "no url" in error.message

    run(main())


def test_a_status_that_is_not_2xx_is_an_error_only_when_asked() -> None:
    async def main() -> None:
        async with service() as (_, base):
            plain = await call(base, [{}], url="${BASE}/status/503")
            assert plain.errors == []
            [msg] = plain.sent("req")
            assert (msg["statusCode"], msg["payload"]) == (503, "status 503")
            strict = await call(base, [{}], url="${BASE}/status/404", fail_on_status=True)
            [error] = strict.errors
            assert error.message == f"GET {base}/status/404 answered 404 Not Found"
            assert error.msg is not None and error.msg["statusCode"] == 404
            assert strict.sent("req") == []

    run(main())


def test_requests_run_concurrently_up_to_the_limit() -> None:
    async def main() -> None:
        async with service() as (svc, base):
            result = await call(base, [{"payload": i} for i in range(3)],
                                url="${BASE}/gate", concurrency=3)
            assert result.errors == []
            assert result.payloads("req") == ["3", "3", "3"]
            assert svc.most_inside == 3

    run(main())


def test_one_at_a_time_keeps_the_order() -> None:
    async def main() -> None:
        async with service() as (svc, base):
            result = await call(base, [{"payload": i} for i in range(5)],
                                url="${BASE}/echo?i={{payload}}", concurrency=1, ret="obj")
            assert [m["payload"]["query"] for m in result.sent("req")] == [
                [["i", str(i)]] for i in range(5)
            ]

    run(main())
