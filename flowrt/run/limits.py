"""Rate limits and daily quotas of an endpoint, per client.

:class:`Limits` keeps, for each client of one endpoint (a key's or user's name; the address of
an anonymous client), a token bucket (``rate`` tokens a second, at most ``burst`` saved up)
and a count of the requests of the current UTC day against ``quota``. :meth:`Limits.take`
says whether one more request may go through, or how many seconds to wait (``Retry-After``).

The counts live in the process: a restart forgets them, and each worker of ``flowrt run
--workers`` (or of a group) counts its own, so with N workers a client gets up to N times the
limits. Put the limit in front (a load balancer) when it must hold across workers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 10_000
"""Clients remembered per endpoint; past that, idle ones (bucket full) are forgotten, so
anonymous clients from many addresses cannot fill the memory."""
DAY = 86_400


@dataclass
class Bucket:
    tokens: float
    at: float
    day: int = -1
    used: int = 0


@dataclass(frozen=True)
class Limited:
    """A request over a limit: which one (``rate`` or ``quota``) and the seconds to wait."""

    reason: str
    retry_after: int


class Limits:
    """Token buckets and daily counts of one endpoint's clients (see the module)."""

    def __init__(self, rate: float | None, burst: int | None, quota: int | None,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, math.ceil(rate or 1)))
        self.quota = quota
        self.clock = clock
        self.wall = wall
        self.clients: dict[str, Bucket] = {}

    @property
    def active(self) -> bool:
        return self.rate is not None or self.quota is not None

    def take(self, client: str) -> Limited | None:
        """Count one request of ``client``; a :class:`Limited` when it is over a limit (then
        nothing is counted)."""
        now = self.clock()
        bucket = self.clients.get(client)
        if bucket is None:
            if len(self.clients) >= MAX_CLIENTS:
                self._forget_idle(now)
            bucket = self.clients[client] = Bucket(self.burst, now)
        if self.rate is not None:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens < 1:
                return Limited("rate", max(1, math.ceil((1 - bucket.tokens) / self.rate)))
        if self.quota is not None:
            wall = self.wall()
            day = int(wall // DAY)
            if day != bucket.day:
                bucket.day, bucket.used = day, 0
            if bucket.used >= self.quota:
                return Limited("quota", max(1, math.ceil((day + 1) * DAY - wall)))
            bucket.used += 1
        if self.rate is not None:
            bucket.tokens -= 1
        return None

    def _forget_idle(self, now: float) -> None:
        rate = self.rate or 0.0
        for name in [n for n, b in self.clients.items()
                     if b.tokens + (now - b.at) * rate >= self.burst and self.quota is None]:
            del self.clients[name]
        if len(self.clients) >= MAX_CLIENTS:  # all busy: the oldest goes
            del self.clients[min(self.clients, key=lambda n: self.clients[n].at)]
