"""A context scope (node, flow or global) with Node-RED's ``get``/``set``/``keys``: property
paths inside stored values, lists of keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowrt.api import MISSING, Store, get_property, parse_path, set_property

_PLAIN_KEYS_KEPT = 256
"""How many plain keys a scope remembers (a script using ever new keys finds the rest by
scanning them, as before)."""


class ContextStore:
    """A context scope as a script uses it, like Node-RED's ``context``, ``flow`` and ``global``:

    - ``get("key")``, ``get("key", default)``; a property path reads inside a stored value
      (``get("totals.today")``); a list of keys returns a list of values;
    - ``set("key", value)``; a path sets inside a stored value, creating objects on the way;
      a list of keys sets several; setting ``None`` removes the key;
    - ``keys()``: the stored keys.
    """

    __slots__ = ("_store", "_get", "_set", "_put", "_plain")

    def __init__(self, store: Store) -> None:
        self._store = store
        # bound once: a script calls them a lot (with a key that _plain or _is_plain found)
        self._get: Callable[..., Any] = store.get
        self._set: Callable[..., None] = store.set
        self._put: Callable[..., None] = getattr(store, "put", store.set)
        """Sets a value that is not None at a plain key: a memory store that no backend reads
        back offers its dict's own ``__setitem__`` (:class:`flowrt.run.stores.MemoryStore`)."""
        self._plain: set[str] = set()
        """Keys seen to be plain (no path, not a list): one set lookup, not two text scans."""

    def get(self, key: str | list[str], default: Any = None) -> Any:
        try:
            plain = key in self._plain
        except TypeError:  # a list of keys (unhashable)
            plain = False
        if plain or self._is_plain(key):
            return self._get(key, default)
        if isinstance(key, list):
            return [self.get(k, default) for k in key]
        first = str(parse_path(key)[0])
        top = self._store.get(first, MISSING)
        if top is MISSING:
            return default
        value = get_property({first: top}, key)
        return default if value is MISSING else value

    def set(self, key: str | list[str], value: Any = None) -> None:
        try:
            plain = key in self._plain
        except TypeError:
            plain = False
        if plain or self._is_plain(key):
            if value is None:
                self._set(key, value)  # removes the key
            else:
                self._put(key, value)
            return
        if isinstance(key, list):
            values = value if isinstance(value, list) else [value] * len(key)
            for k, v in zip(key, values, strict=False):
                self.set(k, v)
            return
        first = str(parse_path(key)[0])
        holder = {first: self._store.get(first, MISSING)}
        if holder[first] is MISSING:
            del holder[first]
        set_property(holder, key, MISSING if value is None else value)
        self._store.set(first, holder.get(first))

    def _is_plain(self, key: Any) -> bool:
        """A key that is no property path: remembered (up to _PLAIN_KEYS_KEPT) for next time."""
        if type(key) is not str or "." in key or "[" in key:
            return False
        if len(self._plain) < _PLAIN_KEYS_KEPT:
            self._plain.add(key)
        return True

    def get_plain(self) -> Callable[..., Any]:
        """``get`` for a key with no path in it: the store's own, what a script's
        ``context.get("key")`` is compiled to call (script_code)."""
        return self._get

    def set_plain(self) -> Callable[..., None]:
        """``set`` for a key with no path in it: the store's own (``None`` removes the key),
        what a script's ``context.set("key", value)`` is compiled to call."""
        return self._set

    def values_plain(self) -> dict[str, Any] | None:
        """The dict a value that is not None is stored in at a key with no path in it, when the
        store's ``put`` is that dict's own ``__setitem__`` (a scope in memory), else None: what
        a script's statement ``context.set("key", value)`` is compiled to store into."""
        store = self._store  # a MemoryStore no backend reads: its put is its dict's __setitem__
        values = None if getattr(store, "tracked", True) else getattr(store, "values", None)
        return values if type(values) is dict else None

    def keys(self) -> list[str]:
        return self._store.keys()

    def __getitem__(self, key: str) -> Any:
        """``store["key"]``, and ``flow.key`` in Jinja templates; KeyError when missing."""
        value = self.get(key, MISSING)
        if value is MISSING:
            raise KeyError(key)
        return value

    def __repr__(self) -> str:
        return f"<context {sorted(self.keys())}>"
