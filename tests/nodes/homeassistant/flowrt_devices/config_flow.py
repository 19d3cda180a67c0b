"""The config flow Home Assistant needs to load a config entry; the tests write the entry."""

from __future__ import annotations

from homeassistant import config_entries


class FlowrtDevicesFlow(config_entries.ConfigFlow, domain="flowrt_devices"):
    VERSION = 1
