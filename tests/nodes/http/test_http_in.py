"""http-in on a real socket: what a request becomes (payload, req), the waiting request's
timeout and errors, the limits, route conflicts and shutdown."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from flowrt.errors import ConfigError
from tests.nodes.http.serving import run, served
from tests.support.waiting import eventually

ECHO = """
flowrt: 1
nodes:
  in:
    type: http-in
    method: {method}
    url: {url}{extra}
    to: shape
  shape:
    type: change
    rules:
      - set: payload
        to: {{type: jsonata, value: '{{"payload": payload, "req": req}}'}}
    to: out
  out:
    type: http-response
"""


def echo(method: str = "get", url: str = "/echo", **options: Any) -> str:
    extra = "".join(f"\n    {key}: {json.dumps(value)}" for key, value in options.items())
    return ECHO.format(method=method, url=url, extra=extra)


def test_get_gives_the_query_as_payload_and_the_request_as_req() -> None:
    async def main() -> None:
        async with served(echo(url="/users/:id/items/:item")) as (_, client):
            r = await client.get(
                "/users/42/items/pen?colour=red&size=1&size=2",
                headers={"X-Trace": "abc", "Cookie": "session=s1; theme=dark"},
            )
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["payload"] == {"colour": "red", "size": ["1", "2"]}
            req = body["req"]
            assert req["method"] == "GET"
            assert req["url"] == "/users/42/items/pen?colour=red&size=1&size=2"
            assert req["path"] == "/users/42/items/pen"
            assert req["params"] == {"id": "42", "item": "pen"}
            assert req["query"] == {"colour": "red", "size": ["1", "2"]}
            assert req["headers"]["x-trace"] == "abc"
            assert req["cookies"] == {"session": "s1", "theme": "dark"}
            assert req["remote_address"] == "127.0.0.1"

    run(main())


@pytest.mark.parametrize(
    ("content_type", "body", "payload"),
    [
        ("application/json", b'{"a": [1, 2], "b": null}', {"a": [1, 2], "b": None}),
        ("application/vnd.api+json", b'{"x": 1}', {"x": 1}),
        ("application/x-www-form-urlencoded", b"name=Zo%C3%AB&tag=a&tag=b&empty=",
         {"name": "Zoë", "tag": ["a", "b"], "empty": ""}),
        ("text/plain; charset=utf-8", "grüße".encode(), "grüße"),
        ("text/csv; charset=latin-1", "a;é".encode("latin-1"), "a;é"),
        ("text/plain; charset=no-such-charset", b"abc", "abc"),
        ("application/x-www-form-urlencoded; charset=bogus", b"a=1", {"a": "1"}),
        ("application/xml", b"<a>1</a>", "<a>1</a>"),
        ("application/octet-stream", b"\x00\x01text", "b64:AAF0ZXh0"),
        ("image/png", b"\x89PNG", "b64:iVBORw=="),
        ("application/something", b"\xff\xfe", "b64://4="),
        ("", b"plain", "plain"),
    ],
)
def test_post_bodies_are_parsed_by_content_type(
    content_type: str, body: bytes, payload: Any
) -> None:
    flow = """
flowrt: 1
nodes:
  in: {type: http-in, method: post, url: /in, to: shape}
  shape:
    type: script
    code: |
      import base64
      p = msg['payload']
      msg['payload'] = {'value': 'b64:' + base64.b64encode(p).decode() if isinstance(p, bytes)
                        else p}
      return msg
    to: out
  out: {type: http-response}
"""

    async def main() -> None:
        async with served(flow) as (_, client):
            headers = {"content-type": content_type} if content_type else {}
            r = await client.post("/in", content=body, headers=headers)
            assert r.status_code == 200, r.text
            assert r.json() == {"value": payload}

    run(main())


def test_post_without_body_gives_an_empty_object_and_bad_json_is_400() -> None:
    async def main() -> None:
        async with served(echo(method="post", url="/in")) as (harness, client):
            r = await client.post("/in")
            assert r.json()["payload"] == {}
            assert r.json()["req"]["method"] == "POST"
            bad = await client.post(
                "/in", content=b"{oops", headers={"content-type": "application/json"}
            )
            assert bad.status_code == 400
            assert "node 'in'" in bad.text and "JSON" in bad.text
            assert len(harness.result.received("shape")) == 1

    run(main())


def test_put_patch_and_delete_are_served_with_their_bodies() -> None:
    async def main() -> None:
        for method in ("put", "patch", "delete"):
            async with served(echo(method=method, url="/thing/:id")) as (_, client):
                r = await client.request(method.upper(), "/thing/7", json={"n": 1})
                assert r.status_code == 200, r.text
                assert r.json()["payload"] == {"n": 1}
                assert r.json()["req"]["params"] == {"id": "7"}

    run(main())


def test_upload_gives_fields_in_payload_and_files_in_req() -> None:
    flow = """
