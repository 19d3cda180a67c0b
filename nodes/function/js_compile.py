"""A function node's body compiled to Python closures, when it is in a small subset of
JavaScript (:mod:`.js_compile_parse`), with JavaScript's semantics exactly; QuickJS otherwise.

Why: a message costs about 7 us in QuickJS (its JSON both ways, bench_function.py), of which
the code itself is a fraction; most function nodes do a little arithmetic on the message and
return it (Node-RED's chain5: ``msg.payload.y = msg.payload.v * 2; return msg;``). Compiled,
that runs on the message's own Python values, in place (the node owns its message:
``mutates`` is True, so what it is given is a copy nobody else sees).

Exactness is kept by guards: every operation handles the cases it handles exactly as
JavaScript does (:mod:`.js_compile_ops`) and raises ``DEOPT`` for any other (a string where a
number is expected, a member read of undefined, which JavaScript would throw on, a value that
would be written in two places). Then every write the compiled body made to the message is
undone (each is journaled: object, key, the old value or none; but a last write before
``return msg``, after which nothing can step aside) and the message goes through QuickJS as it
would have anyway: its result, its error and its wording are the engine's. The commonest
shapes (a member path read, such a read with a constant, a member path write) are one closure
each (:mod:`.js_compile_fuse`), not one a node of the syntax tree.

A message is only run compiled if it is what ``JSON.parse`` would make of it on the QuickJS
path (:mod:`.js_compile_message`).

Limits: the subset has no loops, calls (but ``Math``'s) or functions, so a compiled body ends
after at most one step per node of its text; with the message walk, its time is linear in the
sizes of the text and the message, and the node's ``timeout`` cannot be reached. Strings it
makes are capped (:data:`.js_compile_ops.MAX_TEXT`, and all it makes and compares: ``LEFT``)
and a message larger than a share of the node's ``memory_limit`` goes to QuickJS, whose limits
then apply. The compiled body belongs to the same node, under the same script policy; under
``--scripts sandboxed`` it runs in the server, not in the node's worker process: it can only
compute on its message (as a change node does). Compiled: nodes of one output, no On Start code
(which could change globals, Math, Object.prototype); ``FLOWRT_JS_COMPILE=0`` turns it off.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from . import js_compile_ops as ops
from .js_compile_fuse import (
    Env,
    Expr,
    Stmt,
    inline,
    logic,
    member_read,
    object_write,
    path_op_constant,
    path_read,
    path_write,
    write_path_op_constant,
)
from .js_compile_message import plain, undo
from .js_compile_parse import KEYWORDS, Node, Refused, parse

COMPILE_VAR = "FLOWRT_JS_COMPILE"
NOT_COMPILED: Any = object()
"""What :meth:`CompiledBody.run` returns for a message that goes to QuickJS instead."""

_PROTOTYPE_KEYS = frozenset((
    "constructor", "__proto__", "toString", "toLocaleString", "valueOf", "hasOwnProperty",
    "isPrototypeOf", "propertyIsEnumerable", "__defineGetter__", "__defineSetter__",
    "__lookupGetter__", "__lookupSetter__"))
"""Object.prototype's properties: a key a plain object reads through to them, or writes."""
_NOT_DECLARED = KEYWORDS | {"msg", "node", "context", "flow", "global", "env", "RED", "Math"}
_CONSTANTS = {"undefined": ops.UNDEFINED, "NaN": ops.NAN, "Infinity": ops.INF}

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": ops.add, "-": ops.sub, "*": ops.mul, "/": ops.div, "%": ops.mod,
    "<": ops.lt, "<=": ops.le, ">": ops.gt, ">=": ops.ge,
    "===": ops.strict_eq, "!==": lambda a, b: not ops.strict_eq(a, b),
    "==": ops.loose_eq, "!=": lambda a, b: not ops.loose_eq(a, b),
}
_SPENDING = frozenset((ops.add, ops.lt, ops.le, ops.gt, ops.ge, ops.strict_eq, ops.loose_eq,
                       _BINARY["!=="], _BINARY["!="]))
