"""A context scope (node, flow or global) with Node-RED's ``get``/``set``/``keys``: property
paths inside stored values, lists of keys."""

from __future__ import annotations

from typing import Any

from flowrt.api import MISSING, Store, get_property, parse_path, set_property


class ContextStore:
    """A context scope as a script uses it, like Node-RED's ``context``, ``flow`` and ``global``:

    - ``get("key")``, ``get("key", default)``; a property path reads inside a stored value
      (``get("totals.today")``); a list of keys returns a list of values;
    - ``set("key", value)``; a path sets inside a stored value, creating objects on the way;
      a list of keys sets several; setting ``None`` removes the key;
    - ``keys()``: the stored keys.
    """

    __slots__ = ("_store", "_get", "_set")

    def __init__(self, store: Store) -> None:
        self._store = store
        self._get, self._set = store.get, store.set  # bound once: a script calls them a lot

    def get(self, key: str | list[str], default: Any = None) -> Any:
        if type(key) is str and "." not in key and "[" not in key:
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
        if type(key) is str and "." not in key and "[" not in key:
            self._set(key, value)
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
