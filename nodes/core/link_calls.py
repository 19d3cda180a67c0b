"""Calls made by link-call nodes that wait for a link-out in return mode, by call id.

A link-call node records each call here with a way to cancel its timeout; the link-out node that
returns the message finds the call by the id in ``msg._linkSource`` and settles it. Call ids are
message ids, unique in the process, so several runtimes in one process do not mix.
"""

from __future__ import annotations

from collections.abc import Callable

PENDING: dict[str, Callable[[], None]] = {}
"""Call id -> settles the call (cancels its timeout)."""


def register(call_id: str, settle: Callable[[], None]) -> None:
    PENDING[call_id] = settle


def settle(call_id: str) -> bool:
    """Settle a call; False when it is unknown (timed out already, or never made)."""
    found = PENDING.pop(call_id, None)
    if found is None:
        return False
    found()
    return True


def forget(call_id: str) -> None:
    PENDING.pop(call_id, None)
