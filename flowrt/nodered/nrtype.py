"""NrType: what the Node-RED bridge knows about one Node-RED node type, declared once.

Every Node-RED type the bridge knows is one ``NrType`` in the ``TYPES`` of its family module
(flowrt/nodered/families/: common, function, flow control, sequence, parser, network, MQTT,
databases, AMQP, others). It says which flowrt type the Node-RED type becomes, whether it is a
config node (a connection, with its login in Node-RED's credentials, or settings folded into
the nodes that use it), the conversion each way, or why there is none. flowrt/nodered/catalog.py
derives every table the import and the export use from these declarations; no other module
lists Node-RED types.

To add a Node-RED type, edit the one family module it belongs to:

1. write its import conversion, ``(NrNode, MapContext) -> Mapped`` (flowrt/nodered/mapping.py
   holds the contract), raising ``Unsupported`` with the reason for what flowrt cannot express;
2. when it is the Node-RED counterpart of a flowrt type that has no export yet, write the export
   conversion, ``flowrt configuration -> Node-RED properties`` (``type`` included), raising
   ``NoCounterpart`` (flowrt/nodered/export_values.py) for what Node-RED cannot express;
3. add ``NrType("<Node-RED type>", "<flowrt type>", imports=..., exports=...)`` to ``TYPES``,
   with ``config``, ``credentials`` and ``stub`` for a config node that becomes a connection;
   a type with no counterpart is ``NrType("<type>", unsupported="<why, and what instead>")``;
4. test the mapping beside the others of its family (tests/nodered/test_mapping_*.py) and give
   the flowrt type a sample configuration in tests/nodered/test_catalog.py, which exports it and
   imports it back.

A new family is a new module in flowrt/nodered/families/, listed once in ``catalog.FAMILIES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowrt.nodered.export_values import Exporter
    from flowrt.nodered.mapping import Mapper


@dataclass(frozen=True, slots=True)
class NrType:
    """One Node-RED node type and how the bridge carries it each way."""

    type: str
    """Node-RED's type name (``link in``, ``postgreSQLConfig``); with ``prefix``, the start of
    the names of a family of types."""
    flowrt: str = ""
    """The flowrt node or connection type it becomes; empty when it becomes none."""
    imports: Mapper | None = None
    """The import conversion: Node-RED node -> flowrt node (or connection)."""
    exports: Exporter | None = None
    """The export conversion of the flowrt type: its configuration -> this Node-RED type's
    properties. One Node-RED type per flowrt type carries it; others that become the same
    flowrt type (older packages, variants) are imported only."""
    config: bool = False
    """A config node: settings other nodes refer to, with no wires and no position."""
    credentials: tuple[str, ...] = ()
    """The fields of Node-RED's credentials (flows_cred.json) the conversions read and write. A
    connection that has them keeps its login there, not in the flow (a *login* type)."""
    stub: str = ""
    """On the connection type that carries ``exports``: the field (its address) that a
    connection standing in for a missing config node takes from a variable."""
    folded: bool = False
    """A config node whose settings are copied into the nodes using it (no connection)."""
    global_env: bool = False
    """A config node holding environment variables that the import copies into every flow's
    ``env`` (Node-RED's global environment)."""
    unsupported: str = ""
    """Why it has no flowrt counterpart, and what to use instead."""
    prefix: bool = False
    """``type`` is the start of the names of a family of unsupported types (``ui_``)."""
    variants: tuple[tuple[str, Exporter], ...] = ()
    """Other flowrt types the import conversion makes of this Node-RED type, by its settings
    (an ``mqtt in`` with an input), each with its export conversion back to this type."""

    def __post_init__(self) -> None:
        problems = []
        if self.imports is not None and not self.flowrt:
            problems.append("an import conversion needs the flowrt type it makes")
        if self.exports is not None and self.imports is None:
            problems.append("an export conversion needs the import conversion back")
        if self.unsupported and (self.flowrt or self.imports or self.folded):
            problems.append("an unsupported type becomes nothing")
        if self.prefix and not self.unsupported:
            problems.append("a prefix only gives the reason a family of types is unsupported")
        if self.stub and (not self.connection or self.exports is None):
            problems.append("a stub field belongs to the connection type that is exported")
        if (self.folded or self.global_env) and (not self.config or self.imports is not None):
            problems.append("only a config node with no conversion of its own is folded or "
                            "holds the global environment")
        if self.credentials and self.config and not self.connection:
            problems.append("credentials of a config node are read by its connection")
        if problems:
            raise ValueError(f"Node-RED type {self.type!r}: {'; '.join(problems)}")

    @property
    def connection(self) -> bool:
        """A config node that becomes a flowrt connection."""
        return self.config and self.imports is not None

    @property
    def login(self) -> bool:
        """A connection whose login is in Node-RED's credentials, not in the flow."""
        return self.connection and bool(self.credentials)
