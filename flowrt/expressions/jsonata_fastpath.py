"""The common forms of JSONata expressions made Python closures, with jsonata-python behind them.

Most expressions in flows are small: a path (``payload.meta.site``), arithmetic on a path
(``$number(payload.power) * 2``), a concatenation (``payload.device & '@' & topic``), a
comparison, a condition (``payload.t > 30 ? 'hot' : 'ok'``), a rounding (``$round(x, 2)``).
jsonata-python walks its syntax tree for each of them, checks the whole message's types first
and runs under the deadline's watch, about 40 to 70 µs an evaluation; the closure made here
from the same tree takes 2 to 4 µs.

Exactness comes first: the closures compute with jsonata-python's own operations
(``evaluate_numeric_expression``, ``evaluate_string_concat``, ``evaluate_comparison_expression``,
``boolize``, the built-in functions themselves...), in the order its evaluator calls them.
Wherever a value would take another way through that evaluator (a list in a path, JSON null,
a type an operator refuses, a function argument its signature might refuse, a message holding
a value JSONata does not read), the closure gives up on that message (:class:`Deopt`, or the
library's own error) and the caller evaluates it with jsonata-python: the answer, or the
error, is then the evaluator's. An expression with any other form (predicates, wildcards,
variables, lambdas, blocks, functions other than those of :data:`FUNCTIONS`...) is not
compiled at all.

Bounds: a closure has no loop of its own; it walks the message's types once (as the evaluator
does before every evaluation) and does a fixed number of steps, each bounded by the message's
size, so it needs no deadline. The texts it makes are checked against the limits of
:mod:`flowrt.expressions.jsonata_limits` as the evaluator's are. One difference is only in time: the
evaluator checks a message's types under its deadline, so a message so large that the check
alone takes longer fails there, while here the check (a faster walk) is bounded by the
message's size rather than by the deadline, and the message is answered.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from flowrt.expressions.jsonata_limits import Budget

Closure = Callable[[Any, Budget], Any]
"""A compiled node: ``run(message, budget)``; None is JSONata's undefined, as in the evaluator."""

_NUMBERS = (int, float)
_SCALARS = (str, int, float, bool)
FUNCTIONS: dict[str, tuple[tuple[type, ...], ...]] = {
    "number": (_SCALARS,),
    "string": (_SCALARS,),
    "round": (_NUMBERS, _NUMBERS),
    "floor": (_NUMBERS,),
    "ceil": (_NUMBERS,),
    "abs": (_NUMBERS,),
    "uppercase": ((str,),),
    "lowercase": ((str,),),
    "trim": ((str,),),
    "length": ((str,),),
}
"""The built-in functions called directly, and the exact types each argument may have to be
called so (others, undefined included, go to the evaluator, whose signatures decide). A call
may give fewer arguments than listed, never none."""

_PLAIN = frozenset({str, int, float, bool, type(None)})
_ALWAYS_SET = frozenset({"_outer_instance", "id", "value", "type", "position", "bp", "lbp"})
_ALLOWED: dict[str, frozenset[str]] = {
    "path": frozenset({"steps"}),
    "name": frozenset(),
    "string": frozenset(),
    "number": frozenset(),
    "value": frozenset(),
    "binary": frozenset({"lhs", "rhs"}),
    "function": frozenset({"procedure", "arguments"}),
    "variable": frozenset(),
    "condition": frozenset({"condition", "then", "_else"}),
    "unary": frozenset({"expression"}),
}
_ARITHMETIC = frozenset({"+", "-", "*", "/", "%"})
_EQUALITY = frozenset({"=", "!="})
_COMPARISON = frozenset({"<", "<=", ">", ">="})


class Unsupported(Exception):
    """The expression has a form this module does not compile."""


class Deopt(Exception):
    """This message must be evaluated by jsonata-python."""


class FastPath:
    """An expression compiled to a closure; ``functions``: the ``$names`` it calls (a caller
    binding one of them as a variable must use the evaluator)."""

    __slots__ = ("functions", "run")

    def __init__(self, run: Closure, functions: frozenset[str]) -> None:
        self.run = run
        self.functions = functions


def compile_fast(expr: Any) -> FastPath | None:
    """The closure of a parsed expression (``jsonata.Jsonata``), or None for another form."""
    called: set[str] = set()
    try:
        run = _compile(expr.ast, expr, called)
    except Unsupported:
        return None
    return FastPath(run, frozenset(called))


