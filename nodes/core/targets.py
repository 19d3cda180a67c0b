"""Where a change rule reads and writes: a message property, or a flow or global context key.

In a flow a target is a property path (``payload.x``: a message property) or a typed mapping
``{type: flow, value: counts.today}`` / ``{type: global, value: site}``. Context keys may be
paths too: the first key names the context entry, the rest goes inside it, as in Node-RED.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeAlias

from pydantic import AfterValidator

from flowrt.api import (
    MISSING,
    Message,
    NodeContext,
    PropertyPath,
    Store,
    TypedValue,
    delete_property,
    get_property,
    getter,
    parse_path,
    set_property,
    setter,
)

_SCOPES = ("msg", "flow", "global")


def _writable(value: Any) -> Any:
    if isinstance(value, TypedValue) and value.type not in _SCOPES:
        raise ValueError(
            f"a target is a message property, or {{type: flow|global, value: key}}; "
            f"got type {value.type!r}"
        )
    return value


Target: TypeAlias = Annotated[PropertyPath | TypedValue, AfterValidator(_writable)]
"""A config field naming a message property or a context key."""


@dataclass(frozen=True)
class Accessor:
    """Compiled reads and writes of one target; ``set(msg, MISSING)`` deletes."""

    get: Callable[[Message], Any]
    set: Callable[[Message, Any], bool]
    delete: Callable[[Message], bool]
    scope: str
    path: str


def target_parts(target: Any) -> tuple[str, str]:
    """(scope, path) of a target: ``("msg", "payload.x")``, ``("flow", "count")``."""
    if isinstance(target, TypedValue):
        return target.type, str(target.value).strip()
    return "msg", str(target)


def compile_target(target: Any, ctx: NodeContext) -> Accessor:
    """The accessor of a target, bound to the node's context stores."""
    scope, path = target_parts(target)
    if scope == "msg":
        return Accessor(
            getter(path), setter(path), lambda msg: delete_property(msg, path), scope, path
        )
    store = ctx.flow if scope == "flow" else ctx.global_
    return _context_accessor(store, scope, path)


def _context_accessor(store: Store, scope: str, path: str) -> Accessor:
    root = str(parse_path(path)[0])
    nested = len(parse_path(path)) > 1

    def get(msg: Message) -> Any:
        return get_property({root: store.get(root, MISSING)}, path, root=msg)

    def write(msg: Message, value: Any) -> bool:
        if not nested:
            store.set(root, None if value is MISSING else value)
            return True
        holder = {root: store.get(root, MISSING)}
        if holder[root] is MISSING:
            if value is MISSING:
                return False
            del holder[root]
        done = set_property(holder, path, value, root=msg)
        if done:
            store.set(root, holder.get(root))
        return done

    return Accessor(get, write, lambda msg: write(msg, MISSING), scope, path)
