"""JSONata expressions: parsed once when the flow is loaded, evaluated with Node-RED's bindings.

Flows use JSONata where Node-RED does (typed values of type ``jsonata``, switch rules, join
reductions). :func:`compile_jsonata` parses and caches an expression, so a syntax error is a
load error; :func:`compile_expression` binds it to a node's context at start: the expression
reads the message as its input (or, as in Node-RED, ``{msg: message}`` when its text
names ``msg``: see :func:`uses_legacy_msg`) and may call ``$flowContext(key)``,
``$globalContext(key)``, ``$env(name)`` and ``$moment(...)`` as in Node-RED.

No result is :data:`flowrt.expressions.props.MISSING` (JavaScript's ``undefined``); JSON ``null``
is None.

What an expression cannot do, under any ``--scripts`` policy: reach Python (jsonata-python
looks names up in mappings and lists only, functions print as nothing, a ``$moment`` shows only
its methods), or hold the event loop. One evaluation runs at most
:data:`flowrt.expressions.deadline.EVALUATION_SECONDS` (stopped by
:func:`flowrt.expressions.deadline.within`); the
texts and lists it makes, its date pictures and its regular expressions are bounded too (see
:mod:`flowrt.expressions.jsonata_limits`). Recursion stops at Python's recursion limit. Each limit
fails
the message with an error naming the expression.

The common small forms (a path, arithmetic, a concatenation, a comparison) run as Python
closures made from the same syntax tree (:mod:`flowrt.expressions.jsonata_fastpath`), with the same
results; a message such a closure cannot answer exactly goes to jsonata-python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import AfterValidator, Field

from flowrt.errors import NodeError
from flowrt.expressions.deadline import EVALUATION_SECONDS, within
from flowrt.expressions.jsonata_fastpath import compile_fast, plain
from flowrt.expressions.jsonata_limits import Budget, bounded_functions, shown
from flowrt.expressions.jsonata_moment import moment_function, plain_result
from flowrt.expressions.jsonata_regex import regex_engine, regex_functions
from flowrt.expressions.props import MISSING, get_path, parse_path

if TYPE_CHECKING:
    from flowrt.protocols import NodeContext, Store

@lru_cache(maxsize=1024)
def compile_jsonata(expression: str) -> Any:
    """Parse a JSONata expression once (cached); raise ValueError on a syntax error.

    jsonata-python is imported here, on the first expression, not when flowrt is imported."""
    import jsonata  # type: ignore[import-untyped]

    try:
        expr = jsonata.Jsonata(expression, regex_engine)
    except (jsonata.JException, ValueError) as exc:
        raise ValueError(f"invalid JSONata expression {expression!r}: {exc}") from None
    except Exception:  # jsonata-python's parser fails on some texts with Python errors
        raise ValueError(f"invalid JSONata expression {expression!r}: it ends where more is "
                         "needed (an unclosed /regular expression/ or /* comment?)") from None
    expr.set_output_convert_nulls(False)
    return expr


_LEGACY_MSG = re.compile(r"""(^|[^a-zA-Z0-9_'".])msg([^a-zA-Z0-9_'"]|\Z)""")


def uses_legacy_msg(expression: str) -> bool:
    """Whether Node-RED evaluates ``expression`` in its legacy mode, against ``{msg: input}``
    rather than the input itself: when ``msg`` stands in its text as a word (Node-RED's own
    test, ``RED.util.prepareJSONataExpression``, applied to the whole text, string literals
    included)."""
    return _LEGACY_MSG.search(expression) is not None


def _check_jsonata(text: str) -> str:
    compile_jsonata(text)
    return text


JsonataExpression: TypeAlias = Annotated[
    str,
    AfterValidator(_check_jsonata),
    Field(min_length=1, json_schema_extra={"x-format": "code:jsonata"}),
]
"""A config field holding a JSONata expression, parsed when the flow is loaded."""

_SCALARS = frozenset({str, int, float, bool})

ExpressionEvaluator: TypeAlias = Callable[[Any, Mapping[str, Any] | None], Any]
"""A compiled JSONata expression: ``run(input, variables)``; ``variables`` (or None) are bound
as ``$name`` for that evaluation only."""


def compile_expression(expression: str, ctx: NodeContext) -> ExpressionEvaluator:
    """A JSONata expression as a function of its input (usually the message) and extra
    variables, with Node-RED's context functions bound to the node. A failure at run time
    raises :class:`NodeError` naming the expression."""
    expr = compile_jsonata(expression)
    legacy = uses_legacy_msg(expression)
    base = jsonata_bindings(ctx)
    what = f"the JSONata expression {shown(expression)}"
    fast = compile_fast(expr)
    if fast is not None and not fast.functions.isdisjoint(base):
        fast = None  # a function of ours bound over a built-in one: the evaluator calls it
    fast_run = fast.run if fast is not None else None
    fast_names = fast.functions if fast is not None else frozenset()

    def run(data: Any, variables: Mapping[str, Any] | None) -> Any:
        if legacy:
            data = {"msg": data}
        if (fast_run is not None and type(data) is dict
                and (not variables or fast_names.isdisjoint(variables))):
            try:
                if plain(data):
                    result = fast_run(data, Budget(expression))
                    if type(result) in _SCALARS:  # what jsonata_result gives them unchanged
                        return result
                    return jsonata_result(result)
            except Exception:  # the evaluator below gives the answer, or raises its error
                pass
        bindings = {**base, **variables} if variables else dict(base)
        bindings["__evaluate_exit"] = Budget(expression).exit
        bindings["__evaluate_entry"] = None  # found at once: no walk up the frames per step
        try:
            return jsonata_result(within(
                EVALUATION_SECONDS, what, lambda: expr.evaluate(data, bindings)))
        except NodeError:
            raise
        except RecursionError:
            raise NodeError(f"{what} went deeper than the recursion limit") from None
        except Exception as exc:  # jsonata-python raises JException and Python errors alike
            inner = _node_error_in(exc)
            if inner is not None:  # a limit hit inside $eval, which wraps it
                raise inner from None
            limit = " (the size limit of a range)" if getattr(exc, "error", "") == "D2014" else ""
            raise NodeError(f"JSONata expression {expression!r} failed: {exc}{limit}") from exc

    return run


def _node_error_in(exc: BaseException) -> NodeError | None:
    """A NodeError (a limit hit) that ``exc`` was raised while handling, if any."""
    seen = exc.__context__
    while seen is not None:
        if isinstance(seen, NodeError):
            return seen
        seen = seen.__context__
    return None


def jsonata_bindings(ctx: NodeContext) -> dict[str, Any]:
    """``$flowContext``, ``$globalContext``, ``$env`` and ``$moment`` (see
    :mod:`flowrt.expressions.jsonata_moment`), bound to a node's context; the built-in
    functions that could build a huge text in one call, checked first (see
    :mod:`flowrt.expressions.jsonata_limits`); and ``$replace`` as JSONata runs it (see
    :mod:`flowrt.expressions.jsonata_regex`)."""
    import jsonata

    lam = jsonata.Jsonata.JLambda
    return {
        "flowContext": lam(lambda key, store=None: _read(ctx.flow, key)),
        "globalContext": lam(lambda key, store=None: _read(ctx.global_, key)),
        "env": lam(lambda name: ctx.env.get(name)),
        "moment": lam(moment_function(ctx.now)),
        **bounded_functions(),
        **regex_functions(),
    }


def _read(store: Store, key: str) -> Any:
    keys = parse_path(key)
    value = store.get(str(keys[0]), MISSING)
    if len(keys) > 1:
        value = get_path(value, keys[1:])
    return None if value is MISSING else value


def jsonata_result(result: Any) -> Any:
    """A JSONata result as a message value: no result is MISSING, JSON null is None."""
    if result is None:
        return MISSING
    return plain_result(result)
