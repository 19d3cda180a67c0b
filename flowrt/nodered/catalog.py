"""Every table of the Node-RED bridge, derived from the families' declarations.

Each module of flowrt/nodered/families/ declares its Node-RED types as a ``TYPES`` tuple of
:class:`~flowrt.nodered.nrtype.NrType` (see that module for how to add one). The import, the
reader and the export look types up here only; nothing below lists a type.
"""

from __future__ import annotations

from dataclasses import replace

from flowrt.nodered.families import (
    amqp,
    common,
    dashboard,
    dashboard2,
    databases,
    flow_control,
    function,
    homeassistant,
    homeassistant_devices,
    homeassistant_sensors,
    modbus,
    moment,
    mqtt,
    mysql,
    network,
    others,
    parser,
    prib,
    schedules,
    sequence,
    sockets,
    system,
    time_range,
    timers,
    websocket,
)
from flowrt.nodered.mapping import Mapper
from flowrt.nodered.nrtype import NrType

STAND_IN = "unsupported"
"""The flowrt type of a node standing in for one the import could not map
(nodes/core/unsupported.py): it keeps the Node-RED node's wires, reason and properties."""

FAMILIES = (common, function, flow_control, sequence, parser, network, sockets, mqtt, databases,
            mysql, amqp, system, schedules, time_range, timers, moment, prib, websocket,
            homeassistant, homeassistant_devices, homeassistant_sensors,
            modbus, dashboard, dashboard2, others)
"""The family modules, in the order their types are looked up."""

DECLARED: tuple[NrType, ...] = tuple(t for family in FAMILIES for t in family.TYPES)
"""Every declaration, prefixes included."""

TYPES: dict[str, NrType] = {t.type: t for t in DECLARED if not t.prefix}
"""Node-RED type -> its declaration."""

CONFIG_TYPES = frozenset(t.type for t in TYPES.values() if t.config)
"""Types known to be config nodes; others are recognised by having no wires and no position."""

CONNECTION_TYPES: dict[str, str] = {t.type: t.flowrt for t in TYPES.values() if t.connection}
"""Node-RED config types that become connections -> the flowrt type they become."""

CONNECTION_SOURCES: dict[str, tuple[str, ...]] = {
    flowrt: tuple(nr for nr, made in CONNECTION_TYPES.items() if made == flowrt)
    for flowrt in dict.fromkeys(CONNECTION_TYPES.values())
}
"""flowrt connection type -> the Node-RED config types a node may refer to for it."""

LOGIN_TYPES = frozenset(t.type for t in TYPES.values() if t.login)
"""Config types whose login is in Node-RED's credentials, not in the flow."""

STUB_FIELDS: dict[str, str] = {t.flowrt: t.stub for t in TYPES.values() if t.stub}
"""flowrt connection type -> the field a connection standing in for a missing one sets."""

FOLDED = frozenset(t.type for t in TYPES.values() if t.folded)
"""Config nodes whose settings are copied into the nodes using them, not made connections."""

GLOBAL_ENV = frozenset(t.type for t in TYPES.values() if t.global_env)
"""Config nodes whose environment variables are copied into every flow."""

IMPORTERS: dict[str, Mapper] = {t.type: t.imports for t in TYPES.values() if t.imports}
"""Node-RED type -> its import conversion: every type with a mapping."""

EXPORTED: dict[str, NrType] = {t.flowrt: t for t in TYPES.values() if t.exports} | {
    flowrt: replace(t, flowrt=flowrt, exports=exports, variants=())
    for t in TYPES.values() for flowrt, exports in t.variants}
"""flowrt type -> the declaration of its Node-RED counterpart, which carries the export
conversion: every flowrt type with a counterpart."""

UNSUPPORTED: dict[str, str] = {t.type: t.unsupported for t in TYPES.values() if t.unsupported}
"""Node-RED types known to have no counterpart, with the reason."""

PREFIXES: dict[str, str] = {t.type: t.unsupported for t in DECLARED if t.prefix}
"""Starts of type names of unsupported families (dashboard, hardware), with the reason."""


PREPARERS = tuple(f.prepare_import for f in FAMILIES if hasattr(f, "prepare_import"))
"""Families' steps over the whole export before it is mapped (``prepare_import(export)``:
adding what a partial export leaves out, such as a dashboard's base)."""

FINISHERS = tuple(f.finish_export for f in FAMILIES if hasattr(f, "finish_export"))
"""Families' steps over the whole export after every node is made (``finish_export(documents,
made, options)`` with made: flow id -> flowrt id -> Node-RED node, options: the export's
``dashboard`` choice and its ``notes``; returns config nodes to add, a node with the id of one
made already replacing it), for what spans nodes, such as a dashboard's tabs and groups."""


def reason_for(nr_type: str) -> str:
    """Why a type has no mapping (known types first, then known families, then a generic
    reason)."""
    if nr_type in UNSUPPORTED:
        return UNSUPPORTED[nr_type]
    for prefix, why in PREFIXES.items():
        if nr_type.startswith(prefix):
            return why
    return (
        f"no flowrt node type corresponds to Node-RED's `{nr_type}` (a contrib node this "
        "importer does not know)"
    )