"""Operations that may spend ``ops.LEFT`` (on strings): a body without them leaves it be."""
_UNARY: dict[str, Callable[[Any], Any]] = {
    "-": ops.neg, "+": ops.number, "!": lambda v: not ops.truthy(v), "typeof": ops.typeof,
}


def compiled_for(config: Any) -> CompiledBody | None:
    """The node's body compiled, or None: compiling is off, the node has more or fewer than
    one output or On Start code, or its body is outside the subset."""
    if os.environ.get(COMPILE_VAR, "").strip() == "0" or config.outputs != 1 \
            or config.initialize.strip():
        return None
    return compile_body(config.func, budget=config.memory_limit * 16 * 1024)


def compile_body(text: str, budget: int = 1 << 20) -> CompiledBody | None:
    if not text.strip():  # (QuickJS runs it: it returns undefined, as in Node-RED)
        return None
    tree = parse(text)
    if tree is None:
        return None
    compiler = _Compiler()
    end = 0
    if tree and tree[-1] == ("return", ("name", "msg")):  # the common end: one step less
        tree, end = tree[:-1], 1
        if tree and tree[-1][0] == "assign":  # nothing can step aside after it: no journal
            compiler.last = tree[-1]
    try:
        block = compiler.block(tree, depth=0)
    except (Refused, RecursionError):
        return None
    return CompiledBody(block, end, compiler.slots - 2, budget, compiler.spends)


class CompiledBody:
    """A body compiled: ``run(msg)`` gives the message (changed in place) or None (nothing to
    send), as the QuickJS path would give; NOT_COMPILED, the message as it was, for the
    QuickJS path to run."""

    run: Callable[[Any], Any]

    def __init__(self, block: Stmt, end: int, variables: int, budget: int,
                 spends: bool = True) -> None:
        # end: the outcome when the block goes on to its end; spends: False when no operation
        # of the body reads ops.LEFT (bytes of text it may make and compare)
        self.run = _runner(block, end, [ops.UNDEFINED] * variables, budget,
                           min(ops.MAX_CHARACTERS, budget) if spends else -1)


def _runner(block: Stmt, end: int, fresh: list[Any], budget: int,
            characters: int) -> Callable[[Any], Any]:
    def run(msg: Any) -> Any:
        journal: list[tuple[Any, Any, Any]] = []
        if type(msg) is not dict or plain(msg, journal, budget) < 0:
            undo(journal)
            return NOT_COMPILED
        if characters >= 0:
            ops.LEFT[0] = characters
        try:
            outcome = block([msg, journal, *fresh] if fresh else [msg, journal]) or end
        except Exception:  # DEOPT, or anything unforeseen: QuickJS decides
            undo(journal)
            return NOT_COMPILED
        if outcome == 1:
            return msg
        undo(journal)  # nothing sent: the QuickJS path leaves the message as it came
        return None
    return run


