"""A Home Assistant custom integration for flowrt's tests: one device, `flowrt lamp`, with one
switch entity, so that Home Assistant offers device triggers (turned on, turned off) and device
actions (turn on, turn off, toggle) for it. Its config entry is written into the test
configuration's storage by tests/nodes/homeassistant/ha_devices.py."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

DOMAIN = "flowrt_devices"


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    await hass.config_entries.async_forward_entry_setups(entry, [Platform.SWITCH])
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    return await hass.config_entries.async_unload_platforms(entry, [Platform.SWITCH])
