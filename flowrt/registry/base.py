"""The node registry's container: the node types flowrt knows, by type id (filled by
:mod:`flowrt.registry.discover`, or from the cached index, :mod:`flowrt.registry.index`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flowrt.errors import RegistryError
from flowrt.registry.spec import NodeSpec

BUILTIN_PACKAGE = "flowrt_nodes"
"""The import name of the built-in packs: the folder nodes/, installed under a name that cannot
clash with another distribution's (pyproject.toml, [tool.hatch.build.targets.wheel])."""


class Registry:
    """The node types flowrt knows, by type id."""

    index_key: str | None = None
    """The fingerprint of the installed packs' modules this registry was found from
    (:mod:`flowrt.registry.index`), or None when it was not (a registry built by hand): what
    a cached check result depends on (:mod:`flowrt.compile.check_cache`)."""

    def __init__(self, specs: Iterable[NodeSpec] = ()) -> None:
        self._specs: dict[str, NodeSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: NodeSpec) -> None:
        existing = self._specs.get(spec.type)
        if existing is not None and existing.cls is not spec.cls:
            raise RegistryError(
                f"node type {spec.type!r} is declared twice: by pack {existing.pack!r} "
                f"({existing.cls.__module__}) and by pack {spec.pack!r} ({spec.cls.__module__}); "
                "uninstall one of the packs or rename the type"
            )
        self._specs[spec.type] = spec

    def get(self, type_: str) -> NodeSpec | None:
        return self._specs.get(type_)

    def __getitem__(self, type_: str) -> NodeSpec:
        return self._specs[type_]

    def __contains__(self, type_: object) -> bool:
        return type_ in self._specs

    def __iter__(self) -> Iterator[NodeSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: s.type))

    def __len__(self) -> int:
        return len(self._specs)

    def types(self) -> list[str]:
        return sorted(self._specs)

    def node_types(self) -> list[str]:
        return [s.type for s in self if not s.is_connection]

    def connection_types(self) -> list[str]:
        return [s.type for s in self if s.is_connection]
