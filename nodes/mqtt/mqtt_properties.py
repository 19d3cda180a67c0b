"""MQTT 5 properties as paho decodes them, without rebuilding paho's tables for every packet.

paho 2.x decodes every MQTT 5 PUBLISH into a new ``Properties`` object whose ``__init__`` builds
three tables (type names, property names, and which packets each property may be in) and whose
``unpack`` first clears every known name, one ``hasattr`` each: 14 µs a message on a quiet
machine here (50 µs under load), seven times paho's whole decoding of the same PUBLISH under
MQTT 3.1.1, 4 µs with the tables shared (``python benchmarks/bench_mqtt5_decode.py``). That made
an MQTT 5 connection read slower than a 3.1.1 one, and MQTT 5 is what lets a journaled mqtt-in
widen the broker's window (docs/delivery.md).

:class:`SharedProperties` is paho's class with those tables made once and shared by every
object (paho only reads them), ``clear`` walking the names once (not at all on an object that
holds none, as a new one), and paho's lookups of a property's name and identifier made into
dictionaries of those tables (``unpack`` looked each property up three times, walking the names
each time, and setting it made a list of the 27 names): what it decodes, what it refuses (a
property twice, one not allowed in the packet, a value out of range: refused by paho's own
``__setattr__``, which every such case is handed to) and how it prints and packs are paho's
own code. :func:`install` makes paho's packet decoding use it; it is installed when the first
client is made, and only on the paho versions it was checked against (2.x, whose ``_packet``
module holds the decoders), so another version decodes as it always did.
"""

from __future__ import annotations

from typing import Any


def install() -> bool:
    """Have paho decode properties with :class:`SharedProperties`; False when this paho is not
    one it knows (nothing is changed then)."""
    try:
        import paho.mqtt as paho
        from paho.mqtt import _packet
    except ImportError:
        return False
    if not paho.__version__.startswith("2.") or getattr(_packet, "Properties", None) is None:
        return False
    _packet.Properties = shared_class()  # type: ignore[attr-defined]
    return True


_class: Any = None

LIMITS = {
    "ReceiveMaximum": (1, 65535), "TopicAlias": (1, 65535), "TopicAliasMaximum": (0, 65535),
    "MaximumPacketSize": (1, 268435455), "SubscriptionIdentifier": (1, 268435455),
    "RequestResponseInformation": (0, 1), "RequestProblemInformation": (0, 1),
    "PayloadFormatIndicator": (0, 1),
}
"""The single values paho's ``Properties.__setattr__`` checks, and the int range it takes of
each (a value outside, or not an int, is left to paho, which refuses or takes it)."""


def shared_class() -> Any:
    """The class (made on first use, so that importing this module does not import paho)."""
    global _class
    if _class is None:
        _class = _make()
    return _class


def _make() -> Any:
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    model = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    tables = {"types": model.types, "names": model.names, "properties": model.properties}
    compressed = tuple(name.replace(" ", "") for name in model.names)
    own = len(tables) + 1  # the tables and packetType: an object holding no property
    idents: dict[str, int] = {}
    for name, ident in model.names.items():  # paho's lookups answer with the first match
        idents.setdefault(name.replace(" ", ""), ident)
    named = {ident: name for name, ident in model.names.items()}  # and these with the last
    multiple = frozenset(name for name, ident in idents.items() if ident in (11, 38))
    allowed = {name: model.properties[ident][1] for name, ident in idents.items()}

    class SharedProperties(Properties):
        """paho's Properties with its tables shared (see the module)."""

        def __init__(self, packetType: int) -> None:
            set_attribute = object.__setattr__
            set_attribute(self, "packetType", packetType)
            for name, table in tables.items():
                set_attribute(self, name, table)

        def clear(self) -> None:
            held = self.__dict__
            if len(held) > own:
                for name in compressed:
                    held.pop(name, None)

        def getIdentFromName(self, compressedName: str) -> int:  # noqa: N802, N803 (paho's)
            return idents.get(compressedName, -1)

        def getNameFromIdent(self, identifier: int) -> str | None:  # noqa: N802 (paho's)
            return named.get(identifier)

        def allowsMultiple(self, compressedName: str) -> bool:  # noqa: N802, N803 (paho's)
            return compressedName in multiple

        def __setattr__(self, name: str, value: Any) -> None:
            """paho's, without its list of every name made to look one up: a known property
            of this packet with a value paho takes at once is set here as paho sets it; any
            other (a table, a name or packet it refuses, a value it checks) goes to paho."""
            name = name.replace(" ", "")
            packets = allowed.get(name)
            if packets is None or self.packetType not in packets:
                Properties.__setattr__(self, name, value)  # type: ignore[no-untyped-call]
                return
            limits = LIMITS.get(name)
            if limits is not None and not isinstance(value, list) and (
                    type(value) is not int or not limits[0] <= value <= limits[1]):
                Properties.__setattr__(self, name, value)  # type: ignore[no-untyped-call]
                return
            if name in multiple:
                if not isinstance(value, list):
                    value = [value]
                if hasattr(self, name):
                    value = object.__getattribute__(self, name) + value
            object.__setattr__(self, name, value)

    return SharedProperties
