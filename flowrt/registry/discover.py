"""Find node types: the built-in packs (the folder ``nodes/``, imported as ``flowrt_nodes``) and
third-party packs from entry points.

A pack is a Python package. Every module in it that defines subclasses of a flowrt.api category
class with a ``type`` contributes those classes. Third-party packs register a package or module
under the ``flowrt.nodes`` entry point group::

    [project.entry-points."flowrt.nodes"]
    modbus = "flowrt_modbus"

Two packs claiming the same type is an error, named with both packs.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType

from flowrt.api import Node
from flowrt.errors import RegistryError
from flowrt.registry.base import BUILTIN_PACKAGE, Registry
from flowrt.registry.index import indexed_registry
from flowrt.registry.spec import spec_for

__all__ = ["BUILTIN_PACKAGE", "ENTRY_POINT_GROUP", "Registry", "default_registry", "discover"]

ENTRY_POINT_GROUP = "flowrt.nodes"


def node_classes(module: ModuleType) -> Iterator[type[Node]]:
    """Node classes defined in a module (not imported into it)."""
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, Node)
            and value.__module__ == module.__name__
            and bool(getattr(value, "type", ""))
        ):
            yield value


def walk_pack(package: str) -> Iterator[type[Node]]:
    """Import a package and every module below it, yielding their node classes."""
    root = importlib.import_module(package)
    yield from node_classes(root)
    if not hasattr(root, "__path__"):
        return
    for info in pkgutil.walk_packages(root.__path__, prefix=package + "."):
        try:
            module = importlib.import_module(info.name)
        except Exception as exc:
            raise RegistryError(
                f"node module {info.name} cannot be imported: {type(exc).__name__}: {exc}; "
                "fix or remove the module"
            ) from exc
        yield from node_classes(module)


def discover(include_entry_points: bool = True) -> Registry:
    registry = Registry()
    for cls in walk_pack(BUILTIN_PACKAGE):
        pack = cls.__module__.split(".")[1] if cls.__module__.count(".") else BUILTIN_PACKAGE
        registry.add(spec_for(cls, pack))
    if include_entry_points:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                classes = list(walk_pack(ep.value.split(":")[0]))
            except ImportError as exc:
                raise RegistryError(
                    f"node pack {ep.name!r} ({ep.value}) cannot be imported: {exc}"
                ) from exc
            for cls in classes:
                registry.add(spec_for(cls, ep.name))
    return registry


@cache
def default_registry() -> Registry:
    """The registry of every installed node type, once per process: from the cached index of
    the node types when it still holds, importing each type's module when the type is first
    asked for (:mod:`flowrt.registry.index`), else discovered."""
    return indexed_registry(discover)
