"""Waiting on states of a real Home Assistant (FLOWRT_TEST_HOMEASSISTANT): wait-until holds a
message until an entity passes its test or a timeout; state-changed's and current-state's
`hold_for`; get-entities filters the states. The entities are made for each test through the
REST API (`sensor.flowrt_<id>`). The timers run on a clock the test moves, so nothing
depends on how fast the machine is."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.nodes.homeassistant.ha_kit import connected, eventually, running, set_state, unique


def sent(harness: Any, node: str, port: int = 0) -> list[dict[str, Any]]:
    return harness.result.messages[(node, port)]


def waiting(harness: Any, node: str) -> int:
    return sum(1 for n, s in harness.result.statuses
               if n == node and str(s.get("text", "")).startswith("waiting"))


def test_wait_until_sends_when_the_entity_passes_and_replaces_a_waiting_message() -> None:
    async def main() -> None:
        entity = f"sensor.flowrt_{unique()}"
        set_state(entity, "idle")
        nodes = {"wait": {"type": "homeassistant-wait-until", "server": "home",
                          "entity_id": "{{topic}}", "until": {"value": "done"},
                          "timeout": 1, "timeout_units": "hours", "output_entity": "data"}}
        async with running(nodes, virtual_time=True) as h:
            h.send("wait", {"topic": entity, "payload": "first"})
            await eventually(lambda: waiting(h, "wait") == 1, "the first wait")
            h.send("wait", {"topic": entity, "payload": "second"})
            await eventually(lambda: waiting(h, "wait") == 2, "the second wait")
            set_state(entity, "busy")
            set_state(entity, "done", progress=100)
            got = await eventually(lambda: sent(h, "wait"), "the message after done")
            h.send("wait", {"topic": entity, "payload": "already"})  # checks the state now
            await eventually(lambda: len(sent(h, "wait")) == 2, "the one already done")
        assert [m["payload"] for m in sent(h, "wait")] == ["second", "already"]
        assert got[0]["data"]["state"] == "done"
        assert got[0]["data"]["attributes"]["progress"] == 100
        assert isinstance(got[0]["data"]["timeSinceChangedMs"], int)
        assert not sent(h, "wait", 1)

    asyncio.run(main())


def test_wait_until_times_out_on_the_second_output_and_a_reset_drops_the_message() -> None:
    async def main() -> None:
        entity = f"sensor.flowrt_{unique()}"
        set_state(entity, "10")
        nodes = {"wait": {"type": "homeassistant-wait-until", "server": "home",
                          "entity_id": entity, "check_current_state": False,
                          "until": {"comparator": "gt", "value": "20", "type": "num"},
                          "timeout": 30, "output_entity": "entity"}}
        async with running(nodes, virtual_time=True) as h:
            h.send("wait", {"payload": "late"})
            await eventually(lambda: waiting(h, "wait") == 1, "the wait")
            await h.advance(31)
            late = await eventually(lambda: sent(h, "wait", 1), "the timeout")
            h.send("wait", {"payload": "dropped"})
            await eventually(lambda: waiting(h, "wait") == 2, "the second wait")
            h.send("wait", {"reset": True})
            await h.advance(31)
            h.send("wait", {"payload": "kept"})
            await eventually(lambda: waiting(h, "wait") == 3, "the third wait")
            set_state(entity, "25")
            await eventually(lambda: sent(h, "wait"), "the message once above 20")
        assert late[0]["payload"] == "late" and late[0]["entity"]["state"] == "10"
        assert [m["payload"] for m in sent(h, "wait", 1)] == ["late"]
        assert [m["payload"] for m in sent(h, "wait")] == ["kept"]

    asyncio.run(main())


def test_wait_until_takes_its_test_from_the_payload_unless_blocked() -> None:
    async def main() -> None:
        entity = f"sensor.flowrt_{unique()}"
        set_state(entity, "off")
        nodes = {"wait": {"type": "homeassistant-wait-until", "server": "home",
                          "entity_id": "sensor.nothing", "until": {"value": "x"},
                          "block_input_overrides": False, "check_current_state": False},
                 "bad": {"type": "homeassistant-wait-until", "server": "home",
                         "entity_id": "sensor.nothing", "until": {"value": "x"},
                         "block_input_overrides": False},
                 "missing": {"type": "homeassistant-wait-until", "server": "home",
                             "entity_id": f"{entity}_none", "until": {"value": "x"}}}
        async with running(nodes, virtual_time=True) as h:
            h.send("wait", {"payload": {"entityId": entity, "property": "attributes.level",
                                        "comparator": "gte", "value": 5, "valueType": "num"}})
            await eventually(lambda: waiting(h, "wait") == 1, "the wait")
            set_state(entity, "on", level=3)
            set_state(entity, "on", level=7)
            got = await eventually(lambda: sent(h, "wait"), "the message at level 7")
            h.send("bad", {"payload": {"timeout": "soon"}})
            await eventually(lambda: h.result.errors, "the error of a bad timeout")
            h.send("missing", {"payload": 1})
            errors = await eventually(lambda: len(h.result.errors) == 2 and h.result.errors,
                                      "the error of an entity Home Assistant has not")
        assert got[0]["payload"]["entityId"] == entity
        assert "timeout" in errors[0].message and "has no entity" in errors[1].message
        assert not sent(h, "missing")

    asyncio.run(main())


def test_state_changed_sends_once_the_state_held_and_a_change_starts_the_wait_again() -> None:
    async def main() -> None:
        entity = f"sensor.flowrt_{unique()}"
        set_state(entity, "start")
        nodes = {"held": {"type": "homeassistant-state-changed", "server": "home",
                          "entities": {"exact": [entity]}, "hold_for": 10,
                          "hold_units": "seconds"},
                 "on": {"type": "homeassistant-state-changed", "server": "home",
                        "entities": {"exact": [entity]}, "if_state": {"value": "b"},
                        "hold_for": 1, "hold_units": "minutes"}}
        async with running(nodes, virtual_time=True) as h:
            await eventually(lambda: connected(h, "held") and connected(h, "on"), "connected")
            set_state(entity, "a")
            await eventually(lambda: waiting(h, "held") == 1, "the wait for a")
            set_state(entity, "b")
            await eventually(lambda: waiting(h, "held") == 2 and waiting(h, "on") == 1,
                             "the waits for b")
            await h.advance(11)
            held = await eventually(lambda: sent(h, "held"), "b, held 10 s")
            set_state(entity, "c")  # fails `if_state`: sent at once, b's wait ends
            failed = await eventually(lambda: sent(h, "on", 1), "c on the second output")
            # each node reads its own inbox: the clock moves once both have seen c
            await eventually(lambda: waiting(h, "held") == 3, "the wait for c")
            await h.advance(61)
            set_state(entity, "b")
            await eventually(lambda: waiting(h, "held") == 4 and waiting(h, "on") == 2,
                             "the waits for b again")
            await h.advance(61)
            passed = await eventually(lambda: sent(h, "on"), "b, held a minute")
        assert [m["payload"] for m in held] == ["b", "c", "b"]  # a's wait ended by b
        assert held[0]["data"]["old_state"]["state"] == "a"
        assert [m["payload"] for m in failed] == ["a", "c"]  # failing: sent at once
        assert [m["payload"] for m in passed] == ["b"]
        assert passed[0]["data"]["old_state"]["state"] == "c"

    asyncio.run(main())


def test_current_state_passes_only_a_state_held_long_enough() -> None:
    async def main() -> None:
        entity = f"sensor.flowrt_{unique()}"
        set_state(entity, "on")
        nodes = {"now": {"type": "homeassistant-current-state", "server": "home",
                         "entity_id": entity, "if_state": {"value": "on"},
                         "hold_for": 1, "hold_units": "hours"},
                 "past": {"type": "homeassistant-current-state", "server": "home",
                          "entity_id": entity, "if_state": {"value": "on"},
                          "hold_for": 1, "hold_units": "milliseconds"}}
        async with running(nodes) as h:
            h.send("now", {"payload": 1})
            await eventually(lambda: sent(h, "now", 1), "a state too new")
            await eventually(lambda: sent(h, "now", 1)[0]["data"]["timeSinceChangedMs"] > 1,
                             "a millisecond passes")
            h.send("past", {"payload": 1})
            await eventually(lambda: sent(h, "past"), "a state held a millisecond")
        assert not sent(h, "now")

    asyncio.run(main())


def test_get_entities_filters_the_states_and_outputs_them_four_ways() -> None:
    async def main() -> None:
        prefix = f"sensor.flowrt_{unique()}"
        for name, level in (("a", "5"), ("b", "15"), ("c", "25")):
            set_state(f"{prefix}_{name}", level, unit="W")
        rules = [{"property": "entity_id", "comparator": "starts_with", "value": prefix},
                 {"property": "state", "comparator": "gt", "value": "10", "type": "num"}]
        base = {"type": "homeassistant-get-entities", "server": "home", "rules": rules}
        nodes = {"array": base, "count": {**base, "output_type": "count", "output": "n"},
                 "split": {**base, "output_type": "split"},
                 "random": {**base, "output_type": "random"},
                 "jsonata": {**base, "rules": [rules[0], {
                     "comparator": "jsonata",
                     "value": "$number($entity().state) > payload"}]},
                 "none": {**base, "rules": [{"property": "entity_id", "value": "sensor.no"}]}}
        async with running(nodes) as h:
            for name in nodes:
                h.send(name, {"payload": 20, "topic": name})
            await eventually(lambda: all(sent(h, n) for n in nodes if n != "none"),
                             "every answer")
            await h.run()
        ids = [e["entity_id"] for e in sent(h, "array")[0]["payload"]]
        assert ids == [f"{prefix}_b", f"{prefix}_c"]
        assert sent(h, "array")[0]["payload"][0]["attributes"] == {"unit": "W"}
        assert sent(h, "count")[0]["n"] == 2 and sent(h, "count")[0]["payload"] == 20
        split = sent(h, "split")
        assert [m["payload"]["entity_id"] for m in split] == ids
        assert [m["parts"]["index"] for m in split] == [0, 1]
        assert {m["parts"]["count"] for m in split} == {2} and split[0]["topic"] == "split"
        assert sent(h, "random")[0]["payload"]["entity_id"] in ids
        assert [e["entity_id"] for e in sent(h, "jsonata")[0]["payload"]] == [f"{prefix}_c"]
        assert not sent(h, "none")  # no entity, and no empty list unless output_empty

    asyncio.run(main())
