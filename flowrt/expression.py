"""JSONata expressions: parsed once when the flow is loaded, evaluated with Node-RED's bindings.

Flows use JSONata where Node-RED does (typed values of type ``jsonata``, switch rules, join
reductions). :func:`compile_jsonata` parses and caches an expression, so a syntax error is a
load error; :func:`compile_expression` binds it to a node's context at start: the expression
reads the message as its input and may call ``$flowContext(key)``, ``$globalContext(key)``,
``$env(name)`` and ``$moment(...)`` as in Node-RED.

No result is :data:`flowrt.props.MISSING` (JavaScript's ``undefined``); JSON ``null`` is None.

What an expression cannot do, under any ``--scripts`` policy: reach Python (jsonata-python
looks names up in mappings and lists only, functions print as nothing, a ``$moment`` shows only
its methods), or hold the event loop. One evaluation runs at most
:data:`flowrt.deadline.EVALUATION_SECONDS` (stopped by :func:`flowrt.deadline.within`). No text
made by a function or ``&`` may pass :data:`TEXT_LIMIT` characters, nor all of them together
:data:`MADE_LIMIT`, nor a list made by a range or a function :data:`LIST_LIMIT` items (``$pad``
and ``$join`` are checked before they build, a range as soon as it is made). Recursion stops at
Python's recursion limit. Regular expressions (``/.../`` in ``$match``, ``$replace``,
``$split``, ``$contains``) run with a time bound (:mod:`flowrt.bounded_regex`). Each limit
fails the message with an error naming the expression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from pydantic import AfterValidator, Field

from flowrt.bounded_regex import BoundedRegex, compile_regex
from flowrt.deadline import EVALUATION_SECONDS, within
from flowrt.errors import NodeError
from flowrt.jsonata_moment import moment_function, plain_result
from flowrt.props import MISSING, get_path, parse_path

TEXT_LIMIT = 10_000_000
"""The most characters of one text an expression may make."""

LIST_LIMIT = 1_000_000
"""The most items of one list an expression may make (a range, ``$append``...)."""

REGEX_SECONDS = EVALUATION_SECONDS / 2
"""How long one match of a regular expression in an expression may run: less than the whole
evaluation, so that a runaway pattern is reported as such, naming the pattern."""

MADE_LIMIT = 50_000_000
"""The most characters all the texts made by the functions and ``&`` of one evaluation may
have together (a loop building many large texts)."""

if TYPE_CHECKING:
    from flowrt.api import NodeContext, Store


@lru_cache(maxsize=1024)
def compile_jsonata(expression: str) -> Any:
    """Parse a JSONata expression once (cached); raise ValueError on a syntax error.

    jsonata-python is imported here, on the first expression, not when flowrt is imported."""
    import jsonata  # type: ignore[import-untyped]

    try:
        expr = jsonata.Jsonata(expression, _regex_engine)
    except (jsonata.JException, ValueError) as exc:
        raise ValueError(f"invalid JSONata expression {expression!r}: {exc}") from None
    expr.set_output_convert_nulls(False)
    return expr


def _check_jsonata(text: str) -> str:
    compile_jsonata(text)
    return text


JsonataExpression: TypeAlias = Annotated[
    str,
    AfterValidator(_check_jsonata),
    Field(min_length=1, json_schema_extra={"x-format": "code:jsonata"}),
]
"""A config field holding a JSONata expression, parsed when the flow is loaded."""

ExpressionEvaluator: TypeAlias = Callable[[Any, Mapping[str, Any] | None], Any]
"""A compiled JSONata expression: ``run(input, variables)``; ``variables`` (or None) are bound
as ``$name`` for that evaluation only."""


def compile_expression(expression: str, ctx: NodeContext) -> ExpressionEvaluator:
    """A JSONata expression as a function of its input (usually the message) and extra
    variables, with Node-RED's context functions bound to the node. A failure at run time
    raises :class:`NodeError` naming the expression."""
    expr = compile_jsonata(expression)
    base = jsonata_bindings(ctx)
    what = f"the JSONata expression {_shown(expression)}"

    def run(data: Any, variables: Mapping[str, Any] | None) -> Any:
        bindings = {**base, **variables} if variables else dict(base)
        bindings["__evaluate_exit"] = _Budget(expression).exit
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


def _shown(expression: str) -> str:
    return repr(expression if len(expression) <= 80 else expression[:77] + "...")


class _Budget:
    """Checks the result of each step of one evaluation against the size limits."""

    __slots__ = ("expression", "made")

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.made = 0

    def exit(self, exp: Any, input: Any, env: Any, result: Any) -> None:
        if exp.type not in _MAKERS:
            return
        if type(result) is str:
            size = len(result)
            if size > TEXT_LIMIT:
                self._refuse(f"a text of {size:,} characters", TEXT_LIMIT)
            self.made += size
            if self.made > MADE_LIMIT:
                self._refuse(f"texts of {self.made:,} characters in all", MADE_LIMIT)
        elif isinstance(result, list) and len(result) > LIST_LIMIT:
            self._refuse(f"a list of {len(result):,} items", LIST_LIMIT)

    def _refuse(self, what: str, limit: int) -> None:
        raise NodeError(
            f"the JSONata expression {_shown(self.expression)} made {what}, more than the "
            f"limit of {limit:,}, and was stopped"
        )


_MAKERS = frozenset({"function", "partial", "binary", "apply"})
"""The steps whose texts are new (a call, ``&``), not read from the input."""


def _regex_engine(pattern: str, flags: Any) -> BoundedRegex:
    """JSONata's ``/pattern/flags`` literals, compiled with a time bound."""
    return compile_regex(pattern, ignore_case=flags.case_insensitive, multiline=flags.multiline,
                         seconds=REGEX_SECONDS)


def _bounded_pad(text: Any, width: Any = None, char: Any = None) -> Any:
    from jsonata.functions import Functions  # type: ignore[import-untyped]

    if isinstance(width, int | float) and abs(width) > TEXT_LIMIT:
        raise NodeError(f"$pad to {width:,.0f} characters is more than the limit of "
                        f"{TEXT_LIMIT:,} of an expression")
    return Functions.pad(text, width, char)


def _bounded_join(texts: Any, separator: Any = None) -> Any:
    from jsonata.functions import Functions

    if isinstance(texts, list):
        glue = len(separator) if isinstance(separator, str) else 0
        size = sum(len(t) for t in texts if isinstance(t, str)) + glue * len(texts)
        if size > TEXT_LIMIT:
            raise NodeError(f"$join would make {size:,} characters, more than the limit of "
                            f"{TEXT_LIMIT:,} of an expression")
    return Functions.join(texts, separator)


def jsonata_bindings(ctx: NodeContext) -> dict[str, Any]:
    """``$flowContext``, ``$globalContext``, ``$env`` and ``$moment`` (see
    :mod:`flowrt.jsonata_moment`), bound to a node's context."""
    import jsonata

    lam, native = jsonata.Jsonata.JLambda, jsonata.Jsonata.JFunction
    return {
        "flowContext": lam(lambda key, store=None: _read(ctx.flow, key)),
        "globalContext": lam(lambda key, store=None: _read(ctx.global_, key)),
        "env": lam(lambda name: ctx.env.get(name)),
        "moment": lam(moment_function(ctx.now)),
        "pad": native(lam(_bounded_pad), "<s-ns?:s>"),
        "join": native(lam(_bounded_join), "<a<s>s?:s>"),
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
