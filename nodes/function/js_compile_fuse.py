"""Fused closures for the commonest shapes of a compiled function body (:mod:`.js_compile`):
a member path read from a name (``msg.payload.v``), such a read combined with a constant
(``msg.payload.v * 2``) and a write to a member path (``msg.payload.y = ...``), each one
closure where a closure a node of the syntax tree would make three or four calls.

Each does exactly what the closures it replaces do, in the same order, with the same guards:
a member read of what is not a plain object raises :data:`.js_compile_ops.DEOPT`, an
operation on anything but the common case calls the operation of :mod:`.js_compile_ops`
(only a number of the message times, plus or minus a numeric constant, or divided by a
non-zero one, is done inline: there JavaScript's operation is the float operation Python
does, as in the operations' own first case), and a write journals the old value and stores
what :func:`.js_compile_ops.stored` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import js_compile_ops as ops
from .js_compile_message import ABSENT

Env = list[Any]
"""A run's state: the message, the journal of writes, then the body's variables."""
Expr = Callable[[Env], Any]
Stmt = Callable[[Env], int]
"""0: go on; 1: the body returned the message; 2: it returned null or undefined."""

_INLINE: dict[Callable[[Any, Any], Any], int] = {ops.mul: 0, ops.add: 1, ops.sub: 2, ops.div: 3}
"""Operations done inline on a float and a numeric constant (what their first case does)."""


def path_read(slot: int, keys: tuple[str, ...]) -> Expr:
    """``name.k1.k2...`` (one key or more), the name's value in ``env[slot]``."""
    undefined, deopt = ops.UNDEFINED, ops.DEOPT
    if len(keys) == 1:
        (key,) = keys

        def read_one(env: Env) -> Any:
            target = env[slot]
            if type(target) is dict:
                return target.get(key, undefined)
            raise deopt  # an array, a string, a number, or a TypeError to throw
        return read_one
    if len(keys) == 2:
        first, second = keys

        def read_two(env: Env) -> Any:
            target = env[slot]
            if type(target) is dict:
                target = target.get(first, undefined)
                if type(target) is dict:
                    return target.get(second, undefined)
            raise deopt
        return read_two

    def read_path(env: Env) -> Any:
        target = env[slot]
        for step in keys:
            if type(target) is not dict:
                raise deopt
            target = target.get(step, undefined)
        return target
    return read_path


def inline(op: Callable[[Any, Any], Any], constant: Any) -> int | None:
    """How ``op`` is done inline on a float and ``constant`` (see ``_INLINE``), or None."""
    how = _INLINE.get(op) if type(constant) in (int, float) else None
    return None if how == 3 and not constant else how  # (a division by 0 is ops.div's)


def path_op_constant(slot: int, keys: tuple[str, ...], op: Callable[[Any, Any], Any],
                     constant: Any) -> Expr:
    """``name.k1...kn OP constant``: the read of :func:`path_read`, then ``op``."""
    how = inline(op, constant)
    if len(keys) != 2 or how is None:
        read = path_read(slot, keys)
        return lambda env: op(read(env), constant)
    undefined, deopt = ops.UNDEFINED, ops.DEOPT
    first, second = keys

    def fused(env: Env) -> Any:
        target = env[slot]
        if type(target) is dict:
            target = target.get(first, undefined)
            if type(target) is dict:
                value = target.get(second, undefined)
                if type(value) is float:
                    if how == 0:
                        return value * constant
                    if how == 1:
                        return value + constant
                    if how == 2:
                        return value - constant
                    return value / constant
                return op(value, constant)
        raise deopt
    return fused


