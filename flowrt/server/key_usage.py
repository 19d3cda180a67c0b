"""What the editor shows of the flows' endpoints and the API keys: who each endpoint takes and
how much each client used it, from the counters ``/metrics`` shows (:mod:`flowrt.run.usage`)
and the endpoints' own rate and quota counts (:class:`~flowrt.run.access.Gate`).

:func:`endpoint_views` answers ``GET /api/endpoints``: each endpoint with access settings (an
http-in's ``METHOD /path``, a websocket-listener's ``WS /path``), its ``auth``, ``scopes`` and
limits, and a row per client: each key of the keys file whose scopes cover the endpoint's
(``auth: key``), each token (``bearer``) or user (``basic``) the flow names, and any other name
the counters hold for it (a key forgotten since, or no longer accepted). :func:`key_views`
answers ``GET /api/keys``: each key with its scopes, state and dates, the endpoints that accept
it, and its use over all of them.

A row is built field by field from what is shown: never a key, its hash, a token or a
password hash (``tests/server/test_keys_api.py`` looks for them in every answer). The counts
are the process's since it started (a restart forgets them; each worker of a group counts its
own), as ``/metrics``'s are. For a WebSocket, requests are its handshakes and frames.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from flowrt.run.access import Gate
from flowrt.run.limits import DAY
from flowrt.secrets.keys import KeyRecord

Counts = Mapping[tuple[str, str, str], int]
Seen = Mapping[tuple[str, str], float]
REFUSALS = ("unauthorized", "forbidden", "rate_limited", "quota_exceeded", "origin_refused")
KINDS = {"key": "key", "bearer": "token", "basic": "user"}


def when(moment: datetime | float | None) -> str | None:
    """A moment as ``2026-12-07T05:00:00Z`` (None stays None)."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def accepts(gate: Gate, record: KeyRecord) -> bool:
    """Whether the endpoint takes the key when it is active: ``auth: key`` and every scope
    the endpoint asks for is among the key's."""
    return gate.auth == "key" and all(s in record.scopes for s in gate.scopes)


def _labels(gate: Gate) -> tuple[str, ...]:
    """The counters' endpoint labels of a gate (a WebSocket's frames are counted apart)."""
    return (gate.endpoint, f"{gate.endpoint} frame") if gate.endpoint.startswith("WS ") \
        else (gate.endpoint,)


def by_client(counts: Counts) -> dict[tuple[str, str], dict[str, int]]:
    """The counters grouped by (endpoint, key): outcome -> requests."""
    grouped: dict[tuple[str, str], dict[str, int]] = {}
    for (endpoint, key, outcome), n in counts.items():
        outcomes = grouped.setdefault((endpoint, key), {})
        outcomes[outcome] = outcomes.get(outcome, 0) + n
    return grouped


Grouped = Mapping[tuple[str, str], Mapping[str, int]]


def usage(labels: Iterable[str], name: str, grouped: Grouped, seen: Seen) -> dict[str, Any]:
    """What the client ``name`` ("" for requests with no known credential) did on the
    endpoints with these counter labels: requests, and how many of them ended how."""
    out: dict[str, Any] = {"requests": 0, "ok": 0, **{r: 0 for r in REFUSALS}}
    last = None
    for label in labels:
        for outcome, n in grouped.get((label, name), {}).items():
            if outcome != "preflight":
                out["requests"] += n
                out[outcome] = out.get(outcome, 0) + n
        moment = seen.get((label, name))
        if moment is not None and (last is None or moment > last):
            last = moment
    out["last_seen"] = when(last)
    return out


def quota_used(gate: Gate, name: str) -> int | None:
    """Requests ``name`` made today (UTC) against the endpoint's quota (None: no quota)."""
    if gate.limits.quota is None:
        return None
    bucket = gate.limits.clients.get(name)
    today = int(gate.limits.wall() // DAY)
    return bucket.used if bucket is not None and bucket.day == today else 0


def _key_row(record: KeyRecord, now: datetime) -> dict[str, Any]:
    return {"name": record.name, "kind": "key", "scopes": list(record.scopes),
            "state": record.state(now), "created": when(record.created),
            "expires": when(record.expires), "revoked": when(record.revoked),
            "last_used": when(record.last_used)}


def endpoint_views(gates: Iterable[Gate], keys: Mapping[str, KeyRecord] | None,
                   counts: Counts, seen: Seen, now: float | None = None) -> list[dict[str, Any]]:
    """The endpoints with access settings, each with its clients' use (see the module)."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    gates = list(gates)
    served = {label for g in gates for label in _labels(g)}
    grouped = by_client({k: n for k, n in counts.items() if k[0] in served})
    views = []
    for gate in sorted(gates, key=lambda g: (g.node_id, g.endpoint)):
        labels = _labels(gate)
        rows: dict[str, dict[str, Any]] = {}
        if gate.auth == "key":
            for record in sorted((keys or {}).values(), key=lambda r: r.name):
                if accepts(gate, record):
                    rows[record.name] = {**_key_row(record, moment), "accepted": True}
        names = gate.tokens if gate.auth == "bearer" else gate.users if gate.auth == "basic" \
            else {}
        for name in sorted(names):
            rows[name] = {"name": name, "kind": KINDS[gate.auth], "accepted": True}
        for endpoint, name in sorted(grouped):  # counted, not (or no longer) accepted
            if endpoint in labels and name and name not in rows:
                known = (keys or {}).get(name) if gate.auth == "key" else None
                shown: dict[str, Any] = _key_row(known, moment) if known is not None else \
                    {"name": name, "kind": KINDS.get(gate.auth, "key")}
                rows[name] = {**shown, "accepted": False}
        for name, row in rows.items():
            row["usage"] = {**usage(labels, name, grouped, seen),
                            "quota_used": quota_used(gate, name)}
        views.append({
            "node": gate.node_id, "endpoint": gate.endpoint,
            "kind": "websocket-listener" if gate.endpoint.startswith("WS ") else "http-in",
            "auth": gate.auth, "scopes": list(gate.scopes), "rate": gate.limits.rate,
            "burst": int(gate.limits.burst) if gate.limits.rate is not None else None,
            "quota": gate.limits.quota, "clients": list(rows.values()),
            "anonymous": usage(labels, "", grouped, seen)})
    return views


def key_views(keys: Mapping[str, KeyRecord], gates: Iterable[Gate], counts: Counts,
              seen: Seen, now: float | None = None) -> list[dict[str, Any]]:
    """Each key with the endpoints that accept it and its use over all of them."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    keyed = sorted((g for g in gates if g.auth == "key"), key=lambda g: (g.node_id, g.endpoint))
    labels = [label for g in keyed for label in _labels(g)]
    grouped = by_client(counts)
    views = []
    for record in sorted(keys.values(), key=lambda r: r.name):
        views.append({
            **_key_row(record, moment),
            "endpoints": [{"node": g.node_id, "endpoint": g.endpoint}
                          for g in keyed if accepts(g, record)],
            "usage": usage(labels, record.name, grouped, seen)})
    return views
