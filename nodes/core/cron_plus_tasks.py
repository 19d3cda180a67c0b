"""A cron-plus schedule while it runs, and how cron-plus shows one in messages.

A schedule is held in cron-plus's own terms (``payloadType``, ``expressionType``, ``solarEvents``)
because that is what its messages carry (``msg.cronplus.config``, the answers to ``list`` and
``export``) and what ``add`` commands send; the node's configuration (snake_case) is turned
into that form once, at the start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from flowrt.api import Evaluator, Timer, TypedValue

from .cron_plus_times import (
    SOLAR_EVENTS,
    Next,
    cron_times,
    date_times,
    parse_dates,
    parse_location,
    solar_times,
)


@dataclass
class Task:
    """One schedule: its cron-plus option, its payload, when it fires and how often it did."""

    option: dict[str, Any]
    """cron-plus's option: name, topic, payloadType, payload, expressionType, expression or
    location/offset/solarType/solarEvents, limit."""
    payload: Evaluator | None
    """The payload's evaluator; None for cron-plus's ``default`` (the schedule's details)."""
    next: Next
    index: int
    dynamic: bool = False
    modified: bool = False
    count: int = 0
    running: bool = False
    timer: Timer | None = None
    at: float | None = None
    event: str = ""

    @property
    def name(self) -> str:
        return str(self.option["name"])

    @property
    def limit(self) -> int:
        limit = self.option.get("limit")
        return limit if isinstance(limit, int) and not isinstance(limit, bool) else 0

    @property
    def finished(self) -> bool:
        return bool(self.limit) and self.count >= self.limit

    def matches(self, filter_: str | None) -> bool:
        """cron-plus's command suffixes: ``-all``, ``-active``, ``-inactive-dynamic``..."""
        if not filter_:
            return True
        active = self.running and not self.finished
        checks = {"active": active, "inactive": not active, "dynamic": self.dynamic,
                  "static": not self.dynamic}
        return all(checks[part] for part in filter_.split("-"))


def typed_pair(value: Any) -> tuple[Any, str]:
    """A flowrt value as cron-plus's (payload, payloadType); (``""``, ``default``) for none."""
    if value is None:
        return "", "default"
    if isinstance(value, TypedValue):
        if value.type in ("json", "bin") and not isinstance(value.value, str):
            return json.dumps(value.value), value.type
        return value.value if value.value is not None else "", value.type
    if isinstance(value, bool):
        return ("true" if value else "false"), "bool"
    if isinstance(value, int | float):
        return str(value), "num"
    if isinstance(value, str):
        return value, "str"
    return json.dumps(value), "json"


def next_of(option: dict[str, Any], zone: tzinfo, location: str | None) -> Next:
    """When the schedule an option describes fires; ValueError with the reason."""
    kind = option.get("expressionType") or "cron"
    if kind == "cron":
        return cron_times(str(option.get("expression") or ""), zone)
    if kind == "dates":
        return date_times(parse_dates(option.get("expression") or [], zone))
    if kind != "solar":
        raise ValueError(f"expressionType {kind!r} is not cron, dates nor solar")
    where = location or option.get("location") or ""
    if not where:
        raise ValueError(f"schedule {option['name']!r}: a solar schedule needs a location")
    events = option.get("solarEvents") or "sunrise,sunset"
    names = list(SOLAR_EVENTS) if option.get("solarType") == "all" else (
        events.split(",") if isinstance(events, str) else list(events))
    names = [n.strip() for n in names]
    unknown = [n for n in names if n not in SOLAR_EVENTS]
    if unknown or not names:
        raise ValueError(f"schedule {option['name']!r}: solar events {unknown or names!r} are "
                         f"not among {', '.join(SOLAR_EVENTS)}")
    offset = option.get("offset") or 0
    return solar_times(names, parse_location(str(where)), float(offset))


def export_task(task: Task, with_status: bool) -> dict[str, Any]:
    """cron-plus's exportTask: the schedule as ``export`` answers and ``msg.cronplus.config``."""
    o = task.option
    out: dict[str, Any] = {
        "topic": o.get("topic") or task.name, "name": task.name, "index": task.index,
        "payloadType": o.get("payloadType"), "payload": o.get("payload"),
        "limit": task.limit or None, "expressionType": o.get("expressionType"),
    }
    if o.get("expressionType") == "solar":
        out |= {k: o.get(k) for k in ("solarType", "solarEvents", "location", "offset")}
    else:
        out["expression"] = o.get("expression")
    if with_status:
        out |= {"isDynamic": task.dynamic, "modified": task.modified,
                "isRunning": task.running, "count": task.count}
    return out


def task_status(task: Task, now: float, zone: tzinfo) -> dict[str, Any]:
    """cron-plus's getTaskStatus, but ``description`` is the expression (cron-plus writes it
    in English with cronstrue) and ``nextDateTZ`` is in English (cron-plus: the locale's)."""
    running = not task.finished
    nxt = task.at if running and task.running else None
    if running and nxt is None:
        found = task.next(now)
        nxt = found[0] if found else None
    zone_name = str(zone) if zone is not UTC else "UTC"
    status: dict[str, Any] = {
        "type": "dynamic" if task.dynamic else "static", "modified": task.modified,
        "isRunning": running and task.running, "count": task.count, "limit": task.limit,
        "nextDescription": _pretty(nxt - now) if nxt is not None else ("Never" if running
                                                                       else None),
        "nextDate": iso(nxt) if nxt is not None else None,
        "nextDateTZ": local_time(nxt, zone) if nxt is not None else None,
        "timeZone": zone_name, "serverTime": iso(now), "serverTimeZone": zone_name,
        "description": _description(task.option),
    }
    if task.option.get("expressionType") == "solar":
        status["solarTimes"] = None
    return status


def iso(when: float) -> str:
    """A time as JavaScript's Date writes itself in JSON."""
    moment = datetime.fromtimestamp(when, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def local_time(when: float, zone: tzinfo) -> str:
    """A time as cron-plus shows one (in English): ``Jan 01, 2026, 08:00:00 UTC``."""
    moment = datetime.fromtimestamp(when, zone)
    return moment.strftime("%b %d, %Y, %H:%M:%S ") + (moment.tzname() or "")


def _description(option: dict[str, Any]) -> str:
    kind = option.get("expressionType")
    if kind == "solar":
        if option.get("solarType") == "all":
            return "All Solar Events"
        events = option.get("solarEvents") or ""
        names = events.split(",") if isinstance(events, str) else list(events)
        return "Solar Events: '" + ", ".join(names) + "'"
    if kind == "dates":
        return "Date sequence with fixed dates"
    return str(option.get("expression"))


def _pretty(seconds: float) -> str:
    """pretty-ms, verbose, whole seconds: ``in 1 hour 2 minutes 3 seconds``."""
    left = max(0, round(seconds))
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        amount, left = divmod(left, size)
        if amount:
            parts.append(f"{amount} {unit}{'' if amount == 1 else 's'}")
    return "in " + (" ".join(parts) or "0 seconds")
