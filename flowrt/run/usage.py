"""Requests counted per endpoint, client and outcome, for ``/metrics``.

``flowrt_http_requests_total{endpoint="POST /readings",key="sensor-7",outcome="ok"}``:
``endpoint`` is the method and path an http-in serves (``WS /path`` for a WebSocket handshake,
``WS /path frame`` for its frames), ``key`` the name of the key, token or user that was admitted,
or of a known key refused (a revoked or expired one, or one without the endpoint's scopes;
empty when no credential was given or it matched none), and ``outcome`` one of
:data:`OUTCOMES`. Only endpoints with an ``auth``, ``rate``, ``quota`` or ``cors`` setting are
counted. Names come from the keys file and the flows, never from what a client sends, so the
number of series is bounded. :func:`last_seen` keeps when each (endpoint, key) was last
counted, for the editor's view of an endpoint's keys (``GET /api/endpoints``).
"""

from __future__ import annotations

import threading
import time
from collections import Counter

OUTCOMES = ("ok", "unauthorized", "forbidden", "rate_limited", "quota_exceeded",
            "origin_refused", "preflight")
_COUNTS: Counter[tuple[str, str, str]] = Counter()
_LAST: dict[tuple[str, str], float] = {}
_LOCK = threading.Lock()


def count(endpoint: str, key: str, outcome: str) -> None:
    with _LOCK:
        _COUNTS[(endpoint, key, outcome)] += 1
        _LAST[(endpoint, key)] = time.time()


def last_seen() -> dict[tuple[str, str], float]:
    """(endpoint, key) -> when it was last counted (seconds since the epoch)."""
    with _LOCK:
        return dict(_LAST)


def counts() -> dict[tuple[str, str, str], int]:
    """(endpoint, key, outcome) -> requests, since the process started."""
    with _LOCK:
        return dict(_COUNTS)


def render() -> str:
    """The counts in Prometheus' text format (just the HELP and TYPE lines when none)."""
    lines = [
        "# HELP flowrt_http_requests_total Requests to flow endpoints with access settings, by "
        "endpoint, key (or user) and outcome.",
        "# TYPE flowrt_http_requests_total counter",
    ]
    for (endpoint, key, outcome), n in sorted(counts().items()):
        lines.append(f'flowrt_http_requests_total{{endpoint="{_escape(endpoint)}",'
                     f'key="{_escape(key)}",outcome="{outcome}"}} {n}')
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
