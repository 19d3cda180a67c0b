"""Context stores: node, flow and global scopes, in memory or persisted in SQLite/PostgreSQL.

SQLModel is imported only when a persistent store is configured: it costs a fifth of a second
of start-up that a flow keeping its context in memory should not pay.

Values are read and written in memory; a persistent backend loads every scope at start and
writes changed keys back every ``flush_interval`` seconds and at shutdown (as Node-RED's
file-backed context does), so ``set`` stays fast on the hot path. Persisted values must be
JSON-serialisable; one that is not is reported with its scope and key, and kept in memory only.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("flowrt.context")


class MemoryStore:
    """One scope's values. ``tracked``: the keys set are remembered as changed, for a backend
    to write (:meth:`Stores.take_changes`); a store no backend reads does not pay for that."""

    __slots__ = ("scope", "values", "dirty", "tracked", "get", "put")

    def __init__(
        self, scope: str, values: dict[str, Any] | None = None, tracked: bool = True
    ) -> None:
        self.scope = scope
        self.values: dict[str, Any] = values or {}
        self.dirty: set[str] = set()
        self.tracked = tracked
        self.get: Callable[..., Any] = self.values.get
        """``get(key, default=None)``: the values' own ``dict.get`` (a script's
        ``context.get`` reaches the dict with no call in between)."""
        self.put: Callable[[str, Any], None] = self.set if tracked else self.values.__setitem__
        """``set`` of a value that is not None: untracked, the dict's own ``__setitem__``."""

    def set(self, key: str, value: Any) -> None:
        if value is None:
            self.values.pop(key, None)
        else:
            self.values[key] = value
        if self.tracked:
            self.dirty.add(key)

    def keys(self) -> list[str]:
        return list(self.values)


class Stores:
    """Every scope of a runtime. ``url`` None keeps everything in memory."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url
        self._scopes: dict[str, MemoryStore] = {}
        self._loaded: dict[str, dict[str, Any]] = {}
        self._engine: Any = None
        if url:
            from sqlmodel import SQLModel, create_engine

            from flowrt.run.context_table import ContextEntry

            self._engine = create_engine(sqlalchemy_url(url))
            SQLModel.metadata.create_all(self._engine, tables=[ContextEntry.__table__])  # type: ignore[attr-defined]
            self._load()

    def _load(self) -> None:
        from sqlmodel import Session, select

        from flowrt.run.context_table import ContextEntry

        with Session(self._engine) as session:
            for entry in session.exec(select(ContextEntry)):
                try:
                    value = json.loads(entry.value)
                except ValueError:
                    log.warning("context %s key %s is not JSON; ignored", entry.scope, entry.key)
                    continue
                self._loaded.setdefault(entry.scope, {})[entry.key] = value

    def scope(self, name: str) -> MemoryStore:
        """``global``, ``flow:<flow id>`` or ``node:<node id>``."""
        store = self._scopes.get(name)
        if store is None:
            store = MemoryStore(name, dict(self._loaded.get(name, {})), self.persistent)
            self._scopes[name] = store
        return store

    @property
    def persistent(self) -> bool:
        return self._engine is not None

    def take_changes(self) -> list[tuple[str, str, str | None]]:
        """(scope, key, JSON text or None for deleted) of every key changed since last time."""
        changes: list[tuple[str, str, str | None]] = []
        for store in list(self._scopes.values()):
            dirty, store.dirty = store.dirty, set()
            for key in dirty:
                if key not in store.values:
                    changes.append((store.scope, key, None))
                    continue
                try:
                    changes.append((store.scope, key, json.dumps(store.values[key])))
                except (TypeError, ValueError) as exc:
                    log.warning(
                        "context %s key %s is not JSON (%s); kept in memory only",
                        store.scope,
                        key,
                        exc,
                    )
        return changes

    def write(self, changes: list[tuple[str, str, str | None]]) -> int:
        """Write changes to the backend (safe to call from a worker thread)."""
        if self._engine is None or not changes:
            return 0
        from sqlalchemy import delete
        from sqlmodel import Session

        from flowrt.run.context_table import ContextEntry

        with Session(self._engine) as session:
            for scope, key, text in changes:
                session.execute(
                    delete(ContextEntry).where(
                        ContextEntry.scope == scope,  # type: ignore[arg-type]
                        ContextEntry.key == key,  # type: ignore[arg-type]
                    )
                )
                if text is not None:
                    session.add(ContextEntry(scope=scope, key=key, value=text))
            session.commit()
        return len(changes)

    def flush(self) -> int:
        """Write every change now; returns how many keys were written."""
        return self.write(self.take_changes())

    def close(self) -> None:
        self.flush()
        if self._engine is not None:
            self._engine.dispose()


def sqlalchemy_url(url: str) -> str:
    """``postgresql://...`` as SQLAlchemy needs it to use psycopg 3 (the driver flowrt installs;
    SQLAlchemy's default for that scheme is psycopg2)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url
