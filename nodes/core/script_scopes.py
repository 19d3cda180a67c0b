"""A script's reads and writes of a context scope's plain key, compiled to reach the scope's
store directly (:mod:`.script_code` applies them to the body's syntax tree): ``context.get("key")``
calls the store's own ``get``, and the statement ``context.set("key", value)`` stores into a
memory scope's dict, each only while the scope's name still holds the node's scope."""

from __future__ import annotations

import ast
import copy

CONTEXT_NAMES = ("context", "flow", "global_")
"""The context scopes a script sees; the module code reads each one's :func:`scope_globals`."""


VALUE_NAME = "__flowrt_value__"  # the body's local for the value a write sets


def scope_globals(scope: str) -> tuple[str, str, str, str]:
    """The globals a compiled read or write of ``scope`` takes: the scope's ContextStore, its
    ``getplain()``, its ``setplain()`` and its ``valuesplain()`` (see :func:`plain` and
    :func:`plain_statement`)."""
    name = scope.rstrip("_")
    store, get, set_, values = (
        f"__flowrt_{use}_{name}__" for use in ("scope", "get", "set", "values")
    )
    return store, get, set_, values


def plain_access(call: ast.Call) -> tuple[str, int] | None:
    """(scope, 1 for get or 2 for set) if ``call`` is ``scope.get("key")``,
    ``scope.get("key", default)`` or ``scope.set("key", value)`` with a text constant for key
    that is no property path (no ``.``, no ``[``)."""
    func, args = call.func, call.args
    if not (
        isinstance(func, ast.Attribute)
        and func.attr in ("get", "set")
        and isinstance(func.value, ast.Name)
        and func.value.id in CONTEXT_NAMES
        and (1 <= len(args) <= 2 if func.attr == "get" else len(args) == 2)
        and not call.keywords
        and not any(isinstance(arg, ast.Starred) for arg in args)
    ):
        return None
    key = args[0]
    if not (isinstance(key, ast.Constant) and type(key.value) is str):
        return None
    if "." in key.value or "[" in key.value:
        return None
    return func.value.id, 1 if func.attr == "get" else 2


def plain(call: ast.Call, scope: str, which: int) -> ast.expr:
    """``scope.get("key", default)`` as ``(__flowrt_get_scope__("key", default) if scope is
    __flowrt_scope_scope__ else scope.get("key", default))``, and ``scope.set`` likewise.

    For a plain key, the ContextStore's ``get`` is its store's own (a dict's ``get`` for a
    scope in memory), and its ``set`` the store's ``set``: calling those directly skips a
    Python call and the key's check (a read takes about 0.03 us instead of 0.13). The test on
    ``scope`` comes first, as ``scope.get`` is looked up first, and only one branch evaluates
    the arguments; when ``scope`` is rebound to anything else, the call is as written. The new
    nodes carry the call's place; the arguments keep their own."""
    names = scope_globals(scope)

    def at(node: ast.expr) -> ast.expr:
        return ast.copy_location(node, call)

    fast = at(ast.Call(at(ast.Name(names[which], ast.Load())), copy.deepcopy(call.args), []))
    test = at(
        ast.Compare(
            at(ast.Name(scope, ast.Load())), [ast.Is()], [at(ast.Name(names[0], ast.Load()))]
        )
    )
    return at(ast.IfExp(test=test, body=fast, orelse=call))


def plain_statement(call: ast.Call, scope: str) -> ast.stmt:
    """The statement ``scope.set("key", value)`` as::

        if scope is __flowrt_scope_scope__:
            __flowrt_value__ = value
            if __flowrt_value__ is None or __flowrt_values_scope__ is None:
                __flowrt_set_scope__("key", __flowrt_value__)
            else:
                __flowrt_values_scope__["key"] = __flowrt_value__

    else as written: the ContextStore's ``set`` of a plain key, with no call for a scope in
    memory (a persistent one has no dict: its ``set`` records the key as changed). As in
    :func:`plain`, ``scope`` is tested first and the new nodes carry the call's place."""
    names = scope_globals(scope)
    key, value = call.args

    def load(name: str) -> ast.Name:
        return ast.Name(name, ast.Load())

    def none(name: str) -> ast.expr:
        return ast.Compare(load(name), [ast.Is()], [ast.Constant(None)])

    held = ast.Assign([ast.Name(VALUE_NAME, ast.Store())], ast.Constant(None))
    remove = ast.Expr(ast.Call(load(names[2]), [copy.deepcopy(key), load(VALUE_NAME)], []))
    target = ast.Subscript(load(names[3]), copy.deepcopy(key), ast.Store())
    put = ast.Assign([target], load(VALUE_NAME))
    kept = ast.If(ast.BoolOp(ast.Or(), [none(VALUE_NAME), none(names[3])]), [remove], [put])
    statement = ast.If(ast.Compare(load(scope), [ast.Is()], [load(names[0])]), [held, kept], [])
    for part in ast.walk(statement):  # the new nodes carry the call's place
        if "lineno" in part._attributes:
            ast.copy_location(part, call)
    held.value, statement.orelse = copy.deepcopy(value), [ast.copy_location(ast.Expr(call), call)]
    return statement