flowrt: 1
nodes:
  in: {type: http-in, method: post, url: /upload, upload: true, to: shape}
  shape:
    type: script
    code: |
      import hashlib
      msg['payload'] = {
          'fields': msg['payload'],
          'files': [{k: (hashlib.sha256(v).hexdigest() if k == 'buffer' else v)
                     for k, v in f.items()} for f in msg['req']['files']],
      }
      return msg
    to: out
  out: {type: http-response}
"""
    data = bytes(range(256)) * 40 + b"\r\n--\r\n"

    async def main() -> None:
        import hashlib

        async with served(flow) as (_, client):
            r = await client.post(
                "/upload",
                data={"title": "Größe", "tag": ["a", "b"]},
                files={"doc": ("report.bin", data, "application/octet-stream")},
            )
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["fields"] == {"title": "Größe", "tag": ["a", "b"]}
            assert body["files"] == [{
                "fieldname": "doc", "originalname": "report.bin",
                "mimetype": "application/octet-stream", "size": len(data),
                "buffer": hashlib.sha256(data).hexdigest(),
            }]

    run(main())


def test_a_body_over_the_limit_is_413_whether_its_length_is_declared_or_not() -> None:
    async def main() -> None:
        async with served(echo(method="post", url="/in", max_body_size=1000)) as (h, client):
            r = await client.post("/in", content=b"x" * 1001)
            assert r.status_code == 413
            assert "1000 bytes" in r.text

            async def chunks() -> Any:
                for _ in range(20):
                    yield b"y" * 100

            r = await client.post("/in", content=chunks())
            assert r.status_code == 413
            ok = await client.post("/in", content=b"z" * 1000,
                                   headers={"content-type": "text/plain"})
            assert ok.status_code == 200 and ok.json()["payload"] == "z" * 1000
            assert len(h.result.received("shape")) == 1

    run(main())


def test_no_answer_within_the_timeout_is_504_naming_the_node() -> None:
    flow = """
flowrt: 1
nodes:
  slow_in: {type: http-in, url: /wait, timeout: 0.3, to: sink}
  sink: {type: debug, console: false}
"""

    async def main() -> None:
        async with served(flow) as (harness, client):
            r = await client.get("/wait")
            assert r.status_code == 504
            assert "node 'slow_in' (http-in)" in r.text
            assert "no http-response answered within 0.3 s" in r.text
            assert "finished with the message without reaching an http-response" in r.text
            assert any(node == "slow_in" and "0.3 s" in text
                       for node, text in harness.result.warnings)

    run(main())


def test_a_flow_error_with_no_answer_is_500_naming_the_node_not_the_stack() -> None:
    flow = """
flowrt: 1
nodes:
  in: {type: http-in, method: post, url: /parse, to: parse}
  parse: {type: json, action: object, to: out}
  out: {type: http-response}
"""

    async def main() -> None:
        async with served(flow) as (harness, client):
            r = await client.post("/parse", content=b"{not json",
                                  headers={"content-type": "text/plain"})
            assert r.status_code == 500
            assert "node 'in' (http-in): the flow failed on this request" in r.text
            [error] = harness.result.errors
            assert error.node == "parse"
            assert f"msg {error.msgid}" in r.text
            assert "Traceback" not in r.text and "File " not in r.text

    run(main())


def test_a_catch_node_can_answer_errors_itself() -> None:
    flow = """
