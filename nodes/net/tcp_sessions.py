"""The TCP connections tcp-in has open, by session id (``msg._session.id``), so that tcp-out in
``reply`` mode can answer on the connection a message came from.

One table per process, as Node-RED keeps one per runtime: a reply with no ``_session`` goes to
every connection in it.
"""

from __future__ import annotations

import asyncio
import secrets

_OPEN: dict[str, asyncio.StreamWriter] = {}


def open_session(writer: asyncio.StreamWriter) -> str:
    """Record a connection; its new session id."""
    session_id = secrets.token_hex(8)
    _OPEN[session_id] = writer
    return session_id


def close_session(session_id: str) -> None:
    """Forget a connection that closed."""
    _OPEN.pop(session_id, None)


def session(session_id: object) -> asyncio.StreamWriter | None:
    """The open connection of a session id, or None when it has closed."""
    return _OPEN.get(session_id) if isinstance(session_id, str) else None


def every_session() -> list[asyncio.StreamWriter]:
    """Every open connection."""
    return list(_OPEN.values())
