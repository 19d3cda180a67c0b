"""The mapping table: Node-RED node type -> a function that writes the flowrt node.

Each mapping is a small function of the Node-RED node and a :class:`MapContext` (which resolves
references to other nodes and config nodes, turns credentials into secret references, and
collects the caveats). It returns a :class:`Mapped` node, or raises :class:`Unsupported` with
the reason. The functions live in mapping_*.py, one module per family of nodes; the table
below is the union of their ``MAPPINGS``, and the only place Node-RED's type names appear
besides them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from flowrt.nodered.reader import NrNode


@dataclass
class Mapped:
    """A flowrt node (or connection) made from a Node-RED one."""

    type: str
    config: dict[str, Any] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)
    prelude: Mapped | None = None
    """A node put in front of this one (wires into the Node-RED node go to it): for a node
    whose inputs flowrt reads from other message properties."""
    postlude: Mapped | None = None
    """A node put after this one (the Node-RED node's output wires leave from it): for a node
    whose output flowrt cannot shape alone."""


class Unsupported(Exception):
    """This node has no flowrt counterpart; the message says why (and what to use instead)."""


class MapContext(Protocol):
    """What a mapping may ask of the importer."""

    def note(self, text: str) -> None:
        """Record a caveat: how the flowrt node's behaviour differs from Node-RED's."""

    def node_ref(self, nr_id: Any, types: tuple[str, ...] = ()) -> str | None:
        """The flowrt id of a node, or None (noted) if it is missing or of another type."""

    def connection(self, nr_id: Any, types: tuple[str, ...], what: str) -> str | None:
        """The flowrt connection made from a config node, or None (noted) if missing."""

    def back_links(self, nr_id: str) -> list[str]:
        """Node-RED ids of link in nodes that list this node in their own `links` (Node-RED
        keeps both ends of a link; the editor shows the union)."""

    def config_node(self, nr_id: Any) -> NrNode | None:
        """The Node-RED config node itself (for settings folded into a node, such as TLS)."""

    def credentials(self, nr_id: str | None = None) -> dict[str, Any]:
        """The decrypted credentials of a node (this one by default); empty when none."""

    def secret(self, owner: str, name: str, value: Any) -> str:
        """A ``${OWNER_NAME}`` reference for a secret value (kept for the secrets file)."""

    def group_members(self, nr_id: str) -> list[str] | None:
        """The flowrt ids of the other nodes in this node's group (catch scope `group`); None
        when it is in no group."""

    @property
    def flowrt_id(self) -> str:
        """The id the node being mapped gets in flowrt."""


Mapper = Callable[[NrNode, MapContext], Mapped]


def drop_defaults(config: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Leave out the keys whose value is flowrt's default, so imported files stay short."""
    return {k: v for k, v in config.items() if k not in defaults or defaults[k] != v}


def table() -> dict[str, Mapper]:
    """Every Node-RED type with a mapping."""
    from flowrt.nodered import (
        mapping_common,
        mapping_contrib,
        mapping_function,
        mapping_network,
        mapping_parser,
        mapping_sequence,
    )

    found: dict[str, Mapper] = {}
    for module in (
        mapping_common, mapping_function, mapping_sequence, mapping_parser, mapping_network,
        mapping_contrib,
    ):
        found.update(module.MAPPINGS)
    return found


def apply(mapper: Mapper, node: NrNode, cx: MapContext) -> Mapped:
    """Run a mapping. Hand-edited and generated exports put anything anywhere (a list where a
    word goes, an object for a number); a mapping that trips over such a value makes the node
    :class:`Unsupported`, reported with the reason, instead of ending the whole import."""
    try:
        return mapper(node, cx)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        raise Unsupported(
            f"its properties are not what Node-RED writes for a `{node.type}` node "
            f"({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc


def unsupported_reasons() -> dict[str, str]:
    """Node-RED types known to have no counterpart, with the reason."""
    from flowrt.nodered import mapping_contrib, mapping_network, mapping_parser

    reasons: dict[str, str] = {}
    for module in (mapping_parser, mapping_network, mapping_contrib):
        reasons.update(module.UNSUPPORTED)
    return reasons


def reason_for(nr_type: str) -> str:
    """Why a type has no mapping (known families first, then a generic reason)."""
    known = unsupported_reasons()
    if nr_type in known:
        return known[nr_type]
    if nr_type.startswith("ui_") or nr_type.startswith("ui-"):
        return "dashboard nodes (node-red-dashboard) have no flowrt counterpart: flowrt has no UI"
    for prefix, why in _PREFIXES.items():
        if nr_type.startswith(prefix):
            return why
    return (
        f"no flowrt node type corresponds to Node-RED's `{nr_type}` (a contrib node this "
        "importer does not know)"
    )


_PREFIXES = {
    "rpi-": "Raspberry Pi hardware nodes need the device; flowrt has no GPIO nodes",
    "serial": "serial-port nodes need the device; flowrt has no serial nodes",
}
