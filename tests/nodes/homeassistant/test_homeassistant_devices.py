"""Device triggers and device actions against a real Home Assistant with a device (the tests'
own, ha_devices.py): the triggers and actions Home Assistant lists for the device run as
listed, a trigger fires once per change, and what Home Assistant refuses is reported."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.conformance.conformance_kit import error_logs
from tests.nodes.homeassistant.ha_devices import LAMP, DeviceHome, device_home, device_id
from tests.nodes.homeassistant.ha_kit import connected, eventually

__all__ = ["device_home"]  # the fixture, used by name


def sent(harness: Any, node: str, port: int = 0) -> list[dict[str, Any]]:
    return harness.result.messages[(node, port)]


def test_home_assistant_lists_the_lamp_s_triggers_and_actions_through_the_api_node(
        device_home: DeviceHome) -> None:
    async def main() -> None:
        device = device_id(device_home)
        nodes = {"list": {"type": "homeassistant-api", "server": "home",
                          "data": '{"type": "device_automation/{{ topic }}/list", '
                                  '"device_id": "{{ payload }}"}'}}
        async with device_home.running(nodes) as h:
            h.send("list", {"topic": "trigger", "payload": device})
            h.send("list", {"topic": "action", "payload": device})
            got = await eventually(lambda: len(sent(h, "list")) == 2 and sent(h, "list"),
                                   "both lists")
        triggers = {t["type"] for t in got[0]["payload"]}
        actions = {a["type"] for a in got[1]["payload"]}
        assert {"turned_on", "turned_off"} <= triggers
        assert {"turn_on", "turn_off", "toggle"} <= actions
        assert all(t["device_id"] == device for t in got[0]["payload"])

    asyncio.run(main())


def test_a_device_action_runs_and_a_device_trigger_fires_once_per_change(
        device_home: DeviceHome) -> None:
    async def main() -> None:
        device = device_id(device_home)
        device_home.api("POST", "services/switch/turn_off", {"entity_id": LAMP})
        lamp = {"device_id": device, "domain": "switch", "entity_id": LAMP}
        nodes = {"on": {"type": "homeassistant-device-trigger", "server": "home",
                        "trigger": {**lamp, "type": "turned_on"}},
                 "toggle": {"type": "homeassistant-device-action", "server": "home",
                            "action": {**lamp, "type": "toggle"}, "output_data": "done"}}
        async with device_home.running(nodes) as h:
            await eventually(lambda: connected(h, "on"), "a green status")
            h.send("toggle", {"payload": 1})
            await eventually(lambda: sent(h, "toggle"), "the action run")
            assert device_home.state(LAMP) == "on"
            fired = await eventually(lambda: sent(h, "on"), "the trigger")
            h.send("toggle", {"payload": 2})  # off: turned_on does not fire
            await eventually(lambda: len(sent(h, "toggle")) == 2, "the second action")
            assert device_home.state(LAMP) == "off"
            h.send("toggle", {"payload": 3})
            await eventually(lambda: len(sent(h, "on")) == 2, "the trigger again")
        assert fired[0]["topic"] == device
        trigger = fired[0]["payload"]
        assert trigger["platform"] == "device" and trigger["entity_id"] == LAMP
        assert trigger["to_state"]["state"] == "on" and trigger["from_state"]["state"] == "off"
        assert sent(h, "toggle")[0]["done"] == {**lamp, "type": "toggle"}
        assert [m["payload"]["to_state"]["state"] for m in sent(h, "on")] == ["on", "on"]

    asyncio.run(main())


def test_an_action_home_assistant_refuses_fails_the_message_and_a_bad_trigger_is_reported(
        device_home: DeviceHome) -> None:
    async def main() -> None:
        device = device_id(device_home)
        nodes = {"act": {"type": "homeassistant-device-action", "server": "home",
                         "action": {"device_id": device, "domain": "switch",
                                    "entity_id": LAMP, "type": "explode"}},
                 "nobody": {"type": "homeassistant-device-trigger", "server": "home",
                            "trigger": {"device_id": "0" * 32, "domain": "switch",
                                        "entity_id": LAMP, "type": "turned_on"}}}
        async with device_home.running(nodes) as h:
            h.send("act", {"payload": 1})
            await eventually(lambda: [e for e in h.result.errors if e.node == "act"],
                             "the action's error")
            logged = await eventually(
                lambda: [e for e in error_logs(h) if e[0] == "nobody"], "the trigger's error")
        assert not sent(h, "act")
        assert "explode" in h.result.errors[0].message
        assert "Unknown device" in logged[0][2]  # Home Assistant's reason; tried again later

    asyncio.run(main())
