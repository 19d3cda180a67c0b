"""Tracing across HTTP: http-request sends the W3C traceparent of its span as a header, and
http-in continues the trace a request brings; the request's span lasts until the response is
in. With tracing off, no header is sent."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from flowrt.testing import arun_flow
from tests.nodes.http.serving import app_server, registry, run, served
from tests.support.tracing import one, recording

SERVER = """
flowrt: 1
nodes:
  hello: {type: http-in, method: get, url: /hello, to: answer}
  answer: {type: change, rules: [{set: payload, to: hi}], to: reply}
  reply: {type: http-response}
"""


def client_flow(url: str) -> str:
    request = {"type": "http-request", "method": "get", "url": url, "to": "done"}
    return f"flowrt: 1\nnodes:\n  req: {json.dumps(request)}\n  done: {{type: debug}}\n"


def test_the_trace_goes_on_from_http_request_to_http_in() -> None:
    async def main() -> None:
        async with served(SERVER) as (_, client):
            result = await arun_flow(client_flow(f"{client.base_url}/hello"), [{"payload": 1}],
                                     into="req", registry=registry(), virtual_time=False,
                                     timeout=30.0)
            assert [m["payload"] for m in result.sent("req")] == ["hi"]

    with recording() as exported:
        run(main())
    spans = exported.get_finished_spans()
    request, hello, reply = one(spans, "req"), one(spans, "hello"), one(spans, "reply")
    assert hello.context.trace_id == request.context.trace_id
    assert hello.parent is not None and hello.parent.span_id == request.context.span_id
    assert reply.context.trace_id == request.context.trace_id
    assert request.end_time is not None and reply.end_time is not None
    assert request.end_time >= reply.end_time  # the request's span waits for its answer


def test_http_in_continues_a_trace_a_client_sends() -> None:
    theirs = "00-" + "12" * 16 + "-" + "34" * 8 + "-01"

    async def main() -> None:
        async with served(SERVER) as (_, client):
            assert (await client.get("/hello", headers={"traceparent": theirs})).text == "hi"
            assert (await client.get("/hello", headers={"traceparent": "00-x"})).text == "hi"

    with recording() as exported:
        run(main())
    first, second = [s for s in exported.get_finished_spans()
                     if (s.attributes or {})["flowrt.node.id"] == "hello"]
    assert f"{first.context.trace_id:032x}" == "12" * 16
    assert first.parent is not None and f"{first.parent.span_id:016x}" == "34" * 8
    assert second.parent is None


async def echo(request: Request) -> JSONResponse:
    return JSONResponse(dict(request.headers))


def test_http_request_sends_a_traceparent_only_with_tracing_on() -> None:
    async def call() -> dict[str, Any]:
        async with app_server(Starlette(routes=[Route("/echo", echo)])) as base:
            result = await arun_flow(client_flow(f"{base}/echo"), [{"payload": 1}], into="req",
                                     registry=registry(), virtual_time=False, timeout=30.0)
            payload: dict[str, Any] = json.loads(result.sent("req")[0]["payload"])
            return payload

    assert "traceparent" not in run(call())
    with recording() as exported:
        seen = run(call())
    context = one(exported.get_finished_spans(), "req").context
    assert seen["traceparent"] == (
        f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}")
