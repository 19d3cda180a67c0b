"""Node-RED types flowrt knows and has no counterpart for: dashboard (node-red-dashboard) and
hardware nodes, with the reason, and the config nodes of other contrib packages (known as config
nodes, so they are reported as such). Whole families of dashboard and hardware types are
declared by the start of their names."""

from __future__ import annotations

from flowrt.nodered.nrtype import NrType

_HARDWARE = "needs hardware flowrt does not drive ({}); read it elsewhere and publish over MQTT"
_DASHBOARD = "dashboard nodes (node-red-dashboard) have no flowrt counterpart: flowrt has no UI"

TYPES = (
    NrType("rpi-gpio in", unsupported=_HARDWARE.format("Raspberry Pi GPIO")),
    NrType("rpi-gpio out", unsupported=_HARDWARE.format("Raspberry Pi GPIO")),
    NrType("rpi-mouse", unsupported=_HARDWARE.format("a mouse")),
    NrType("rpi-keyboard", unsupported=_HARDWARE.format("a keyboard")),
    NrType("serial in", unsupported=_HARDWARE.format("a serial port")),
    NrType("serial out", unsupported=_HARDWARE.format("a serial port")),
    NrType("serial request", unsupported=_HARDWARE.format("a serial port")),
    NrType("serial-port", config=True, unsupported=_HARDWARE.format("a serial port")),
    NrType("ui_base", config=True,
           unsupported="dashboard (node-red-dashboard) settings: flowrt has no dashboard"),
    NrType("ui_tab", config=True, unsupported="a dashboard tab: flowrt has no dashboard"),
    NrType("ui_group", config=True, unsupported="a dashboard group: flowrt has no dashboard"),
    NrType("ui_spacer", config=True, unsupported="a dashboard spacer: flowrt has no dashboard"),
    NrType("swagger-doc", config=True),
    NrType("MySQLdatabase", config=True),
    NrType("sqlitedb", config=True),
    NrType("e-mail", config=True),
    NrType("twitter-credentials", config=True),
    NrType("modbus-client", config=True),
    NrType("ui_", prefix=True, unsupported=_DASHBOARD),
    NrType("ui-", prefix=True, unsupported=_DASHBOARD),
    NrType("rpi-", prefix=True,
           unsupported="Raspberry Pi hardware nodes need the device; flowrt has no GPIO nodes"),
    NrType("serial", prefix=True,
           unsupported="serial-port nodes need the device; flowrt has no serial nodes"),
)
