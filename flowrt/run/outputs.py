"""How a node's Output leaves on its ports: which message goes to which port, and which of
them are lent and which given (the copy rule of :mod:`flowrt.run.dispatch`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowrt.run.delivery import Delivery
from flowrt.run.ports import Input
from flowrt.types import Message, Output

Emit = Callable[[Output, Delivery], None]


def emitter(gives: tuple[Input, ...], lends: tuple[Input, ...], fresh: bool,
            stats: list[int]) -> Emit:
    """Routes an Output: one message goes out as ``gives`` would send it; of several, each is
    lent but the last (or, with ``fresh``, each object's last sending). Each message sent on a
    wire counts in ``stats[1]``, the node's messages out."""
    count = len(gives)
    if count == 0:
        return _nothing
    first = gives[0]

    def emit(output: Output, d: Delivery) -> None:
        if type(output) is dict:
            stats[1] += 1
            first(output, d)
            return
        if not fresh and type(output) is list:
            # one message per port or None (a switch's output): sent as they are met, each
            # lent once a later one is found, without making the (port, message) pairs
            held: Message | None = None
            at = 0
            for port, item in enumerate(output):
                if item is None or port >= count:
                    continue
                if type(item) is not dict:
                    _rest(output, port, held, at, (gives, lends), stats, d)
                    return
                if held is not None:
                    lends[at](held, d)
                stats[1] += 1
                held, at = item, port
            if held is not None:
                gives[at](held, d)
            return
        pairs = spread(output, count)
        if not pairs:
            return
        stats[1] += len(pairs)
        if fresh:
            final = {id(msg): i for i, (_, msg) in enumerate(pairs)}
            for i, (port, msg) in enumerate(pairs):
                (gives if final[id(msg)] == i else lends)[port](msg, d)
            return
        *early, (port, msg) = pairs
        for p, m in early:
            lends[p](m, d)
        gives[port](msg, d)

    emit.one = (first, stats)  # type: ignore[attr-defined]
    return emit


def one_of(emit: Emit) -> tuple[Input, list[int]] | None:
    """What ``emit`` does with one message (a dict), when it was made by :func:`emitter`:
    (the input of port 0's target, the counts it adds the message to, at ``[1]``); None for
    any other emit (one that taps, traces, or sends nowhere), which must be called."""
    return getattr(emit, "one", None)


def _rest(output: list[Any], start: int, held: Message | None, at: int,
          ports: tuple[tuple[Input, ...], tuple[Input, ...]], stats: list[int],
          d: Delivery) -> None:
    """The rest of :func:`_emitter`'s list path, from the first port whose entry is not one
    message (a list of them, or something that is no message): ``held``, the message found
    before it on port ``at``, and the messages of ``output[start:]`` are sent as ``spread``
    pairs are, every one lent but the last."""
    gives, lends = ports
    pairs = [(start + p, m) for p, m in spread(output[start:], len(gives) - start)]
    if held is not None:
        pairs.insert(0, (at, held))
        stats[1] -= 1  # counted already
    if not pairs:
        return
    stats[1] += len(pairs)
    *early, (port, msg) = pairs
    for p, m in early:
        lends[p](m, d)
    gives[port](msg, d)


def _nothing(output: Output, d: Delivery) -> None:
    return None


def spread(output: Output, count: int) -> list[tuple[int, Message]]:
    """(port, message) pairs of an Output, with Node-RED's meaning of lists."""
    if output is None:
        return []
    if isinstance(output, dict):
        return [(0, output)]
    pairs: list[tuple[int, Message]] = []
    for port, item in enumerate(output):
        if port >= count or item is None:
            continue
        if isinstance(item, list):
            pairs.extend((port, m) for m in item if isinstance(m, dict))
        elif isinstance(item, dict):
            pairs.append((port, item))
    return pairs
