"""Failed attempts counted per key (a client address, a user name), with a lockout.

A key that fails :attr:`Throttle.max_failures` times in a row is locked for
:attr:`Throttle.lockout` seconds; each further lock of the same key doubles that, up to
:attr:`Throttle.max_lockout`. A key that has not failed for :attr:`Throttle.forget` seconds
starts again from nothing. Memory is bounded however many distinct keys an attacker sends:
at most :attr:`Throttle.max_keys` keys are counting (the least recently failed is dropped
first) and as many are locked (when full, the lock that ends first is dropped), so a flood of
new names or addresses cannot push a locked key out before thousands of others are locked.

Client addresses are keyed by :func:`client_key`: an IPv6 address by its /64 network, which
one host usually holds whole.
"""

from __future__ import annotations

import ipaddress
import math
from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass

from starlette.types import Scope

CLIENT: ContextVar[str] = ContextVar("flowrt_client", default="unknown")
"""The client key of the request being served (set by the Guard middleware)."""


class Throttled(Exception):
    """Too many failed attempts: refused for ``retry_after`` seconds (429, Retry-After)."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(f"too many failed attempts: try again in {self.retry_after} s")


@dataclass
class _Counting:
    failures: int
    locks: int
    seen: float


@dataclass
class _Locked:
    until: float
    locks: int


class Throttle:
    def __init__(self, max_failures: int = 5, lockout: float = 60.0,
                 max_lockout: float = 900.0, forget: float = 3600.0,
                 max_keys: int = 10_000) -> None:
        self.max_failures = max_failures
        self.lockout = lockout
        self.max_lockout = max_lockout
        self.forget = forget
        self.max_keys = max_keys
        self._counting: OrderedDict[str, _Counting] = OrderedDict()
        self._locked: dict[str, _Locked] = {}
        self._pending: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._counting) + len(self._locked)

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again (0: now)."""
        locked = self._locked.get(key)
        if locked is None:
            return 0.0
        if locked.until > now:
            return locked.until - now
        del self._locked[key]  # served its time: counts again from nothing, remembers its locks
        self._count(key, _Counting(0, locked.locks, now))
        return 0.0

    def begin(self, key: str, now: float) -> float:
        """Reserve an attempt of ``key`` before checking it: the seconds to wait (0: go on, and
        call :meth:`end` once it is decided). Attempts in flight count against the limit, so
        parallel guesses get no more tries than sequential ones."""
        wait = self.wait(key, now)
        if wait:
            return wait
        entry = self._counting.get(key)
        failures = entry.failures if entry is not None and now - entry.seen <= self.forget else 0
        pending = self._pending.get(key, 0)
        if failures + pending >= self.max_failures:
            return 1.0  # its last tries are being checked: their outcome decides
        self._pending[key] = pending + 1
        return 0.0

    def end(self, key: str) -> None:
        """An attempt reserved by :meth:`begin` is decided (then :meth:`fail` or :meth:`clear`)."""
        left = self._pending.pop(key, 1) - 1
        if left > 0:
            self._pending[key] = left

    def fail(self, key: str, now: float) -> float:
        """Count a failure of ``key``; the seconds it is now locked for (0: not locked)."""
        wait = self.wait(key, now)
        if wait:
            return wait
        entry = self._counting.pop(key, None)
        if entry is None or now - entry.seen > self.forget:
            entry = _Counting(0, 0, now)
        entry.failures += 1
        entry.seen = now
        if entry.failures < self.max_failures:
            self._count(key, entry)
            return 0.0
        seconds = min(self.lockout * 2.0 ** min(entry.locks, 32), self.max_lockout)
        if len(self._locked) >= self.max_keys:
            del self._locked[min(self._locked, key=lambda k: self._locked[k].until)]
        self._locked[key] = _Locked(now + seconds, entry.locks + 1)
        return seconds

    def clear(self, key: str) -> None:
        """Forget the failures of ``key`` (a success); a lock in force stays."""
        self._counting.pop(key, None)

    def _count(self, key: str, entry: _Counting) -> None:
        self._counting[key] = entry
        while len(self._counting) > self.max_keys:
            self._counting.popitem(last=False)


def client_key(scope: Scope) -> str:
    """The throttling key of a request's client: its address, an IPv6 one by its /64."""
    client = scope.get("client")
    host = str(client[0]) if client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
