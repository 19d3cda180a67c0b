"""homeassistant-api against a real Home Assistant (FLOWRT_TEST_HOMEASSISTANT): WebSocket
commands, REST requests of each method with the data as query or body, placeholders from the
message and the entities, JSONata data, overrides from the payload, and refusals."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.nodes.homeassistant.ha_kit import api, eventually, running, state, unique


def sent(harness: Any, node: str, port: int = 0) -> list[dict[str, Any]]:
    return harness.result.messages[(node, port)]


def test_a_websocket_command_and_http_requests_give_home_assistant_s_answers() -> None:
    async def main() -> None:
        word = unique()
        own = f"sensor.flowrt_api_{word}"  # this test's alone: other tests change the helpers
        api("POST", f"states/{own}", {"state": f"{word}<&>", "attributes": {"mode": "text"}})
        nodes = {
            "ws": {"type": "homeassistant-api", "server": "home",
                   "data": {"type": "get_states"}, "output": "states"},
            "get": {"type": "homeassistant-api", "server": "home", "protocol": "http",
                    "path": "/api/states/{{ topic }}"},
            "template": {"type": "homeassistant-api", "server": "home", "protocol": "http",
                         "method": "post", "path": "template", "response_type": "text",
                         "data": '{"template": "{{{ payload }}}|{{ states.' + own + ' }}|'
                                 '{{{ entity.' + own + '.attributes.mode }}}"}'},
            "jsonata": {"type": "homeassistant-api", "server": "home", "protocol": "http",
                        "method": "post", "path": "states/{{ topic }}", "data_type": "jsonata",
                        "data": '{"state": $uppercase(payload)}'},
        }
        async with running(nodes) as h:
            h.send("ws", {"payload": 1})
            h.send("get", {"topic": own})
            h.send("template", {"payload": "{{ 20 + 1 }}"})
            for node in ("ws", "get", "template"):
                await eventually(lambda node=node: sent(h, node), f"{node}'s answer")
            h.send("jsonata", {"topic": own, "payload": f"set {word}"})
            changed = await eventually(lambda: sent(h, "jsonata"), "the service called")
        states = {s["entity_id"]: s for s in sent(h, "ws")[0]["states"]}
        assert states[own]["state"] == f"{word}<&>"
        assert sent(h, "ws")[0]["payload"] == 1
        assert sent(h, "get")[0]["payload"]["state"] == f"{word}<&>"
        # {{ }} is HTML-escaped as Node-RED's mustache does; {{{ }}} is not
        assert sent(h, "template")[0]["payload"] == f"21|{word}&lt;&amp;&gt;|text"
        assert changed[0]["payload"]["state"] == f"SET {word.upper()}"  # the state written
        assert state(own) == f"SET {word.upper()}"

    asyncio.run(main())


def test_the_payload_overrides_protocol_method_path_and_data() -> None:
    async def main() -> None:
        own = f"sensor.flowrt_api_{unique()}"
        nodes = {"api": {"type": "homeassistant-api", "server": "home",
                         "data": {"type": "ping"}}}
        async with running(nodes) as h:
            h.send("api", {"payload": {"protocol": "http", "method": "post",
                                       "path": f"states/{own}", "data": {"state": "7"}}})
            await eventually(lambda: sent(h, "api"), "the call")
            h.send("api", {"payload": {"protocol": "http", "path": "config"}})
            config = await eventually(lambda: len(sent(h, "api")) == 2 and sent(h, "api"),
                                      "the configuration")
            h.send("api", {"payload": 1})
            pong = await eventually(lambda: len(sent(h, "api")) == 3 and sent(h, "api"),
                                    "the ping's answer")
        assert state(own) == "7"
        assert "input_text" in config[1]["payload"]["components"]
        assert pong[2]["payload"] is None  # ping's result

    asyncio.run(main())


def test_what_home_assistant_refuses_fails_the_message() -> None:
    async def main() -> None:
        nodes = {"missing": {"type": "homeassistant-api", "server": "home",
                             "protocol": "http", "path": "states/light.nowhere_{{ payload }}"},
                 "unknown": {"type": "homeassistant-api", "server": "home",
                             "data": {"type": "no_such_command"}},
                 "typeless": {"type": "homeassistant-api", "server": "home",
                              "data": {"entity_id": "sun.sun"}},
                 "pathless": {"type": "homeassistant-api", "server": "home",
                              "protocol": "http"}}
        async with running(nodes) as h:
            for node in nodes:
                h.send(node, {"payload": 1})
            await eventually(lambda: len(h.result.errors) == 4, "four errors")
        errors = {e.node: e.message for e in h.result.errors}
        assert "404" in errors["missing"] and "Entity not found" in errors["missing"]
        assert "unknown_command" in errors["unknown"]
        assert "type" in errors["typeless"] and "path" in errors["pathless"]
        assert not any(sent(h, node) for node in nodes)

    asyncio.run(main())
