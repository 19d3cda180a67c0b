"""Compiling the Python of a script node, with the script's own line numbers.

The body (``code``) becomes a function: it is parsed on its own, so every statement keeps the
line it has in the script, and the statements are then placed under a ``def`` node of the syntax
tree. Nothing is prepended to the text, so a traceback, a syntax error and a
:class:`~flowrt.api.ScriptError` all name the line the person wrote. A body that uses ``await``
becomes an ``async def``.

``setup`` and ``close`` run as module code in the node's namespace (top-level ``await``
allowed), so the names ``setup`` binds, such as imports and helper functions, are globals that
the body sees.
"""

from __future__ import annotations

import ast
import copy
import inspect
from dataclasses import dataclass
from types import CodeType, TracebackType
from typing import Any

from flowrt.api import HELD_SEND

from .script_scopes import plain, plain_access, plain_statement

BODY_NAME = "__flowrt_script__"
"""The name the compiled body function is bound to, briefly, in the node's namespace."""

SENDER_NEEDS = ("__flowrt_immutable__", "__flowrt_clone__", "__flowrt_id__")
"""The names the senders of :class:`_Sends` take their defaults from when the module code runs:
the types a copy keeps as they are, the copy, and the builtin ``id`` (a name ``setup`` binds
cannot stand for it)."""

NODE_TEST = ("__flowrt_type__", "__flowrt_node__")
"""The names a rewritten ``node.send`` reads to test that ``node`` is the script's own: the
builtin ``type``, and the class of the script's ``node`` (for an asynchronous body, its call's)."""

_IMMUTABLE_CONSTANTS = (str, int, float, bool, type(None), bytes)


@dataclass(frozen=True, slots=True)
class CompiledBody:
    """The body as module code that defines :data:`BODY_NAME`."""

    code: CodeType
    is_async: bool


class _Scan(ast.NodeVisitor):
    """Finds ``await`` and ``yield`` in the body itself, not in functions it defines."""

    def __init__(self) -> None:
        self.awaits = False
        self.yield_line = 0

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return None

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        return None

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        return None

    def visit_Await(self, node: ast.Await) -> None:
        self.awaits = True
        self.generic_visit(node)

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self.awaits = True
        self.generic_visit(node)

    def visit_AsyncWith(self, node: ast.AsyncWith) -> None:
        self.awaits = True
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        if node.is_async:
            self.awaits = True
        self.generic_visit(node)

    def visit_Yield(self, node: ast.Yield) -> None:
        self.yield_line = self.yield_line or node.lineno

    def visit_YieldFrom(self, node: ast.YieldFrom) -> None:
        self.yield_line = self.yield_line or node.lineno