def plain(value: Any) -> bool:
    """True when ``value`` holds only what JSON holds (the evaluator checks each input so,
    and raises on anything else); False sends the message to the evaluator."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            kind = type(item)
            if kind not in _PLAIN and not ((kind is dict or kind is list) and plain(item)):
                return False
        return True
    if kind in _PLAIN:
        return True
    if kind is list:
        for item in value:
            kind = type(item)
            if kind not in _PLAIN and not ((kind is dict or kind is list) and plain(item)):
                return False
        return True
    return False


def _extra(node: Any) -> set[str]:
    """The attributes of a syntax node that are set beyond what its form allows."""
    found = set()
    for key, value in vars(node).items():
        if key in _ALWAYS_SET or value is None or value is False or value == 0:
            continue
        if isinstance(value, list) and not value:
            continue
        found.add(key)
    return found - _ALLOWED.get(node.type, frozenset())


def _compile(node: Any, expr: Any, called: set[str]) -> Closure:
    kind = getattr(node, "type", None)
    if kind not in _ALLOWED or kind == "variable" or kind == "name" or _extra(node):
        raise Unsupported(kind)
    if kind == "path":
        return _path(node)
    if kind in ("string", "number", "value"):
        return _literal(node)
    if kind == "binary":
        return _binary(node, expr, called)
    if kind == "condition":
        return _condition(node, expr, called)
    if kind == "unary":
        return _negative(node, expr, called)
    return _function(node, expr, called)


def _condition(node: Any, expr: Any, called: set[str]) -> Closure:
    from jsonata import Jsonata  # type: ignore[import-untyped]

    boolize = Jsonata.boolize
    test = _compile(node.condition, expr, called)
    then = _compile(node.then, expr, called)
    other = _compile(node._else, expr, called) if node._else is not None else None

    def condition(msg: Any, budget: Budget) -> Any:
        if boolize(test(msg, budget)):
            return then(msg, budget)
        return other(msg, budget) if other is not None else None

    return condition


def _negative(node: Any, expr: Any, called: set[str]) -> Closure:
    from jsonata.utils import Utils  # type: ignore[import-untyped]

    if node.value != "-":
        raise Unsupported("unary")  # array and object constructors
    inner = _compile(node.expression, expr, called)
    numeric, convert = Utils.is_numeric, Utils.convert_number

    def negative(msg: Any, budget: Budget) -> Any:
        value = inner(msg, budget)
        if value is None:
            return None
        if numeric(value):
            return convert(-float(value))
        raise Deopt

    return negative


def _path(node: Any) -> Closure:
    names = []
    for step in node.steps:
        if step.type != "name" or _extra(step) or not isinstance(step.value, str):
            raise Unsupported("step")
        names.append(step.value)
    *through, last = names

    def path(msg: Any, budget: Budget) -> Any:
        value = msg
        for name in through:
            value = value.get(name)
            kind = type(value)
            if kind is not dict:
                if kind is list:
                    raise Deopt  # the evaluator maps the rest of the path over the list
                return None  # missing, null or a scalar: the path is undefined
        if type(value) is not dict:
            return None
        found = value.get(last, _MISSING)
        if found is _MISSING:
            return None
        kind = type(found)
        if kind is list or found is None:
            raise Deopt  # an array is returned as a sequence; null as JSONata's null
        return found

    return path


_MISSING = object()


def _literal(node: Any) -> Closure:
    value = node.value
    if value is None:
        raise Unsupported("null")  # the evaluator's null marker: leave it to the evaluator
    if type(value) not in (str, int, float, bool):
        raise Unsupported("literal")
    return lambda msg, budget: value


def _binary(node: Any, expr: Any, called: set[str]) -> Closure:
    op = str(node.value)
    steps = _constant_steps(node)
    if steps:
        return _arithmetic_chain(_compile(steps[0], expr, called), steps[1:])
    lhs, rhs = _compile(node.lhs, expr, called), _compile(node.rhs, expr, called)
    if op in _ARITHMETIC:
        return _arithmetic(lhs, rhs, op, expr.evaluate_numeric_expression)
    if op in _EQUALITY:
        equal = expr.evaluate_equality_expression
        return lambda msg, budget: equal(lhs(msg, budget), rhs(msg, budget), op)
    if op in _COMPARISON:
        compare = expr.evaluate_comparison_expression
        return lambda msg, budget: compare(lhs(msg, budget), rhs(msg, budget), op)
    if op == "&":
        concat = expr.evaluate_string_concat

        def joined(msg: Any, budget: Budget) -> Any:
            text = concat(lhs(msg, budget), rhs(msg, budget))
            budget.exit(node, None, None, text)
            return text

        return joined
    if op in ("and", "or"):
        boolean = expr.evaluate_boolean_expression
        return lambda msg, budget: boolean(lhs(msg, budget), lambda: rhs(msg, budget), op)
    raise Unsupported(op)


_OPERATORS: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}


def _arithmetic(lhs: Closure, rhs: Closure, op: str, numeric: Callable[..., Any]) -> Closure:
    """``lhs op rhs``: two finite numbers and a finite result computed here as the evaluator
    computes them (as floats, a whole result made an integer); anything else (undefined, a
    type it refuses, NaN, infinities, ``%``) by its ``evaluate_numeric_expression``."""
    apply = _OPERATORS.get(op)
    if apply is None:
        return lambda msg, budget: numeric(lhs(msg, budget), rhs(msg, budget), op)

    def arithmetic(msg: Any, budget: Budget) -> Any:
        left, right = lhs(msg, budget), rhs(msg, budget)
        if type(left) in _FLOATABLE and type(right) in _FLOATABLE:
            a, b = float(left), float(right)
            if a - a == 0.0 and b - b == 0.0:  # finite: NaN and infinities are errors there
                result = apply(a, b)
                if result - result == 0.0:
                    whole = int(result)
                    return whole if whole == result else result
        return numeric(left, right, op)

    return arithmetic


_FLOATABLE = frozenset({int, float})


def _number(node: Any) -> float | None:
    """A finite number literal's value as a float, or None for any other node."""
    if getattr(node, "type", None) != "number" or _extra(node):
        return None
    value = node.value
    if type(value) not in _FLOATABLE or value - value != 0:
        return None
    return float(value)