def path_write(slot: int, keys: tuple[str, ...], key: str, value: Expr,
               combine: Callable[[Any, Any], Any] | None, journaled: bool = True) -> Stmt:
    """``name.k1...kn.key = value`` (or ``OP=``: ``combine``), zero keys or more before
    ``key``: journaled in ``env[1]``, the value stored as the QuickJS path would give it.
    Not ``journaled``: the body's last step before it returns the message, after which
    nothing can step aside (and undo)."""
    undefined, deopt, stored = ops.UNDEFINED, ops.DEOPT, ops.stored
    if combine is None and len(keys) <= 1 and not journaled:
        first = keys[0] if keys else None

        def write_last(env: Env) -> int:
            target = env[slot]
            if type(target) is not dict:
                raise deopt
            if first is not None:
                target = target.get(first, undefined)
                if type(target) is not dict:
                    raise deopt
            new = value(env)
            if type(new) is not float or new.is_integer():  # (most floats are kept as they are)
                new = stored(new)
            target[key] = new
            return 0
        return write_last
    if combine is None and len(keys) <= 1:
        first = keys[0] if keys else None

        def write_near(env: Env) -> int:
            target = env[slot]
            if type(target) is not dict:
                raise deopt
            if first is not None:
                target = target.get(first, undefined)
                if type(target) is not dict:
                    raise deopt
            old = target.get(key, ABSENT)
            new = value(env)
            if type(new) is not float or new.is_integer():  # (most floats are kept as they are)
                new = stored(new)
            env[1].append((target, key, old))
            target[key] = new
            return 0
        return write_near

    def write(env: Env) -> int:
        target = env[slot]
        for step in keys:
            if type(target) is not dict:
                raise deopt
            target = target.get(step, undefined)
        if type(target) is not dict:
            raise deopt
        old = target.get(key, ABSENT)
        if combine is None:
            new = value(env)
        else:
            new = combine(undefined if old is ABSENT else old, value(env))
        if type(new) is not float or new.is_integer():
            new = stored(new)
        env[1].append((target, key, old))
        target[key] = new
        return 0
    return write


def object_write(obj: Expr, key: str, value: Expr,
                 combine: Callable[[Any, Any], Any] | None) -> Stmt:
    """``(expression).key = value`` (or ``OP=``), journaled."""
    undefined, stored = ops.UNDEFINED, ops.stored

    def write(env: Env) -> int:
        target = obj(env)
        if type(target) is not dict:
            raise ops.DEOPT
        old = target.get(key, ABSENT)
        if combine is None:
            new = value(env)
        else:
            new = combine(undefined if old is ABSENT else old, value(env))
        if type(new) is not float or new.is_integer():  # (most floats are kept as they are)
            new = stored(new)
        env[1].append((target, key, old))
        target[key] = new
        return 0
    return write


def member_read(obj: Expr, key: str) -> Expr:
    undefined = ops.UNDEFINED

    def read(env: Env) -> Any:
        target = obj(env)
        if type(target) is dict:
            return target.get(key, undefined)
        raise ops.DEOPT
    return read


def logic(op: str, left: Expr, right: Expr) -> Expr:
    truthy, undefined = ops.truthy, ops.UNDEFINED
    if op == "&&":
        def and_(env: Env) -> Any:
            value = left(env)
            return right(env) if truthy(value) else value
        return and_
    if op == "||":
        def or_(env: Env) -> Any:
            value = left(env)
            return value if truthy(value) else right(env)
        return or_

    def coalesce(env: Env) -> Any:
        value = left(env)
        return right(env) if value is None or value is undefined else value
    return coalesce


def write_path_op_constant(slot: int, first: str | None, key: str, source: int, read: str,
                           second: str, op: Callable[[Any, Any], Any], constant: Any,
                           journaled: bool) -> Stmt:
    """``name[.first].key = other.read.second OP constant``, where ``op`` is done inline on
    a float (:func:`inline`): :func:`path_write` of :func:`path_op_constant`, one closure."""
    undefined, deopt, stored = ops.UNDEFINED, ops.DEOPT, ops.stored
    how = inline(op, constant)

    def write(env: Env) -> int:
        target = env[slot]
        if type(target) is not dict:
            raise deopt
        if first is not None:
            target = target.get(first, undefined)
            if type(target) is not dict:
                raise deopt
        value = env[source]
        if type(value) is not dict:
            raise deopt
        value = value.get(read, undefined)
        if type(value) is not dict:
            raise deopt
        value = value.get(second, undefined)
        if type(value) is float:
            if how == 0:
                new = value * constant
            elif how == 1:
                new = value + constant
            elif how == 2:
                new = value - constant
            else:
                new = value / constant
            if new.is_integer():
                new = stored(new)
        else:
            new = op(value, constant)
            if type(new) is not float or new.is_integer():
                new = stored(new)
        if journaled:
            env[1].append((target, key, target.get(key, ABSENT)))
        target[key] = new
        return 0
    return write
