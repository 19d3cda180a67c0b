"""What an import conversion is: a function of a Node-RED node that writes the flowrt node.

Each mapping is a small function of the Node-RED node and a :class:`MapContext` (which resolves
references to other nodes and config nodes, turns credentials into secret references, and
collects the caveats). It returns a :class:`Mapped` node, or raises :class:`Unsupported` with
the reason. The functions live in the family modules (flowrt/nodered/families/), declared with
their Node-RED type (flowrt/nodered/nrtype.py); catalog.py makes the table of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from flowrt.nodered.nrnode import NrNode


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

    def connection(self, nr_id: Any, flowrt_type: str, what: str) -> str | None:
        """The flowrt connection (of ``flowrt_type``) made from the config node ``nr_id`` that
        the node's property ``what`` names; a stand-in connection (noted) when it is missing or
        of a type that does not become ``flowrt_type``."""

    def back_links(self, nr_id: str, types: tuple[str, ...]) -> list[str]:
        """Node-RED ids of the nodes of ``types`` that list this node in their own `links`
        (Node-RED keeps both ends of a link; the editor shows the union)."""

    def config_node(self, nr_id: Any) -> NrNode | None:
        """The Node-RED config node itself (for settings folded into a node, such as TLS)."""

    def export_nodes(self) -> list[NrNode]:
        """Every node of the export, in file order (for what spans nodes, such as a
        dashboard's layout)."""

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


def apply(mapper: Mapper, node: NrNode, cx: MapContext) -> Mapped:
    """Run a mapping. Hand-edited and generated exports put anything anywhere (a list where a
    word goes, an object for a number); a mapping that trips over such a value (or fails in
    any other way) makes the node :class:`Unsupported`, reported with the reason, instead of
    ending the whole import."""
    try:
        return mapper(node, cx)
    except Unsupported:
        raise
    except Exception as exc:  # noqa: BLE001 - one node given up, never the import
        raise Unsupported(
            f"its properties are not what Node-RED writes for a `{node.type}` node "
            f"({type(exc).__name__}: {str(exc)[:120]})"
        ) from exc
