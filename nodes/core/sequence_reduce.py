"""Folding a complete message sequence into one value with JSONata, as join's reduce mode does."""

from __future__ import annotations

from typing import Any

from flowrt.api import MISSING, ExpressionEvaluator, Message


def reduce_sequence(
    messages: list[Message],
    *,
    expression: ExpressionEvaluator,
    initial: Any,
    fixup: ExpressionEvaluator | None,
    right: bool,
) -> Any:
    """Evaluate ``expression`` over each message in ``parts.index`` order (last to first when
    ``right``) with ``$A`` the value so far, ``$I`` the index and ``$N`` the number of
    messages; then ``fixup`` over ``$A`` and ``$N``. A failing expression raises NodeError."""
    count = len(messages)
    accumulated = initial
    for msg in sorted(messages, key=_index, reverse=right):
        variables = {"A": _bindable(accumulated), "I": _index(msg), "N": count}
        accumulated = expression(msg, variables)
    if fixup is not None:
        accumulated = fixup({}, {"A": _bindable(accumulated), "N": count})
    return None if accumulated is MISSING else accumulated


def _bindable(value: Any) -> Any:
    return None if value is MISSING else value


def _index(msg: Message) -> Any:
    index = msg["parts"].get("index")
    return index if isinstance(index, int | float) and not isinstance(index, bool) else 0
