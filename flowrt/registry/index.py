"""The index of the installed node types, cached between processes, so that a process imports
only the node modules its flows use.

Discovering the registry imports every module of every pack
(:func:`flowrt.registry.discover.discover`): a third of `flowrt run`'s start-up, and libraries of
packs a flow does not use kept in its memory. After a full discovery the index of what it found
is written to the cache directory (``$FLOWRT_CACHE_DIR``, else ``$XDG_CACHE_HOME/flowrt``, else
``~/.cache/flowrt``): per node type its module, class, pack and whether it is a connection type.
The next process reads it and gets an :class:`IndexedRegistry`, which imports a type's module
when the type is first asked for, knows every type name (the suggestions of "unknown node
type") without importing any, and discovers everything when iterated.

The index holds while its fingerprint does: the path, size and modification time of every
module file of the built-in packs and of each third-party pack it lists, and the modification
time of the site-packages folders and those of ``PYTHONPATH`` (installing or removing a
distribution, and with it an entry point, changes its folder). Anything else, or a cache that
cannot be read or written, means a full discovery, as before the index existed.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flowrt.errors import RegistryError
from flowrt.registry.base import BUILTIN_PACKAGE, Registry
from flowrt.registry.spec import NodeSpec, spec_for

log = logging.getLogger("flowrt.registry")

CACHE_ENV = "FLOWRT_CACHE_DIR"
VERSION = 1


@dataclass(frozen=True)
class Entry:
    """Where one node type is declared."""

    type: str
    module: str
    cls: str
    pack: str
    connection: bool


class IndexedRegistry(Registry):
    """A registry that imports a node type's module when that type is first asked for."""

    def __init__(self, entries: dict[str, Entry], discover: Callable[[], Registry],
                 key: str | None = None) -> None:
        super().__init__()
        self.index_key = key
        self._entries = entries
        self._discover_all = discover
        self._complete = False

    def get(self, type_: str) -> NodeSpec | None:
        spec = self._specs.get(type_)
        if spec is None and not self._complete and type_ in self._entries:
            spec = self._load(self._entries[type_])
        return spec

    def __getitem__(self, type_: str) -> NodeSpec:
        spec = self.get(type_)
        if spec is None:
            raise KeyError(type_)
        return spec

    def __contains__(self, type_: object) -> bool:
        return type_ in self._entries

    def __iter__(self) -> Iterator[NodeSpec]:
        self._discover()
        return super().__iter__()

    def __len__(self) -> int:
        return len(self._entries)

    def types(self) -> list[str]:
        return sorted(self._entries)

    def node_types(self) -> list[str]:
        return sorted(t for t, e in self._entries.items() if not e.connection)

    def connection_types(self) -> list[str]:
        return sorted(t for t, e in self._entries.items() if e.connection)

    def _load(self, entry: Entry) -> NodeSpec | None:
        try:
            module = importlib.import_module(entry.module)
        except Exception as exc:
            raise RegistryError(
                f"node module {entry.module} cannot be imported: {type(exc).__name__}: {exc}; "
                "fix or remove the module"
            ) from exc
        cls = getattr(module, entry.cls, None)
        if not isinstance(cls, type) or getattr(cls, "type", None) != entry.type:
            log.debug("the node type index is stale (%s): discovering", entry.type)
            self._discover()
            return self._specs.get(entry.type)
        spec = spec_for(cls, entry.pack)
        self._specs[entry.type] = spec
        return spec

    def _discover(self) -> None:
        if self._complete:
            return
        found = self._discover_all()
        self._specs = {spec.type: spec for spec in found}
        self._entries = entries_of(found)
        self._complete = True
        self.index_key = save(found)


def entries_of(registry: Registry) -> dict[str, Entry]:
    return {
        spec.type: Entry(spec.type, spec.cls.__module__, spec.cls.__qualname__, spec.pack,
                         spec.is_connection)
        for spec in registry
    }


def indexed_registry(discover: Callable[[], Registry]) -> Registry:
    """The registry from the cached index when it still holds, else ``discover()``'s (and the
    index written for the next process). Either way its ``index_key`` is the index's
    fingerprint (what the node types depend on, see :func:`fingerprint`)."""
    loaded = _read()
    if loaded is not None:
        entries, key = loaded
        return IndexedRegistry(entries, discover, key)
    found = discover()
    found.index_key = save(found)
    return found


def cache_file() -> Path:
    """This interpreter's and this flowrt's index file."""
    base = os.environ.get(CACHE_ENV) or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "flowrt")
    key = hashlib.sha256(f"{sys.executable}\0{sys.version}\0{_builtin_root()}".encode())
    return Path(base) / f"node-index-{key.hexdigest()[:16]}.json"


def load() -> dict[str, Entry] | None:
    """The cached index, or None when there is none or it no longer holds."""
    loaded = _read()
    return None if loaded is None else loaded[0]


def _read() -> tuple[dict[str, Entry], str] | None:
    """The cached index and its fingerprint, or None."""
    try:
        data = json.loads(cache_file().read_text(encoding="utf-8"))
        held = data.get("fingerprint")
        if data.get("version") != VERSION or held != fingerprint(data["roots"]):
            return None
        return {e["type"]: Entry(**e) for e in data["types"]}, str(held)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(registry: Registry) -> str:
    """Write the index of a fully discovered registry, and return its fingerprint; a cache that
    cannot be written is only a slower next start."""
    roots = sorted({_root_of(spec.cls.__module__) for spec in registry} | {_builtin_root()})
    held = fingerprint(roots)
    data = {"version": VERSION, "roots": roots, "fingerprint": held,
            "types": [asdict(e) for e in entries_of(registry).values()]}
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        log.debug("the node type index cannot be written to %s: %s", path, exc)
    return held


def fingerprint(roots: list[str]) -> str:
    """What the index depends on: the packs' module files under ``roots``, and the folders
    distributions are installed in."""
    digest = hashlib.sha256()
    for entry in _distribution_folders():
        digest.update(f"{entry}\0{_mtime(entry)}\n".encode())
    for root in roots:
        for path, size, mtime in module_files(root):
            digest.update(f"{path}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def _distribution_folders() -> list[str]:
    """Where installing a distribution (and its entry points) changes a folder: the
    site-packages folders, and those of PYTHONPATH."""
    import site

    folders = [*site.getsitepackages(), site.getusersitepackages(),
               *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    return sorted({f for f in folders if f})


def _mtime(path: str) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1


def module_files(root: str) -> Iterator[tuple[str, int, int]]:
    """Each module file below ``root`` (a package's folder, or a module), with its size and
    modification time. Not the folders' times: writing bytecode (a ``__pycache__`` made)
    changes them, and no module."""
    if not os.path.isdir(root):
        yield root, 0, _mtime(root)
        return
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            found = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for item in found:
            if item.is_dir() and item.name != "__pycache__":
                folders.append(item.path)
            elif item.name.endswith(".py"):
                stat = item.stat()
                yield item.path, stat.st_size, stat.st_mtime_ns


def _builtin_root() -> str:
    """The folder of the built-in packs (importing the package runs only its short
    ``__init__``; an editable install maps it to the repository's ``nodes/``)."""
    return str(list(importlib.import_module(BUILTIN_PACKAGE).__path__)[0])


def _root_of(module_name: str) -> str:
    """The folder (or file) of the top-level package a node module belongs to."""
    top: Any = sys.modules.get(module_name.split(".")[0])
    paths = getattr(top, "__path__", None)
    if paths:
        return str(list(paths)[0])
    return str(getattr(top, "__file__", "") or "")
