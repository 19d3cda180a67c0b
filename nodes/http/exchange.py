"""A request waiting for its answer, and how a message finds it again.

An http-in message carries ``res: {"_res": "<id>"}``: a plain, JSON-able dict holding the id of
an :class:`Exchange` in this module's table. Fan-out clones messages (``flowrt.api.clone`` copies
dicts), change nodes may copy ``res`` elsewhere, a link call may carry it through another flow:
every copy still holds the same id, so every copy reaches the same request. The first
http-response to answer wins; a later answer finds the exchange already answered and is
dropped with a warning naming the node that answered first.

The table is process-wide (ids are random, so several runtimes in one process never collide).
An exchange leaves it once it is answered (by http-response, the timeout or an error) *and* the
flow finished with its message (the http-in node's ack), or when its http-in node stops. Until
then a second answer is recognised as one; after that a stale ``res`` is "no longer waiting".
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from flowrt.api import Message


class Exchange:
    """One request of an http-in node, from arrival until it is answered and finished."""

    def __init__(self, node_id: str) -> None:
        self.id = secrets.token_hex(12)
        self.node_id = node_id
        self.msgid = ""
        self.future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.answered_by = ""
        """Who answered: an http-response node id, or a phrase (``the timeout``)."""
        self.flow_done = False
        """The flow finished with the message (its branches all ended)."""

    def answer(self, response: Any, by: str) -> bool:
        """Answer the request with a Starlette response; False (and nothing sent) if it was
        answered already."""
        if self.future.done():
            return False
        self.answered_by = by
        self.future.set_result(response)
        self._settle()
        return True

    def finish(self) -> None:
        """The flow is done with the message (acked or nacked)."""
        self.flow_done = True
        self._settle()

    def _settle(self) -> None:
        if self.flow_done and self.future.done():
            _OPEN.pop(self.id, None)

    def handle(self) -> Message:
        """The ``res`` value of the request's message."""
        return {"_res": self.id}


_OPEN: dict[str, Exchange] = {}


def open_exchange(node_id: str) -> Exchange:
    exchange = Exchange(node_id)
    _OPEN[exchange.id] = exchange
    return exchange


def drop(exchange: Exchange) -> None:
    _OPEN.pop(exchange.id, None)


def exchanges_of(node_id: str) -> list[Exchange]:
    return [e for e in _OPEN.values() if e.node_id == node_id]


def find(res: Any) -> Exchange | None:
    """The exchange a message's ``res`` names, if it is still open."""
    key = res.get("_res") if isinstance(res, dict) else None
    return _OPEN.get(key) if isinstance(key, str) else None