flowrt: 1
nodes:
  in: {type: http-in, method: post, url: /parse, to: parse}
  parse: {type: json, action: object, to: out}
  out: {type: http-response}
  oops: {type: catch, to: explain}
  explain:
    type: change
    rules:
      - set: payload
        to: {type: jsonata, value: '{"error": error.source.id}'}
    to: bad_request
  bad_request: {type: http-response, status_code: 422}
"""

    async def main() -> None:
        async with served(flow) as (_, client):
            r = await client.post("/parse", content=b"{not json",
                                  headers={"content-type": "text/plain"})
            assert r.status_code == 422
            assert r.json() == {"error": "parse"}
            good = await client.post("/parse", content=b'{"a": 1}',
                                     headers={"content-type": "text/plain"})
            assert good.status_code == 200 and good.json() == {"a": 1}

    run(main())


def test_unknown_paths_are_404_and_other_methods_405() -> None:
    async def main() -> None:
        async with served(echo(url="/only-get")) as (_, client):
            assert (await client.get("/nowhere")).status_code == 404
            r = await client.post("/only-get")
            assert r.status_code == 405
            assert r.headers["allow"] == "GET, HEAD"
            assert (await client.get("/only-get/")).status_code == 200

    run(main())


def test_two_nodes_on_the_same_route_stop_the_flow_naming_both() -> None:
    flow = """
flowrt: 1
nodes:
  first: {type: http-in, url: "/users/:id", to: out}
  second: {type: http-in, url: "/users/:name", to: out}
  out: {type: http-response}
"""

    async def main() -> None:
        with pytest.raises(ConfigError) as info:
            async with served(flow):
                pass
        text = str(info.value)
        assert "'first'" in text and "'second'" in text

    run(main())


def test_the_same_path_for_two_methods_is_two_routes() -> None:
    flow = """
flowrt: 1
nodes:
  read: {type: http-in, url: /item, to: read_reply}
  read_reply: {type: change, rules: [{set: payload, to: read}], to: out}
  write: {type: http-in, method: post, url: /item, to: write_reply}
  write_reply: {type: change, rules: [{set: payload, to: written}], to: out}
  out: {type: http-response}
"""

    async def main() -> None:
        async with served(flow) as (_, client):
            assert (await client.get("/item")).text == "read"
            assert (await client.post("/item")).text == "written"

    run(main())


def test_many_requests_at_once_each_get_their_own_answer() -> None:
    flow = """
flowrt: 1
nodes:
  in: {type: http-in, url: "/n/:i", to: wait}
  wait: {type: delay, delay: 0.05, to: shape}
  shape:
    type: change
    rules: [{set: payload, to: {type: jsonata, value: 'req.params.i'}}]
    to: out
  out: {type: http-response}
"""

    async def main() -> None:
        async with served(flow) as (_, client):
            answers = await asyncio.gather(*(client.get(f"/n/{i}") for i in range(40)))
            assert [r.text for r in answers] == [str(i) for i in range(40)]

    run(main())


def test_requests_waiting_when_the_flow_stops_get_503() -> None:
    flow = """
flowrt: 1
nodes:
  in: {type: http-in, url: /hang, timeout: 60, to: sink}
  sink: {type: debug, console: false}
"""

    async def main() -> None:
        async with served(flow) as (harness, client):
            waiting = asyncio.ensure_future(client.get("/hang"))
            await eventually(lambda: len(harness.result.received("sink")) == 1)
            await harness.stop()
            r = await waiting
            assert r.status_code == 503
            assert "node 'in' (http-in): the flow is stopping" in r.text
            after = await client.get("/hang")
            assert after.status_code == 404

    run(main())


def test_a_request_whose_message_is_held_at_shutdown_gets_503() -> None:
    flow = """
flowrt: 1
nodes:
  wait: {type: delay, delay: 60, to: out}     # stopped (its message nacked) before http-in
  in: {type: http-in, url: /held, timeout: 60, to: wait}
  out: {type: http-response}
"""

    async def main() -> None:
        async with served(flow) as (harness, client):
            waiting = asyncio.ensure_future(client.get("/held"))
            await eventually(lambda: len(harness.result.received("wait")) == 1)
            await harness.stop()
            r = await waiting
            assert r.status_code == 503
            assert "node 'in' (http-in): the flow is stopping" in r.text

    run(main())
