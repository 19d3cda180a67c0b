"""Attack: no secret reaches an exported span. A flow whose connection (MQTT, with a password)
and node (http-request, basic auth) take credentials from secrets, whose message carries a
secret in a property and a header, and whose script fails with the secret in the error's text:
the spans of every node are exported, and none holds any of those values."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from flowrt.testing import arun_flow
from tests.nodes.http.serving import app_server, run
from tests.support.tracing import everything, of_node, recording

CONNECTION_SECRET = "conn-Pa55-7f3e9b"
NODE_SECRET = "node-Pa55-1c8d2a"
MESSAGE_SECRET = "msg-Pa55-42e6f0"
MQTT = "mqtt://127.0.0.1:1883"

FLOW = """
flowrt: 1
connections:
  broker: {type: mqtt-broker, url: "{MQTT}", protocol: "5", username: flowrt,
           password: "${MQTT_PASSWORD}"}
nodes:
  start: {type: change, rules: [{set: topic, to: flowrt/test/tracing-secrets}],
          to: [req, pub, boom]}
  req: {type: http-request, method: get, url: "${BASE}/echo", auth: basic, username: u,
        password: "${API_PASSWORD}", to: done}
  pub: {type: mqtt-out, connection: broker}
  boom:
    type: script
    code: |
      raise ValueError("the password is " + msg["password"])
  errors: {type: catch, to: caught}
  caught: {type: debug, active: false}
  done: {type: debug, active: false}
""".replace("{MQTT}", MQTT)


async def echo(request: Request) -> JSONResponse:
    return JSONResponse(dict(request.headers))


def test_no_secret_appears_in_any_exported_span() -> None:
    async def main() -> None:
        async with app_server(Starlette(routes=[Route("/echo", echo)])) as base:
            env = {"BASE": base, "API_PASSWORD": NODE_SECRET, "MQTT_PASSWORD": CONNECTION_SECRET}
            message = {"payload": {"user": "ann"}, "password": MESSAGE_SECRET,
                       "headers": {"x-api-key": MESSAGE_SECRET}}
            result = await arun_flow(FLOW, [message], into="start", env=env,
                                     virtual_time=False, timeout=30.0)
            [answer] = result.sent("req")
            assert "authorization" in json.loads(answer["payload"])  # the secrets were used
            assert len(result.sent("errors")) == 1

    with recording() as exported:
        run(main())
    spans = exported.get_finished_spans()
    assert {n for n in ("start", "req", "pub", "boom", "errors") if of_node(spans, n)} == {
        "start", "req", "pub", "boom", "errors"}
    text = everything(spans)
    for secret in (CONNECTION_SECRET, NODE_SECRET, MESSAGE_SECRET):
        assert secret not in text