class _Compiler:
    """The syntax tree to closures; refuses (:class:`Refused`) names it cannot resolve as
    JavaScript would (undeclared, declared twice or later, ``var`` in a block, a constant
    assigned), keys of Object.prototype, and writes of ``_msgid`` or of an array index."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, tuple[int, bool]]] = [{}]
        self.declared: set[str] = set()
        self.slots = 2
        self.spends = False  # whether an operation that spends ops.LEFT was compiled
        self.last: Node | None = None  # the body's last step, a write, when msg is returned

    # statements ------------------------------------------------------------------------

    def block(self, tree: list[Node], depth: int) -> Stmt:
        steps = tuple(s for s in (self.statement(node, depth) for node in tree) if s)
        if len(steps) == 1:
            return steps[0]
        if not steps:
            return lambda env: 0
        if len(steps) == 2 and tree[-1] == ("return", ("name", "msg")):
            first = steps[0]  # the common body: one step, and the message returned
            return lambda env: first(env) or 1

        def run(env: Env) -> int:
            for step in steps:
                outcome = step(env)
                if outcome:
                    return outcome
            return 0
        return run

    def statement(self, node: Node, depth: int) -> Stmt | None:
        kind = node[0]
        if kind == "empty":
            return None
        if kind == "decl":
            return self.declaration(node, depth)
        if kind == "assign":
            return self.assignment(node)
        if kind == "if":
            return self.if_(node, depth)
        if kind == "block":
            self.scopes.append({})
            inner = self.block(node[1], depth + 1)
            self.scopes.pop()
            return inner
        if kind == "return":
            return self.return_(node[1])
        value = self.expr(node[1])  # an expression statement

        def evaluate(env: Env) -> int:
            value(env)
            return 0
        return evaluate

    def declaration(self, node: Node, depth: int) -> Stmt:
        _, kind, name, init = node
        if name in _NOT_DECLARED or name in self.declared or (kind == "var" and depth):
            raise Refused(f"declaration of {name}")
        self.declared.add(name)
        value = self.expr(init) if init is not None else None  # (before the name is seen)
        slot = self.slots
        self.slots += 1
        self.scopes[-1][name] = (slot, kind == "const")
        if value is None:
            return lambda env: 0  # (a fresh run's variables are undefined)

        def declare(env: Env) -> int:
            env[slot] = value(env)
            return 0
        return declare

    def assignment(self, node: Node) -> Stmt:
        _, target, op, value_node = node
        value = self.expr(value_node)
        combine = self.operation(op[0]) if op != "=" else None
        if target[0] == "name":
            slot, constant = self.lookup(target[1])
            if constant or slot == 0:
                raise Refused(f"assignment to {target[1]}")
            if combine is None:
                def assign(env: Env) -> int:
                    env[slot] = value(env)
                    return 0
                return assign

            def update(env: Env) -> int:
                env[slot] = combine(env[slot], value(env))
                return 0
            return update
        obj, key = self.expr(target[1]), target[2]
        if key in _PROTOTYPE_KEYS or key == "_msgid" or "0" <= key[:1] <= "9":
            raise Refused(f"write of {key}")
        path = self.path(target[1])
        if path is not None:  # a name's member path: one closure reaches and writes
            fused = self.fused_write(path, key, value_node, combine, node is not self.last)
            return fused or path_write(path[0], path[1], key, value, combine, node is not self.last)
        return object_write(obj, key, value, combine)

    def fused_write(self, path: tuple[int, tuple[str, ...]], key: str, value_node: Node,
                    combine: Any, journaled: bool) -> Stmt | None:
        """``msg.a.b = msg.c.d * 2`` as one closure (js_compile_fuse.py), or None."""
        if combine is not None or len(path[1]) > 1 or value_node[0] != "bin" \
                or value_node[3][0] != "const" or value_node[2][0] != "member":
            return None
        source, op = self.path(value_node[2]), _BINARY[value_node[1]]
        if source is None or len(source[1]) != 2 or inline(op, value_node[3][1]) is None:
            return None
        return write_path_op_constant(path[0], path[1][0] if path[1] else None, key, source[0],
                                      *source[1], op, value_node[3][1], journaled)

    def if_(self, node: Node, depth: int) -> Stmt:
        _, test_node, then_node, other_node = node
        test = self.expr(test_node)
        then = self.branch(then_node, depth)
        other = self.branch(other_node, depth) if other_node is not None else None
        truthy = ops.truthy

        def if_(env: Env) -> int:
            if truthy(test(env)):
                return then(env)
            return other(env) if other is not None else 0
        return if_

    def branch(self, tree: list[Node], depth: int) -> Stmt:
        self.scopes.append({})
        step = self.block(tree, depth + 1)
        self.scopes.pop()
        return step

    def return_(self, node: Node | None) -> Stmt:
        if node is None:
            return lambda env: 2
        if node == ("name", "msg"):
            return lambda env: 1
        value = self.expr(node)

        def return_(env: Env) -> int:
            out = value(env)
            if out is env[0]:
                return 1
            if out is None or out is ops.UNDEFINED:
                return 2
            raise ops.DEOPT  # another value to send: QuickJS makes the outputs
        return return_

    # expressions -----------------------------------------------------------------------

    def lookup(self, name: str) -> tuple[int, bool]:
        if name == "msg":
            return 0, False
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise Refused(f"name {name}")

    def expr(self, node: Node) -> Expr:
        kind = node[0]
        if kind == "const":
            constant = node[1]
            return lambda env: constant
        if kind == "paren":
            return self.expr(node[1])
        if kind == "name":
            if node[1] in _CONSTANTS:
                constant = _CONSTANTS[node[1]]
                return lambda env: constant
            slot = self.lookup(node[1])[0]
            return lambda env: env[slot]
        if kind == "member":
            return self.member(node[1], node[2])
        if kind == "math":
            return self.math(node[1], node[2])
        if kind == "unary":
            op, operand = _UNARY[node[1]], self.expr(node[2])
            return lambda env: op(operand(env))
        if kind == "bin":
            return self.binary(self.operation(node[1]), node[2], node[3])
        if kind == "logic":
            return logic(node[1], self.expr(node[2]), self.expr(node[3]))
        if kind == "cond":
            test, then, other = (self.expr(n) for n in node[1:])
            truthy = ops.truthy
            return lambda env: then(env) if truthy(test(env)) else other(env)
        raise Refused(kind)

    def path(self, node: Node) -> tuple[int, tuple[str, ...]] | None:
        """A name and the keys read from it (``msg.a.b``: msg's slot, ("a", "b")), or None
        when ``node`` is no such path; refuses keys of Object.prototype."""
        keys = []
        while node[0] == "member":
            if node[2] in _PROTOTYPE_KEYS:
                raise Refused(f"read of {node[2]}")
            keys.append(node[2])  # (innermost last, then reversed: linear, not insert(0))
            node = node[1]
        if node[0] != "name" or node[1] in _CONSTANTS:
            return None
        keys.reverse()
        return self.lookup(node[1])[0], tuple(keys)

    def member(self, obj_node: Node, key: str) -> Expr:
        path = self.path(("member", obj_node, key))
        if path is not None:  # a.b.c: one closure walks the keys
            return path_read(*path)
        keys = [key]
        while obj_node[0] == "member":
            keys.append(obj_node[2])
            obj_node = obj_node[1]
        obj = self.expr(obj_node)  # (a constant, Math's, a call's result...)
        for step in reversed(keys):
            obj = member_read(obj, step)
        return obj

    def math(self, name: str, args: list[Node] | None) -> Expr:
        if args is None:
            if name not in ops.MATH_VALUES:
                raise Refused(f"Math.{name}")
            constant = ops.MATH_VALUES[name]
            return lambda env: constant
        call = ops.MATH_CALLS.get(name)
        if call is None:
            raise Refused(f"Math.{name}")
        values = [self.expr(a) for a in args]
        if len(values) == 1:
            only = values[0]
            return lambda env: call(only(env))
        return lambda env: call(*[v(env) for v in values])

    def operation(self, name: str) -> Callable[[Any, Any], Any]:
        op = _BINARY[name]
        if op in _SPENDING:
            self.spends = True
        return op

    def binary(self, op: Callable[[Any, Any], Any], left_node: Node, right_node: Node) -> Expr:
        left = self.expr(left_node)
        if right_node[0] == "const":
            constant = right_node[1]
            path = self.path(left_node) if left_node[0] == "member" else None
            if path is not None:  # msg.payload.v * 2: one closure reads and multiplies
                return path_op_constant(path[0], path[1], op, constant)
            return lambda env: op(left(env), constant)
        right = self.expr(right_node)
        return lambda env: op(left(env), right(env))