class _Sends(ast.NodeTransformer):
    """Rewrites ``node.send({...})``, one argument that is a dict display, to a call of a sender
    made for it while ``node`` is the script's own: ``(__flowrt_send_N__(node, a0, a1...) if
    __flowrt_type__(node) is __flowrt_node__ else node.send({...}))`` (and a read or write of a
    context scope's plain key: :mod:`.script_scopes`). ``held``: the body is asynchronous, its
    ``node`` is its call's, whose message the node holds.

    ``node.send`` copies what it sends, as Node-RED does, so that the script may go on changing
    it. A dict display, though, makes new dicts that nothing but the message refers to: copying
    them changes nothing anyone could see, only the values the display put in them (a list
    held by a name, the result of a call) must be copied. The sender does exactly that, then
    sends the display's own dicts as ``send(msg, clone=False)`` would. It does so only when
    ``node`` is the script's own (``node`` may be rebound to anything: looking up its ``send``
    then may do anything); otherwise the call is as written. The display's values are evaluated
    in their usual order, and the copies are made after the display is whole, as ``node.send``
    makes them.

    Only plain displays are rewritten: every key a distinct text constant, no ``**``; a nested
    display of that kind is new too, any other value is copied (a constant text or number
    needs no check). A sender's code carries the line of its ``node.send``, so an error in a
    copy names that line."""

    def __init__(self, held: bool) -> None:
        self.senders: list[ast.stmt] = []
        self._held = held
        self._nested = 0  # how many function and class definitions the visit is inside

    def _inside(self, node: ast.AST) -> ast.AST:
        self._nested += 1
        node = self.generic_visit(node)
        self._nested -= 1
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _inside

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        call = node.value
        if not self._nested and isinstance(call, ast.Call):
            access = plain_access(call)
            if access is not None and access[1] == 2:
                self.generic_visit(call)  # sends, reads and writes inside the value first
                return plain_statement(call, access[0])
        return self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)  # sends inside the arguments first
        func, args = node.func, node.args
        access = plain_access(node)
        if access is not None:
            return plain(node, *access)
        if not (
            isinstance(func, ast.Attribute)
            and func.attr == "send"
            and isinstance(func.value, ast.Name)
            and func.value.id == "node"
            and len(args) == 1
            and not node.keywords
            and isinstance(args[0], ast.Dict)
        ):
            return node
        values: list[ast.expr] = []
        display = _split(args[0], values)
        if display is None:
            return node
        name = f"__flowrt_send_{len(self.senders)}__"
        self.senders.append(_sender(name, display, len(values), node, self._held))
        own = ast.Compare(
            ast.Call(ast.Name(NODE_TEST[0], ast.Load()), [ast.Name("node", ast.Load())], []),
            [ast.Is()], [ast.Name(NODE_TEST[1], ast.Load())])
        call = ast.Call(ast.Name(name, ast.Load()),
                        [ast.Name("node", ast.Load()), *copy.deepcopy(values)], [])
        for part in (*ast.walk(own), call, call.func, call.args[0]):
            ast.copy_location(part, node)
        return ast.copy_location(ast.IfExp(test=own, body=call, orelse=node), node)


def _split(display: ast.Dict, values: list[ast.expr]) -> ast.Dict | None:
    """A copy of ``display`` with each value a copy of it might copy (any but a constant and a
    plain display, whose dicts are new) replaced by the name ``a<i>``, its expression added to
    ``values`` as ``values[i]`` (in the order the display evaluates them); None if the display
    is not plain (a ``**``, a key that is no text constant, a key given twice)."""
    keys: set[str] = set()
    for key in display.keys:
        if not (isinstance(key, ast.Constant) and type(key.value) is str) or key.value in keys:
            return None
        keys.add(key.value)
    parts: list[ast.expr] = []
    for value in display.values:
        if isinstance(value, ast.Constant) and type(value.value) in _IMMUTABLE_CONSTANTS:
            parts.append(value)
            continue
        if isinstance(value, ast.Dict):
            before = len(values)
            nested = _split(value, values)
            if nested is not None:
                parts.append(nested)
                continue
            del values[before:]
        parts.append(ast.Name(f"a{len(values)}", ast.Load()))
        values.append(value)
    return ast.Dict(keys=list(display.keys), values=parts)


_SENDER = """
def sender(node, _type=__flowrt_type__, _immutable=__flowrt_immutable__,
           _clone=__flowrt_clone__, _id=__flowrt_id__):
    msg = DISPLAY
    origin = node._msg
    if origin is not None MSGID_FREE and "_msgid" in origin:
        msg["_msgid"] = origin["_msgid"]
"""
"""The sender's code, called with the script's own ``node`` and the values of the display
(``a0``, ``a1``...): the values are copied first, then it makes the display (``DISPLAY``;
``MSGID_FREE``: whether it has no ``_msgid`` yet, written only when the display has that key) and
does what ``node.send(msg, clone=False)`` does (:class:`.script_objects.ScriptNode`) with no
call of it: the node of a synchronous body sends by its ``_send``, that of an asynchronous
call for the message the call holds, as ``send_held`` does (:data:`HELD_SEND`)."""

_SEND = ("node._send(msg)",)
_SEND_HELD = ("ctx = node._ctx", *HELD_SEND)


