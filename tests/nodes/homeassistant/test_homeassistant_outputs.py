"""Output properties (Node-RED's outputProperties) of current state, events: state and call
service against a real Home Assistant (FLOWRT_TEST_HOMEASSISTANT), and an `if state` of type
prevEntity."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.nodes.homeassistant.ha_kit import call, connected, eventually, running, state, unique

SWITCH = "input_boolean.flowrt_switch"
LEVEL = "input_number.flowrt_level"
TEXT = "input_text.flowrt_text"


def sent(harness: Any, node: str, port: int = 0) -> list[dict[str, Any]]:
    return harness.result.messages[(node, port)]


def test_current_state_sets_jsonata_the_state_twice_and_global_context() -> None:
    async def main() -> None:
        word = unique()
        call("input_text", "set_value", entity_id=TEXT, value=word)
        await eventually(lambda: state(TEXT) == word, "the text set")
        nodes = {"now": {"type": "homeassistant-current-state", "server": "home",
                         "entity_id": TEXT, "output_state": None, "output_entity": None,
                         "output_properties": [
                             {"property": "payload", "value_type": "entityState"},
                             {"property": "copy", "value_type": "entityState"},
                             {"property": "name", "value_type": "jsonata",
                              "value": "$entity().entity_id & ':' & payload"},
                             {"property": "was", "value_type": "msg", "value": "topic"},
                             {"property": "last", "property_type": "global",
                              "value_type": "triggerId"},
                             {"property": "n", "value_type": "num", "value": "2.5"}]}}
        async with running(nodes) as h:
            await asyncio.sleep(0.5)  # the event of the text set reaches the copy of states
            h.send("now", {"topic": "t", "payload": None})
            got = await eventually(lambda: sent(h, "now"), "the state")
            context = h.result.global_context()
        msg = got[0]
        assert (msg["payload"], msg["copy"]) == (word, word)
        assert msg["name"] == f"{TEXT}:{word}"  # sees the payload set just before
        assert (msg["was"], msg["n"]) == ("t", 2.5) and "data" not in msg
        assert context["last"] == TEXT

    asyncio.run(main())


def test_state_changed_sends_only_its_output_properties() -> None:
    async def main() -> None:
        call("input_boolean", "turn_off", entity_id=SWITCH)
        await eventually(lambda: state(SWITCH) == "off", "the switch off")
        nodes = {"changed": {"type": "homeassistant-state-changed", "server": "home",
                             "entities": {"exact": [SWITCH]},
                             "if_state": {"value": "state", "type": "prevEntity",
                                          "operator": "is_not"},
                             "output_properties": [
                                 {"property": "now", "value_type": "entityState"},
                                 {"property": "before", "value_type": "prevEntity"},
                                 {"property": "id", "value_type": "triggerId"},
                                 {"property": "flipped", "value_type": "jsonata",
                                  "value": "$prevEntity().state & '>' & $entity().state"},
                                 {"property": "seen", "property_type": "flow",
                                  "value_type": "entityState"}]}}
        async with running(nodes) as h:
            await eventually(lambda: connected(h, "changed"), "a green status")
            call("input_boolean", "turn_on", entity_id=SWITCH)
            got = await eventually(lambda: sent(h, "changed"), "the change to on")
        msg = got[0]
        assert {k for k in msg if not k.startswith("_")} == {"now", "before", "id", "flipped"}
        assert (msg["now"], msg["before"]["state"], msg["id"]) == ("on", "off", SWITCH)
        assert msg["flipped"] == "off>on"

    asyncio.run(main())


def test_call_service_sets_the_data_sent_and_no_results_for_a_service_without() -> None:
    async def main() -> None:
        word = unique()
        nodes = {"set": {"type": "homeassistant-call-service", "server": "home",
                         "domain": "input_text", "service": "set_value",
                         "entity_id": [TEXT], "data": '{"value": "{{payload}}"}',
                         "output_properties": [
                             {"property": "sent", "value_type": "data"},
                             {"property": "results", "value_type": "results"},
                             {"property": "what", "value_type": "jsonata",
                              "value": "$outputData('data').value & '!'"},
                             {"property": "domain", "value_type": "config",
                              "value": "domain"}]}}
        async with running(nodes) as h:
            h.send("set", {"payload": word})
            got = await eventually(lambda: sent(h, "set"), "the message after the call")
        assert state(TEXT) == word
        msg = got[0]
        assert msg["sent"] == {"value": word} and msg["what"] == f"{word}!"
        assert "results" not in msg and msg["domain"] == "input_text"  # undefined: unset

    asyncio.run(main())
