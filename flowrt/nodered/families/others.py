"""Node-RED types flowrt knows and has no counterpart for: hardware nodes and the dashboard
widgets flowrt has none of (dashboard.py and dashboard2.py map the others), with the reason,
and the config nodes of other contrib packages (known as config nodes, so they are reported as
such). Whole families of dashboard and hardware types are declared by the start of their
names."""

from __future__ import annotations

from flowrt.nodered.nrtype import NrType

_HARDWARE = "needs hardware flowrt does not drive ({}); read it elsewhere and publish over MQTT"
_DASHBOARD = ("this dashboard node has no flowrt widget (flowrt's dashboard pack has the widgets "
              "in nodes/dashboard/; see docs/dashboard.md)")

TYPES = (
    NrType("rpi-gpio in", unsupported=_HARDWARE.format("Raspberry Pi GPIO")),
    NrType("rpi-gpio out", unsupported=_HARDWARE.format("Raspberry Pi GPIO")),
    NrType("rpi-mouse", unsupported=_HARDWARE.format("a mouse")),
    NrType("rpi-keyboard", unsupported=_HARDWARE.format("a keyboard")),
    NrType("serial in", unsupported=_HARDWARE.format("a serial port")),
    NrType("serial out", unsupported=_HARDWARE.format("a serial port")),
    NrType("serial request", unsupported=_HARDWARE.format("a serial port")),
    NrType("serial-port", config=True, unsupported=_HARDWARE.format("a serial port")),
    NrType("pi-gpiod in", unsupported=_HARDWARE.format("Raspberry Pi GPIO, through pigpiod")),
    NrType("pi-gpiod out", unsupported=_HARDWARE.format("Raspberry Pi GPIO, through pigpiod")),
    NrType("arduino in", unsupported=_HARDWARE.format("an Arduino board (Firmata)")),
    NrType("arduino out", unsupported=_HARDWARE.format("an Arduino board (Firmata)")),
    NrType("arduino-board", config=True,
           unsupported=_HARDWARE.format("an Arduino board (Firmata)")),
    NrType("ds18b20", unsupported=_HARDWARE.format("a 1-Wire temperature sensor")),
    NrType("socketcan-in", unsupported=_HARDWARE.format("a CAN bus interface")),
    NrType("socketcan-out", unsupported=_HARDWARE.format("a CAN bus interface")),
    NrType("swagger-doc", config=True),
    NrType("sqlitedb", config=True),
    NrType("e-mail", config=True),
    NrType("twitter-credentials", config=True),
    NrType("ui_", prefix=True, unsupported=_DASHBOARD),
    NrType("ui-", prefix=True, unsupported=_DASHBOARD),
    NrType("rpi-", prefix=True,
           unsupported="Raspberry Pi hardware nodes need the device; flowrt has no GPIO nodes"),
    NrType("serial", prefix=True,
           unsupported="serial-port nodes need the device; flowrt has no serial nodes"),
)