def _sender(name: str, display: ast.Dict, count: int, call: ast.Call, held: bool) -> ast.stmt:
    """The sender of one ``node.send`` (see :class:`_Sends`) of ``display`` (as :func:`_split`
    made it, of ``count`` values): ``if _type(a<i>) not in _immutable: a<i> = _clone(a<i>)``
    for each value, before the display is made and sent as ``send(msg, clone=False)`` would
    (``held``: for the message an asynchronous call holds). A display with no ``_msgid`` key
    makes a message with none: the sender does not look for one."""
    sending = "".join(f"    {line}\n" for line in (_SEND_HELD if held else _SEND))
    keys = {key.value for key in display.keys if isinstance(key, ast.Constant)}
    free = ' and "_msgid" not in msg' if "_msgid" in keys else ""
    function = ast.parse(_SENDER.replace(" MSGID_FREE", free) + sending).body[0]
    assert isinstance(function, ast.FunctionDef)
    function.name = name
    function.args.args[1:1] = [ast.arg(arg=f"a{i}") for i in range(count)]
    checks = [ast.parse(f"if _type(a{i}) not in _immutable:\n    a{i} = _clone(a{i})").body[0]
              for i in range(count)]
    made = function.body[0]
    assert isinstance(made, ast.Assign)
    made.value = copy.deepcopy(display)
    function.body[:0] = checks
    for part in ast.walk(function):  # every line of the sender is the line of its node.send
        if "lineno" in part._attributes:
            ast.copy_location(part, call)
    return function


class ScriptSyntaxError(ValueError):
    """Code that does not compile; ``line`` is the script's own line (0 if unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


def _syntax_error(exc: SyntaxError) -> ScriptSyntaxError:
    return ScriptSyntaxError(exc.msg, exc.lineno or 0)


def compile_body(source: str, filename: str = "<script>") -> CompiledBody:
    """Compile the body into module code defining ``BODY_NAME(msg)`` (or, when the body awaits,
    ``async BODY_NAME(msg, node)``), and a sender for each ``node.send`` of a dict display
    (:class:`_Sends`). Raise ScriptSyntaxError."""
    try:
        tree = ast.parse(source, filename, "exec")
    except SyntaxError as exc:
        raise _syntax_error(exc) from None
    scan = _Scan()
    for statement in tree.body:
        scan.visit(statement)
    if scan.yield_line:
        raise ScriptSyntaxError(
            "a script cannot yield; send each message with node.send()", scan.yield_line
        )
    params = ["msg", "node"] if scan.awaits else ["msg"]
    args = ast.arguments(
        posonlyargs=[],
        args=[ast.arg(arg=name) for name in params],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )
    sends = _Sends(held=scan.awaits)
    body: list[ast.stmt] = [sends.visit(statement) for statement in tree.body] or [ast.Pass()]
    kind: Any = ast.AsyncFunctionDef if scan.awaits else ast.FunctionDef
    function = kind(name=BODY_NAME, args=args, body=body, decorator_list=[], returns=None)
    function.lineno, function.col_offset = 1, 0
    module = ast.Module(body=[*sends.senders, function], type_ignores=[])
    ast.fix_missing_locations(module)
    try:
        code = compile(module, filename, "exec")
    except SyntaxError as exc:
        raise _syntax_error(exc) from None
    return CompiledBody(code=code, is_async=scan.awaits)


def compile_block(source: str, filename: str) -> CodeType:
    """Compile ``setup`` or ``close`` as module code; top-level ``await`` is allowed, and then
    ``eval`` of the code returns a coroutine. Raise ScriptSyntaxError."""
    try:
        code: CodeType = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        raise _syntax_error(exc) from None
    return code


def is_coroutine_code(code: CodeType) -> bool:
    return bool(code.co_flags & inspect.CO_COROUTINE)


def script_frame(tb: TracebackType | None, filenames: dict[str, str]) -> tuple[str, int]:
    """The innermost frame of a traceback that runs the node's own code: (part, line), where
    part is a value of ``filenames`` (``""`` for the body, ``"setup "`` ...); ("", 0) if none."""
    found = ("", 0)
    while tb is not None:
        part = filenames.get(tb.tb_frame.f_code.co_filename)
        if part is not None:
            found = (part, tb.tb_lineno)
        tb = tb.tb_next
    return found
