"""The homeassistant pack against a real Home Assistant (FLOWRT_TEST_HOMEASSISTANT): state
changes arrive, services change states, current states are read and tested, events arrive,
a dropped connection is made again with its subscriptions, and the connection's state and
reconnects are in the runtime's metrics."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from flowrt.run.metrics import connection_metrics
from flowrt.testing import Harness
from tests.nodes.homeassistant.ha_kit import (
    URL,
    Relay,
    api,
    call,
    connected,
    eventually,
    running,
    state,
    unique,
)

SWITCH = "input_boolean.flowrt_switch"
LEVEL = "input_number.flowrt_level"
TEXT = "input_text.flowrt_text"


def sent(harness: Any, node: str, port: int = 0) -> list[dict[str, Any]]:
    return harness.result.messages[(node, port)]


def test_a_state_change_arrives_with_the_new_state_and_is_routed_by_if_state() -> None:
    async def main() -> None:
        call("input_boolean", "turn_off", entity_id=SWITCH)
        nodes = {"changed": {"type": "homeassistant-state-changed", "server": "home",
                             "entities": {"exact": [SWITCH]}, "state_type": "habool",
                             "if_state": {"value": "true", "type": "bool"}}}
        async with running(nodes) as h:
            await eventually(lambda: connected(h, "changed"), "a green status")
            call("input_boolean", "turn_on", entity_id=SWITCH)
            on = await eventually(lambda: sent(h, "changed", 0), "the change to on")
            call("input_boolean", "turn_off", entity_id=SWITCH)
            off = await eventually(lambda: sent(h, "changed", 1), "the change to off")
        assert on[0]["payload"] is True and on[0]["topic"] == SWITCH
        old, new = on[0]["data"]["old_state"], on[0]["data"]["new_state"]
        assert (old["state"], old["original_state"]) == (False, "off")
        assert (new["state"], new["original_state"]) == (True, "on")
        assert new["last_changed"].endswith("+00:00")  # as the event gives it
        assert isinstance(on[0]["data"]["new_state"]["timeSinceChangedMs"], int)
        assert off[0]["payload"] is False
        assert len(sent(h, "changed", 0)) == 1

    asyncio.run(main())


def test_substring_entities_and_output_initially() -> None:
    async def main() -> None:
        nodes = {"changed": {"type": "homeassistant-state-changed", "server": "home",
                             "entities": {"substring": ["input_number.flowrt"]},
                             "state_type": "num", "output_initially": True}}
        call("input_number", "set_value", entity_id=LEVEL, value=7)
        async with running(nodes) as h:
            first = await eventually(lambda: sent(h, "changed"), "the initial state")
            call("input_number", "set_value", entity_id=LEVEL, value=8)
            await eventually(lambda: len(sent(h, "changed")) >= 2, "the change to 8")
        assert first[0]["payload"] == 7 and "old_state" not in first[0]["data"]
        assert sent(h, "changed")[1]["payload"] == 8

    asyncio.run(main())


def test_call_service_sets_a_state_with_data_from_the_message() -> None:
    async def main() -> None:
        word = unique()
        nodes = {"set": {"type": "homeassistant-call-service", "server": "home",
                         "domain": "input_text", "service": "set_value",
                         "entity_id": [TEXT], "data": '{"value": "{{payload}}"}',
                         "output_data": "called"}}
        async with running(nodes) as h:
            h.send("set", {"payload": word})
            done = await eventually(lambda: sent(h, "set"), "the message after the call")
        assert state(TEXT) == word
        assert done[0]["called"] == {"domain": "input_text", "service": "set_value",
                                     "data": {"value": word}}

    asyncio.run(main())


def test_call_service_takes_domain_service_data_and_target_from_the_payload() -> None:
    async def main() -> None:
        nodes = {"set": {"type": "homeassistant-call-service", "server": "home",
                         "domain": "input_text", "service": "nothing"}}
        async with running(nodes) as h:
            h.send("set", {"payload": {"domain": "input_number", "service": "set_value",
                                       "target": {"entity_id": [LEVEL]},
                                       "data": {"value": 42}}})
            await eventually(lambda: sent(h, "set"), "the message after the call")
        assert state(LEVEL) == "42.0"

    asyncio.run(main())


def test_a_refused_service_call_fails_the_message() -> None:
    async def main() -> None:
        nodes = {"set": {"type": "homeassistant-call-service", "server": "home",
                         "domain": "input_number", "service": "set_value",
                         "entity_id": [LEVEL], "data": {"value": "not a number"}}}
        async with running(nodes) as h:
            h.send("set", {"payload": 1})
            await eventually(lambda: h.result.errors, "an error")
        assert not sent(h, "set")

    asyncio.run(main())


def test_current_state_reads_tests_and_routes() -> None:
    async def main() -> None:
        word = unique()
        call("input_text", "set_value", entity_id=TEXT, value=word)
        nodes = {"now": {"type": "homeassistant-current-state", "server": "home",
                         "entity_id": TEXT, "if_state": {"value": word},
                         "topic_is_entity": True},
                 "level": {"type": "homeassistant-current-state", "server": "home",
                           "entity_id": "{{topic}}", "state_type": "num"}}
        async with running(nodes) as h:
            h.send("now", {"payload": None})
            hit = await eventually(lambda: sent(h, "now", 0), "the state")
            h.send("now", {"payload": {"entity_id": SWITCH}})
            miss = await eventually(lambda: sent(h, "now", 1), "the other entity's state")
            call("input_number", "set_value", entity_id=LEVEL, value=13)
            await eventually(lambda: state(LEVEL) == "13.0", "the level set")
            await asyncio.sleep(0.5)  # the state_changed event reaches the copy of states
            h.send("level", {"topic": LEVEL})
            level = await eventually(lambda: sent(h, "level"), "the level")
        assert hit[0]["payload"] == word and hit[0]["topic"] == TEXT
        assert hit[0]["data"]["entity_id"] == TEXT
        assert miss[0]["payload"] in ("on", "off") and miss[0]["topic"] == SWITCH
        assert level[0]["payload"] == 13

    asyncio.run(main())


def test_current_state_sets_fixed_text_and_a_connection_without_token_uses_the_supervisor_s(
) -> None:
    async def main() -> None:
        nodes = {"now": {"type": "homeassistant-current-state", "server": "home",
                         "entity_id": SWITCH, "output_state": "state", "output_entity": None,
                         "output_values": {"payload": "24h"}}}
        async with running(nodes, supervised=True) as h:
            h.send("now", {"payload": 1})
            got = await eventually(lambda: sent(h, "now"), "the state")
        assert got[0]["payload"] == "24h" and got[0]["state"] in ("on", "off")
        assert "data" not in got[0]

    asyncio.run(main())


def test_render_template_renders_on_home_assistant_and_msg_template_replaces_it() -> None:
    async def main() -> None:
        word = unique()
        call("input_text", "set_value", entity_id=TEXT, value=word)
        nodes = {"render": {"type": "homeassistant-render-template", "server": "home",
                            "template": "{{ states('" + TEXT + "') }}-{{ 20 + 1 }}"}}
        async with running(nodes) as h:
            h.send("render", {"payload": None})
            await eventually(lambda: sent(h, "render"), "the first rendering")
            h.send("render", {"template": "{{ 6 * 7 }}"})
            await eventually(lambda: len(sent(h, "render")) == 2, "the second rendering")
            h.send("render", {"template": "{{ states( }}"})
            await eventually(lambda: h.result.errors, "the error of a broken template")
        first, second = sent(h, "render")
        assert first["payload"] == f"{word}-21" and first["template"].startswith("{{ states(")
        assert second["payload"] == 42 and second["template"] == "{{ 6 * 7 }}"

    asyncio.run(main())


def test_events_of_a_type_arrive() -> None:
    async def main() -> None:
        kind = f"flowrt_test_{unique()}"
        nodes = {"events": {"type": "homeassistant-events", "server": "home",
                            "event_type": kind}}
        async with running(nodes) as h:
            await eventually(lambda: connected(h, "events"), "a green status")
            api("POST", f"events/{kind}", {"n": 1})
            got = await eventually(lambda: sent(h, "events"), "the event")
        assert got[0]["topic"] == kind and got[0]["event_type"] == kind
        assert got[0]["payload"]["data"] == {"n": 1}

    asyncio.run(main())


def test_a_dropped_connection_is_made_again_with_its_subscriptions() -> None:
    async def main() -> None:
        parts = urlsplit(URL)
        async with Relay(parts.hostname or "127.0.0.1", parts.port or 8123) as relay:
            nodes = {"changed": {"type": "homeassistant-state-changed", "server": "home",
                                 "entities": {"exact": [TEXT]}},
                     "events": {"type": "homeassistant-events", "server": "home",
                                "event_type": "flowrt_relay"}}
            async with running(nodes, f"http://127.0.0.1:{relay.port}") as h:
                await eventually(lambda: connected(h, "changed"), "a green status")
                relay.cut()
                await eventually(lambda: relay.accepted >= 2 and connected(h, "changed")
                                 and connected(h, "events"), "connected again")
                word = unique()
                call("input_text", "set_value", entity_id=TEXT, value=word)
                got = await eventually(
                    lambda: [m for m in sent(h, "changed") if m["payload"] == word],
                    "the change after the reconnect")
                api("POST", "events/flowrt_relay", {})
                await eventually(lambda: sent(h, "events"), "the event after the reconnect")
        assert got[0]["topic"] == TEXT

    asyncio.run(main())


def test_the_connection_reports_itself_up_down_and_a_reconnect_once_for_its_nodes() -> None:
    """Two nodes share home: one ``connected`` and ``reconnects`` for home (what /metrics
    shows), down while Home Assistant cannot be reached, one reconnect when it can again."""

    def home(h: Harness) -> Any:
        assert h.runtime is not None
        links = connection_metrics(h.runtime.meter)
        assert set(links) <= {"home"}  # the connection's, not one per node
        return links.get("home", {})

    async def main() -> None:
        parts = urlsplit(URL)
        async with Relay(parts.hostname or "127.0.0.1", parts.port or 8123) as relay:
            nodes = {"changed": {"type": "homeassistant-state-changed", "server": "home",
                                 "entities": {"exact": [TEXT]}},
                     "events": {"type": "homeassistant-events", "server": "home",
                                "event_type": "flowrt_relay"}}
            async with running(nodes, f"http://127.0.0.1:{relay.port}") as h:
                await eventually(lambda: home(h).get("connected"), "home connected")
                assert home(h) == {"connected": True, "reconnects": 0,
                                   "type": "homeassistant-server", "flow": "ha"}
                relay.refuse()
                await eventually(lambda: home(h)["connected"] is False, "home down")
                assert home(h)["reconnects"] == 0
                relay.admit()
                await eventually(lambda: home(h)["reconnects"] == 1, "one reconnect of home")
                assert home(h)["connected"] is True

    asyncio.run(main())
