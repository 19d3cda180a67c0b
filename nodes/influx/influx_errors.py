"""What an InfluxDB server's answers mean, as flowrt errors (shared by the 1.x and 2.x APIs).

=========================== =====================================================================
401, 403                    AuthFailed: check the credentials (not retried)
404 database/bucket missing NodeError saying to create it (or `create_database: true` on 1.x)
404 otherwise               NodeError: the URL does not serve this API (wrong `url` or `version`)
400, 413, 422               :class:`WriteRejected`: the points themselves are refused; the sink
                            fails the messages they came from (see :func:`conflicting`)
429, 5xx                    ConnectionLost: the server is overloaded or failing, retry later
=========================== =====================================================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from flowrt.api import AuthFailed, ConnectionLost, NodeError

from .influx_points import MappedPoint

REJECTED = frozenset({400, 413, 422})
_CONFLICT = re.compile(
    r'input field "(?P<field>(?:[^"\\]|\\.)*)" on measurement "(?P<measurement>(?:[^"\\]|\\.)*)"'
    r" is type (?P<type>\w+)"
)
_DROPPED = re.compile(r"dropped=(\d+)")


class WriteRejected(NodeError):
    """The server refused points of a write (HTTP 400, 413 or 422): retrying cannot help.

    InfluxDB 1.x still writes the other points of the request (a "partial write"); 2.x writes
    none on a malformed line. ``text`` is the server's own reason.
    """

    def __init__(self, message: str, *, status: int, text: str) -> None:
        super().__init__(message)
        self.status = status
        self.text = text


class MissingDatabase(NodeError):
    """A 1.x database named by the connection does not exist."""


def server_text(body: str) -> str:
    """The reason in a server's answer: 1.x `{"error": ...}`, 2.x `{"message": ...}` or text."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message"):
            if isinstance(data.get(key), str):
                return str(data[key])
    text = body.strip()
    return text if len(text) <= 500 else text[:497] + "..."


def write_failure(status: int, text: str, *, server: str, api: str, target: str) -> Exception:
    """The error for a failed write of ``target`` (a 1.x database or a 2.x bucket)."""
    where = f"InfluxDB at {server}"
    if status in (401, 403):
        what = "username and password" if api == "1" else "token"
        return AuthFailed(f"{where} refused the credentials ({status}: {text}): check the {what}")
    if status in REJECTED:
        return WriteRejected(f"{where} rejected the points: {text}", status=status, text=text)
    lowered = text.lower()
    if "database not found" in lowered:
        db = target.split("/", 1)[0]
        return MissingDatabase(
            f"{where} has no database '{db}': create it (CREATE DATABASE \"{db}\"), or set "
            "`create_database: true` on the connection"
        )
    if "retention policy not found" in lowered:
        return NodeError(
            f"{where}: {text} (writing to '{target}'): create the retention policy, or set "
            "the connection's `retention_policy` to one that exists"
        )
    if status == 404 and ("bucket" in lowered or "organization" in lowered):
        return NodeError(f"{where}: {text}: create the bucket or fix the connection's "
                         "`bucket` and `org`")
    if status == 404:
        path = "/write" if api == "1" else "/api/v2/write"
        other = "'2'" if api == "1" else "'1' (InfluxDB 1.x before 1.8 has no 2.x API)"
        return NodeError(
            f"{where} does not serve {path} (404: {text}): check the connection's `url`, or "
            f"set its `version` to {other}"
        )
    if status == 429 or status >= 500:
        return ConnectionLost(f"{where} answered {status}: {text}")
    return NodeError(f"{where} answered {status} to a write: {text}")


def query_failure(status: int, text: str, *, server: str, api: str) -> Exception:
    """The error for a failed query."""
    where = f"InfluxDB at {server}"
    if status in (401, 403):
        what = "username and password" if api == "1" else "token"
        return AuthFailed(f"{where} refused the credentials ({status}: {text}): check the {what}")
    if status == 429 or status >= 500:
        return ConnectionLost(f"{where} answered {status}: {text}")
    if api == "2" and "unsupported path" in text:
        return NodeError(
            f"{where} cannot run Flux queries (it answered {status}: {text}); Flux needs "
            "InfluxDB 2.x (or 1.8+ with flux-enabled), or set the connection's `version: '1'` "
            "for InfluxQL"
        )
    return NodeError(f"{where} refused the query ({status}): {text}")


def conflicting(
    error: WriteRejected, groups: Sequence[Sequence[MappedPoint]]
) -> tuple[set[int], int]:
    """The groups (messages) whose points a field type conflict names, and how many points
    those are, when the server's text accounts for every point it dropped; else an empty set
    (the caller narrows it down).

    1.x reports one conflict: ``input field "v" on measurement "m" is type string, already
    exists as type float dropped=2``. Every point of that measurement with a string "v" was
    dropped; if there are as many as ``dropped`` those are all the culprits, and the server
    wrote the rest. Any other refusal (a line number, a parse error, where a server may have
    written nothing) is narrowed down by rewriting, which is safe either way.
    """
    found = _CONFLICT.search(error.text)
    dropped = _DROPPED.search(error.text)
    if found is None or dropped is None or "partial write" not in error.text:
        return set(), 0
    field = found.group("field").replace('\\"', '"')
    measurement = found.group("measurement").replace('\\"', '"')
    kind = found.group("type")
    hits: set[int] = set()
    count = 0
    for index, points in enumerate(groups):
        for point in points:
            if point.measurement == measurement and point.field_types.get(field) == kind:
                hits.add(index)
                count += 1
    if hits and count == int(dropped.group(1)):
        return hits, count
    return set(), 0