def _constant_steps(node: Any) -> list[Any]:
    """``payload.c * 9 / 5 + 32``, a number on one side at each level: the innermost other
    operand, then ``(operator, number, on_the_left)`` inside out; else empty."""
    steps: list[Any] = []
    while getattr(node, "type", None) == "binary" and node.value in _OPERATORS:
        if _extra(node):
            return []
        right, left = _number(node.rhs), _number(node.lhs)
        if right is not None:
            steps.append((_OPERATORS[node.value], right, False))
            node = node.lhs
        elif left is not None:
            steps.append((_OPERATORS[node.value], left, True))
            node = node.rhs
        else:
            break
    if not steps:
        return []
    return [node, *reversed(steps)]


def _arithmetic_chain(operand: Closure, steps: list[Any]) -> Closure:
    """Arithmetic of one value with numbers, in floats as the evaluator computes each step
    (its whole results, made integers there and floats again by the next step, keep their
    values; a zero may lose its sign, which only a division by it shows, and that raises).
    A value or result not finite (an error there, even where a later step would make it
    finite, as ``1 / x`` of an infinite x) goes to the evaluator, with its errors."""

    def chain(msg: Any, budget: Budget) -> Any:
        value = operand(msg, budget)
        if value is None:
            return None
        if type(value) not in _FLOATABLE:
            raise Deopt
        a = float(value)
        if a - a != 0.0:
            raise Deopt
        for apply, number, on_left in steps:
            a = apply(number, a) if on_left else apply(a, number)
            if a - a != 0.0:
                raise Deopt
        whole = int(a)
        return whole if whole == a else a

    return chain


def _function(node: Any, expr: Any, called: set[str]) -> Closure:
    from jsonata.utils import Utils

    procedure = node.procedure
    args = node.arguments or []
    if getattr(procedure, "type", None) != "variable" or _extra(procedure):
        raise Unsupported("function")
    name = str(procedure.value)
    kinds = FUNCTIONS.get(name)
    if kinds is None or not 1 <= len(args) <= len(kinds):
        raise Unsupported("function")
    native = expr.environment.lookup(name)  # the built-in, called as the evaluator calls it
    if native is None:
        raise Unsupported("function")
    called.add(name)
    compiled = [_compile(arg, expr, called) for arg in args]
    allowed = kinds[: len(args)]
    method, pad = native.method, (None,) * (native.nargs - len(args))
    numeric, convert = Utils.is_numeric, Utils.convert_number

    def answer(values: list[Any], budget: Budget) -> Any:
        """What the evaluator's native call gives (``Functions._call``): the arguments padded
        with None, a numeric result made an integer when it is whole."""
        result = method(*values, *pad)
        if numeric(result):
            return convert(result)
        if type(result) is str:
            budget.exit(node, None, None, result)
        return result

    if len(compiled) == 1:
        (only,), (types,) = compiled, allowed

        def function_1(msg: Any, budget: Budget) -> Any:
            value = only(msg, budget)
            if type(value) not in types:
                raise Deopt  # undefined, null, objects: the signature decides
            return answer([value], budget)

        return function_1

    def function(msg: Any, budget: Budget) -> Any:
        values = [arg(msg, budget) for arg in compiled]
        for value, kinds_of in zip(values, allowed, strict=True):
            if type(value) not in kinds_of:
                raise Deopt
        return answer(values, budget)

    return function
