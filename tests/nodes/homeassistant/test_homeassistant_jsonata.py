"""`if_state` and trigger-state's conditions with JSONata, or with a value from the message or
the entity, against a real Home Assistant (FLOWRT_TEST_HOMEASSISTANT): the expression sees the
message and the entity as `$entity()` (and the previous one as `$prevEntity()`)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.nodes.homeassistant.ha_kit import connected, eventually, running, set_state, unique


def sent(harness: Any, node: str, port: int = 0) -> list[dict[str, Any]]:
    return harness.result.messages[(node, port)]


def errors(harness: Any) -> list[str]:
    return [text for node, level, text in harness.result.logs
            if node == "broken" and level == "error"]


def test_current_state_tests_with_jsonata_the_message_and_the_entity() -> None:
    async def main() -> None:
        entity = f"sensor.flowrt_{unique()}"
        set_state(entity, "21", target=20)
        base = {"type": "homeassistant-current-state", "server": "home", "entity_id": entity}
        nodes = {
            "expr": {**base, "if_state": {
                "operator": "jsonata", "type": "jsonata",
                "value": "$number($entity().state) > payload"}},
            "msg": {**base, "if_state": {"value": "want", "type": "msg"}},
            "attr": {**base, "state_type": "num", "if_state": {
                "operator": "gt", "value": "attributes.target", "type": "entity"}}}
        async with running(nodes) as h:
            for payload in (20, 30):
                h.send("expr", {"payload": payload})
            h.send("msg", {"payload": 1, "want": "21"})
            h.send("msg", {"payload": 2, "want": "other"})
            h.send("attr", {"payload": 1})
            await eventually(lambda: sent(h, "expr", 1) and len(sent(h, "msg", 0)) +
                             len(sent(h, "msg", 1)) == 2 and sent(h, "attr"), "every answer")
        assert [m["payload"] for m in sent(h, "expr")] == ["21"]  # the state, 21 > 20
        assert [m["data"]["state"] for m in sent(h, "expr", 1)] == ["21"]  # not > 30
        assert [m["want"] for m in sent(h, "msg")] == ["21"]
        assert [m["want"] for m in sent(h, "msg", 1)] == ["other"]
        assert sent(h, "attr")[0]["payload"] == 21  # 21 > the attribute 20

    asyncio.run(main())


def test_state_changed_and_trigger_state_see_the_previous_entity() -> None:
    async def main() -> None:
        entity = f"sensor.flowrt_{unique()}"
        set_state(entity, "10")
        rising = "$number($entity().state) > $number($prevEntity().state)"
        nodes = {"changed": {"type": "homeassistant-state-changed", "server": "home",
                             "entities": {"exact": [entity]},
                             "if_state": {"operator": "jsonata", "type": "jsonata",
                                          "value": rising}},
                 "trigger": {"type": "homeassistant-trigger-state", "server": "home",
                             "entities": {"exact": [entity]}, "conditions": [
                                 {"test": {"operator": "jsonata", "type": "jsonata",
                                           "value": rising}}]}}
        async with running(nodes) as h:
            await eventually(lambda: connected(h, "changed") and connected(h, "trigger"),
                             "connected")
            for value in ("15", "12"):
                set_state(entity, value)
            await eventually(lambda: all(sent(h, n, p) for n in nodes for p in (0, 1)),
                             "a rise and a fall from each")
        for name in nodes:
            assert [m["payload"] for m in sent(h, name)] == ["15"], name
            assert [m["payload"] for m in sent(h, name, 1)] == ["12"], name

    asyncio.run(main())


def test_trigger_state_custom_outputs() -> None:
    async def main() -> None:
        entity = f"sensor.flowrt_{unique()}"
        set_state(entity, "10", room="kitchen")
        outputs = [
            {},  # always: the first output's message
            {"test": {"value": "20", "operator": "gt", "type": "num"}, "message": "payload",
             "value": "{{new_state.attributes.room}} is hot", "value_type": "str"},
            {"property": "old_state.state", "test": {"value": "10"}, "message": "custom",
             "value": "{\"payload\": $outputData('eventData').entity_id, \"n\": 1}",
             "value_type": "jsonata"},
            {"message": "custom", "value": "[1]"}]  # not an object: an error, nothing sent
        nodes = {"trigger": {"type": "homeassistant-trigger-state", "server": "home",
                             "entities": {"exact": [entity]}, "custom_outputs": outputs[:3],
                             "conditions": [{"test": {"value": "off", "operator": "is_not"}}]},
                 "broken": {"type": "homeassistant-trigger-state", "server": "home",
                            "entities": {"exact": [entity]}, "custom_outputs": outputs[3:]}}
        async with running(nodes) as h:
            await eventually(lambda: connected(h, "trigger") and connected(h, "broken"),
                             "connected")
            for value in ("25", "15", "off"):
                set_state(entity, value, room="kitchen")
            await eventually(lambda: sent(h, "trigger", 1) and len(errors(h)) == 3,
                             "every change")
        assert [m["payload"] for m in sent(h, "trigger")] == ["25", "15"]
        assert [m["payload"] for m in sent(h, "trigger", 1)] == ["off"]
        assert [m["payload"] for m in sent(h, "trigger", 2)] == ["25", "15"]
        assert [m["payload"] for m in sent(h, "trigger", 3)] == ["kitchen is hot"]
        assert [(m["payload"], m["n"]) for m in sent(h, "trigger", 4)] == [(entity, 1)]
        assert not sent(h, "broken") and not sent(h, "broken", 2)
        assert "object" in errors(h)[0]

    asyncio.run(main())
