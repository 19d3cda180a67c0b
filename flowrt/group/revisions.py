"""A group's revisions in its PostgreSQL database: what every worker of the group should run.

A worker that deploys (the editor's deploy under `flowrt serve`) stores the revision, every
flow file's name and text with a hash, its author, time and message, in
``flowrt_group_revision`` and notifies the group's channel (``LISTEN``/``NOTIFY``); every other
worker fetches the newest revision and runs it (:mod:`flowrt.group.follow`). The newest
``KEEP`` revisions of a group are kept.

The hash is the one `flowrt serve` gives its own revisions (:func:`snapshot_hash`), so a worker
knows whether the files it runs are the group's newest without fetching them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

TABLE = "flowrt_group_revision"
KEEP = 100
"""Revisions kept per group: the newest hundred."""
_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigserial PRIMARY KEY,
    group_name text NOT NULL,
    hash text NOT NULL,
    author text NOT NULL,
    time timestamptz NOT NULL DEFAULT now(),
    message text NOT NULL DEFAULT '',
    files jsonb NOT NULL
)"""
_INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_group ON {TABLE} (group_name, id)"
_NEWEST = f"""
SELECT id, hash, author, time, message FROM {TABLE}
WHERE group_name = %s ORDER BY id DESC LIMIT 1"""
_FILES = f"SELECT files FROM {TABLE} WHERE id = %s"
_INSERT = f"""
INSERT INTO {TABLE} (group_name, hash, author, message, files) VALUES (%s, %s, %s, %s, %s)
RETURNING id, time"""
_PRUNE = f"""
DELETE FROM {TABLE} WHERE group_name = %s AND id < (
    SELECT min(id) FROM (SELECT id FROM {TABLE} WHERE group_name = %s
                         ORDER BY id DESC LIMIT {KEEP}) AS kept)"""


def snapshot_hash(files: dict[str, str]) -> str:
    """The hash of a snapshot of the flow files (name -> text)."""
    text = json.dumps(files, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def channel(group: str) -> str:
    """The group's notification channel (an identifier of at most 63 bytes for any name)."""
    return "flowrt_group_" + hashlib.sha256(group.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class GroupRevision:
    """One revision of a group; ``files`` is empty until fetched."""

    id: int
    hash: str
    author: str
    time: datetime
    message: str
    files: dict[str, str]

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "hash": self.hash, "author": self.author,
                "time": self.time.isoformat(), "message": self.message}


async def create_table(conn: Any) -> None:
    """Make the revision table if missing (several workers may try at once)."""
    import psycopg

    for statement in (_CREATE, _INDEX):
        try:
            await conn.execute(statement)
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable,
                psycopg.errors.DuplicateObject):
            pass  # another worker made it at the same moment


async def newest(conn: Any, group: str) -> GroupRevision | None:
    """The group's newest revision, without its files."""
    cur = await conn.execute(_NEWEST, (group,))
    row = await cur.fetchone()
    if row is None:
        return None
    return GroupRevision(row[0], row[1], row[2], row[3], row[4], {})


async def fetch(conn: Any, revision: GroupRevision) -> GroupRevision:
    """``revision`` with its files; ValueError when they are not a mapping of text to text."""
    cur = await conn.execute(_FILES, (revision.id,))
    row = await cur.fetchone()
    if row is None:
        raise ValueError(f"revision {revision.hash} is gone from the group's database")
    files = row[0]
    if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
        raise ValueError(f"revision {revision.hash} does not hold flow files (name -> text)")
    return GroupRevision(revision.id, revision.hash, revision.author, revision.time,
                         revision.message, files)


async def store(conn: Any, group: str, files: dict[str, str], author: str,
                message: str) -> GroupRevision:
    """Store a new revision of ``group``, notify the group's channel and drop what is past
    :data:`KEEP`; in one transaction (the notification is sent when it commits)."""
    from psycopg.types.json import Jsonb

    digest = snapshot_hash(files)
    async with conn.transaction():
        cur = await conn.execute(_INSERT, (group, digest, author, message, Jsonb(files)))
        row = await cur.fetchone()
        await conn.execute(_PRUNE, (group, group))
        await conn.execute("SELECT pg_notify(%s, %s)", (channel(group), digest))
    return GroupRevision(row[0], digest, author, row[1], message, files)
