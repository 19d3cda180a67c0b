"""The switch of the `flowrt lamp` device: it holds its state in memory."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddEntitiesCallback

DOMAIN = "flowrt_devices"


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry,
                            add: AddEntitiesCallback) -> None:
    add([Lamp()])


class Lamp(SwitchEntity):
    _attr_has_entity_name = True
    _attr_name = None
    _attr_unique_id = "flowrt_lamp"
    _attr_should_poll = False
    _attr_is_on = False
    _attr_device_info = DeviceInfo(identifiers={(DOMAIN, "lamp")}, name="flowrt lamp",
                                   manufacturer="flowrt")

    async def async_turn_on(self, **kwargs: Any) -> None:
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        self._attr_is_on = False
        self.async_write_ha_state()
