"""The node registry: every node type, declared once, and what is derived from it."""

from flowrt.registry.discover import Registry, default_registry, discover
from flowrt.registry.spec import NodeSpec

__all__ = ["NodeSpec", "Registry", "default_registry", "discover"]
