"""Sensor and binary sensor nodes against a real Home Assistant with the Node-RED Companion
integration (the tests' own, ha_devices.py): the entity is created with its settings, each
message sets its state and attributes, payload overrides follow `input_override`, and a Home
Assistant without the integration fails the message saying so."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.nodes.homeassistant.ha_devices import DeviceHome, device_home
from tests.nodes.homeassistant.ha_kit import eventually, running, unique

__all__ = ["device_home"]  # the fixture, used by name


def sent(harness: Any, node: str, port: int = 0) -> list[dict[str, Any]]:
    return harness.result.messages[(node, port)]


def test_a_sensor_is_created_and_each_message_sets_its_state_and_attributes(
        device_home: DeviceHome) -> None:
    async def main() -> None:
        word = unique()
        entity = f"sensor.flowrt_boiler_{word}"
        nodes = {"boiler": {"type": "homeassistant-sensor", "server": "home",
                            "name": f"flowrt boiler {word}",
                            "attributes": {"Source Of It": "topic"},
                            "settings": {"device_class": "temperature",
                                         "unit_of_measurement": "°C", "icon": ""},
                            "output_data": "sent"},
                 "garage": {"type": "homeassistant-binary-sensor", "server": "home",
                            "name": f"flowrt garage {word}", "input_override": "block"},
                 "merged": {"type": "homeassistant-sensor", "server": "home",
                            "name": f"flowrt merged {word}", "attributes": {"a": "topic"},
                            "fixed_attributes": {"c": 3},
                            "input_override": "merge"},
                 "doubled": {"type": "homeassistant-sensor", "server": "home",
                             "name": f"flowrt doubled {word}", "state_type": "jsonata",
                             "state": "$round(payload * 2, 1)"}}
        async with device_home.running(nodes) as h:
            h.send("boiler", {"payload": 21.5, "topic": "kitchen"})
            await eventually(lambda: sent(h, "boiler"), "the first state")
            first = device_home.api("GET", f"states/{entity}")
            h.send("boiler", {"payload": {"state": 30, "attributes": {"mode": "eco"}}})
            await eventually(lambda: len(sent(h, "boiler")) == 2, "the second state")
            second = device_home.api("GET", f"states/{entity}")
            h.send("garage", {"payload": "open"})
            await eventually(lambda: sent(h, "garage"), "the garage open")
            opened = device_home.state(f"binary_sensor.flowrt_garage_{word}")
            h.send("garage", {"payload": {"state": "on"}})  # blocked: the object is the state
            await eventually(lambda: h.result.errors, "the refused object")
            h.send("garage", {"payload": "closed"})
            await eventually(lambda: len(sent(h, "garage")) == 2, "the garage closed")
            closed = device_home.state(f"binary_sensor.flowrt_garage_{word}")
            h.send("merged", {"topic": "t", "payload": {"state": 1, "attributes": {"b": 2}}})
            await eventually(lambda: sent(h, "merged"), "the merged state")
            merged = device_home.api("GET", f"states/sensor.flowrt_merged_{word}")
            h.send("doubled", {"payload": 10.26})
            await eventually(lambda: sent(h, "doubled"), "the doubled state")
            doubled = device_home.state(f"sensor.flowrt_doubled_{word}")
        assert first["state"] == "21.5"
        assert first["attributes"]["unit_of_measurement"] == "°C"
        assert first["attributes"]["device_class"] == "temperature"
        assert first["attributes"]["source_of_it"] == "kitchen"
        assert "icon" not in first["attributes"]
        assert sent(h, "boiler")[0]["sent"] == {"state": 21.5,
                                                "attributes": {"source_of_it": "kitchen"}}
        assert second["state"] == "30" and second["attributes"]["mode"] == "eco"
        assert "source_of_it" not in second["attributes"]  # `allow` replaces them
        assert (opened, closed) == ("on", "off")
        assert "must be text, a number or a boolean" in h.result.errors[0].message
        assert merged["state"] == "1"
        assert (merged["attributes"]["a"], merged["attributes"]["b"]) == ("t", 2)
        assert merged["attributes"]["c"] == 3
        assert doubled == "20.5"

    asyncio.run(main())


def test_without_the_companion_integration_each_message_fails_saying_so() -> None:
    async def main() -> None:  # the shared test server has no custom component
        nodes = {"s": {"type": "homeassistant-sensor", "server": "home", "name": "flowrt x"}}
        async with running(nodes) as h:
            h.send("s", {"payload": 1})
            await eventually(lambda: h.result.errors, "the error")
        assert not sent(h, "s")
        assert "Node-RED Companion" in h.result.errors[0].message

    asyncio.run(main())
