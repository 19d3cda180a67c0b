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
import inspect
from dataclasses import dataclass
from types import CodeType, TracebackType
from typing import Any

BODY_NAME = "__flowrt_script__"
"""The name the compiled body function is bound to, briefly, in the node's namespace."""


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


class ScriptSyntaxError(ValueError):
    """Code that does not compile; ``line`` is the script's own line (0 if unknown)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


def _syntax_error(exc: SyntaxError) -> ScriptSyntaxError:
    return ScriptSyntaxError(exc.msg, exc.lineno or 0)


def compile_body(source: str, filename: str = "<script>") -> CompiledBody:
    """Compile the body into module code defining ``BODY_NAME(msg)`` (or, when the body awaits,
    ``async BODY_NAME(msg, node)``). Raise ScriptSyntaxError."""
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
    body: list[ast.stmt] = tree.body or [ast.Pass()]
    kind: Any = ast.AsyncFunctionDef if scan.awaits else ast.FunctionDef
    function = kind(name=BODY_NAME, args=args, body=body, decorator_list=[], returns=None)
    function.lineno, function.col_offset = 1, 0
    module = ast.Module(body=[function], type_ignores=[])
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
