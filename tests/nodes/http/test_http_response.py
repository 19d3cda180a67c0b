"""http-response: status, headers, cookies and bodies as Node-RED sends them; one answer per
request however many copies of the message reach an http-response; messages with no request."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.testing import arun_flow
from tests.nodes.http.serving import registry, run, served
from tests.support.waiting import eventually


def answering(script: str, **response: Any) -> str:
    """http-in -> a script setting the message up -> http-response with ``response`` config."""
    code = "\n".join("      " + line for line in script.strip().splitlines())
    options = json.dumps(response)
    return f"""
flowrt: 1
nodes:
  in: {{type: http-in, url: /r, to: setup}}
  setup:
    type: script
    code: |
{code}
      return msg
    to: out
  out: {{type: http-response, {options[1:-1]}}}
"""


async def fetch(flow: str) -> Any:
    async with served(flow) as (harness, client):
        response = await client.get("/r")
        return response, harness.result


@pytest.mark.parametrize(
    ("script", "config", "status"),
    [
        ("msg['payload'] = 'x'", {}, 200),
        ("msg['statusCode'] = 201", {}, 201),
        ("msg['statusCode'] = '404'", {}, 404),
        ("msg['statusCode'] = 201", {"status_code": 202}, 202),
    ],
)
def test_status_comes_from_the_node_then_msg_status_code(
    script: str, config: dict[str, Any], status: int
) -> None:
    response, result = run(fetch(answering(script, **config)))
    assert response.status_code == status
    assert result.errors == []


@pytest.mark.parametrize(
    ("script", "body", "content_type"),
    [
        ("msg['payload'] = {'a': [1, 'é']}", '{"a":[1,"é"]}', "application/json; charset=utf-8"),
        ("msg['payload'] = [1, 2]", "[1,2]", "application/json; charset=utf-8"),
        ("msg['payload'] = True", "true", "application/json; charset=utf-8"),
        ("msg['payload'] = None", "null", "application/json; charset=utf-8"),
        ("msg['payload'] = '<b>hi</b>'", "<b>hi</b>", "text/html; charset=utf-8"),
        ("msg['payload'] = 42.0", "42", "text/html; charset=utf-8"),
        ("msg['payload'] = b'\\x00\\xff'", "\x00\xff", "application/octet-stream"),
        ("del msg['payload']", "", None),
        ("msg['payload'] = 'plain'\nmsg['headers'] = {'Content-Type': 'text/plain'}", "plain",
         "text/plain; charset=utf-8"),
    ],
)
def test_the_payload_is_the_body_with_the_content_type_express_gives_it(
    script: str, body: str, content_type: str | None
) -> None:
    response, _ = run(fetch(answering(script)))
    assert response.content == body.encode("latin-1" if "\\x" in script else "utf-8")
    assert response.headers.get("content-type") == content_type
    assert response.headers["content-length"] == str(len(response.content))


def test_headers_merge_the_message_under_the_node() -> None:
    script = """
msg['payload'] = 'ok'
msg['headers'] = {'X-From-Msg': 'm', 'X-Both': 'from msg', 'X-Many': ['1', '2'],
                  'content-length': '999', 'transfer-encoding': 'chunked', 'X-Num': 3}
"""
    response, result = run(fetch(answering(script, headers={"x-both": "from node",
                                                             "X-Node": "n"})))
    assert result.errors == []
    assert response.headers["x-from-msg"] == "m"
    assert response.headers["x-both"] == "from node"
    assert response.headers["x-node"] == "n"
    assert response.headers.get_list("x-many") == ["1", "2"]
    assert response.headers["x-num"] == "3"
    assert response.headers["content-length"] == "2"
    assert "transfer-encoding" not in response.headers


def test_cookies_are_set_with_their_options_and_cleared() -> None:
    script = """
msg['payload'] = 'ok'
msg['cookies'] = {
    'plain': 'v1',
    'session': {'value': 'abc', 'maxAge': 60000, 'httpOnly': True, 'path': '/app',
                'sameSite': 'strict', 'secure': True},
    'gone': None,
    'gone_too': {'value': None, 'path': '/app'},
}
"""
    response, result = run(fetch(answering(script)))
    assert result.errors == []
    cookies = {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}
    assert cookies["plain"].startswith("plain=v1;") and "Path=/" in cookies["plain"]
    session = cookies["session"]
    assert session.startswith("session=abc;")
    for part in ("Max-Age=60", "HttpOnly", "Path=/app", "SameSite=strict", "Secure"):
        assert part in session
    assert "Max-Age=0" in cookies["gone"] or "expires=" in cookies["gone"].lower()
    assert "Path=/app" in cookies["gone_too"]


@pytest.mark.parametrize(
    ("script", "wording"),
    [
        ("msg['statusCode'] = 'lots'", "msg.statusCode must be an HTTP status code"),
        ("msg['statusCode'] = 99", "msg.statusCode must be an HTTP status code"),
        ("msg['headers'] = ['x']", "msg.headers must be an object"),
        ("msg['headers'] = {'x-name': 'Zoë 🙂'}", "cannot be sent in HTTP"),
        ("msg['cookies'] = 'a=b'", "msg.cookies must be an object"),
    ],
)
def test_a_message_that_cannot_be_sent_fails_and_the_client_gets_500(
    script: str, wording: str
) -> None:
    response, result = run(fetch(answering(script)))
    [error] = result.errors
    assert error.node == "out"
    assert wording in error.message
    assert response.status_code == 500
    assert "node 'in' (http-in)" in response.text


def test_a_fan_out_answers_once_and_warns_about_the_second_answer() -> None:
    flow = """
flowrt: 1
nodes:
  in: {type: http-in, url: /r, to: [first, later]}
  first: {type: http-response, status_code: 201}
  later: {type: delay, delay: 0.05, to: second}
  second: {type: http-response, status_code: 202}
"""

    async def main() -> None:
        async with served(flow) as (harness, client):
            response = await client.get("/r")
            assert response.status_code == 201
            result = harness.result
            await eventually(lambda: bool(result.warnings))
            assert result.errors == []
            assert len(result.received("second")) == 1
            [(node, text)] = result.warnings
            assert node == "second" and "already answered by node 'first'" in text

    run(main())


def test_an_answer_after_the_timeout_is_dropped_with_a_warning() -> None:
    flow = """
flowrt: 1
nodes:
  in: {type: http-in, url: /r, timeout: 0.2, to: later}
  later: {type: delay, delay: 0.6, to: out}
  out: {type: http-response}
"""

    async def main() -> None:
        async with served(flow) as (harness, client):
            response = await client.get("/r")
            assert response.status_code == 504
            result = harness.result
            await eventually(lambda: any(node == "out" for node, _ in result.warnings))
            assert result.errors == []
            assert any(node == "out" and "already answered by the timeout" in text
                       for node, text in result.warnings)

    run(main())


@pytest.mark.parametrize(
    ("msg", "wording"),
    [
        ({"payload": 1}, "the message has no `res`"),
        ({"payload": 1, "res": {"_res": "0123456789abcdef01234567"}}, "no longer waiting"),
    ],
)
def test_a_message_with_no_waiting_request_is_an_error_naming_the_node(
    msg: dict[str, Any], wording: str
) -> None:
    flow = "flowrt: 1\nnodes:\n  reply: {type: http-response}\n"
    result = run(arun_flow(flow, [msg], registry=registry()))
    [error] = result.errors
    assert error.node == "reply"
    assert error.message.startswith("no http-in request to answer")
    assert wording in error.message
