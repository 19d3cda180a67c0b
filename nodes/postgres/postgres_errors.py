"""What went wrong with PostgreSQL, in flowrt's terms: psycopg and SQLAlchemy errors translated
at the boundary (the original kept as ``__cause__``), and the DSN read for naming the server.

libpq gives no SQLSTATE for a refused connection, only the server's text, so refused
credentials are recognised by the server's (English) wording: ``password authentication
failed`` (28P01), ``is not permitted to log in``, ``role ... does not exist``, ``no pg_hba.conf
entry`` (28000), and libpq's own ``no password supplied``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from flowrt.api import AuthFailed, ConnectionLost, NodeError, NotConnected

if TYPE_CHECKING:
    from psycopg import AsyncConnection

_PAIR = re.compile(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)")
_AUTH = re.compile(
    r"authentication failed|not permitted to log in|role \S+ does not exist|"
    r"no pg_hba\.conf entry|no password supplied|password is required"
)
_REASON = re.compile(r"port \d+ failed: (.*)", re.DOTALL)


def dsn_fields(dsn: str) -> dict[str, str]:
    """The parts of a DSN (URL or ``key=value`` form) that name where it points."""
    if "://" not in dsn:
        return {k: v.strip("'") for k, v in _PAIR.findall(dsn)}
    url = urlsplit(dsn)
    found: dict[str, str] = {k: v[-1] for k, v in parse_qs(url.query).items()}
    if url.username:
        found["user"] = unquote(url.username)
    if url.password is not None:
        found["password"] = unquote(url.password)
    try:
        host, port = url.hostname, url.port
    except ValueError:  # a port that is not a number: libpq says so when connecting
        host, port = url.hostname, None
    if host:
        found["host"] = host
    if port:
        found["port"] = str(port)
    if url.path.strip("/"):
        found["dbname"] = unquote(url.path.strip("/"))
    return found


def dsn_password(dsn: str) -> bool:
    """True when the DSN carries a password."""
    return bool(dsn_fields(dsn).get("password"))


def server_name(dsn: str) -> str:
    """``host:port/database (user u)``: the server as errors name it, never the password."""
    parts = dsn_fields(dsn)
    host = parts.get("host") or "localhost"
    text = f"{host}:{parts.get('port') or 5432}/{parts.get('dbname') or parts.get('user') or ''}"
    return f"{text} (user {parts['user']})" if parts.get("user") else text


def reason(exc: BaseException) -> str:
    """The server's words for a failed connection, without libpq's preamble."""
    text = str(exc).strip()
    found = _REASON.search(text)
    if found:
        text = found.group(1)
    text = text.split("\n")[0].strip()
    return re.sub(r"^FATAL:\s+", "", text) or type(exc).__name__


def connect_error(exc: BaseException, server: str, node: str, config: Any) -> NodeError:
    """The error for a connection that could not be had from the pool."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, PoolTimeout):
        busy = config.pool_size + config.max_overflow
        return NotConnected(
            f"no free connection to {server} after {config.pool_timeout:g} s: all {busy} are "
            "busy; raise pool_size or max_overflow, or lower the load",
            node=node,
        )
    orig = getattr(exc, "orig", None) or exc
    why = reason(orig)
    if _AUTH.search(why):
        return AuthFailed(
            f"{server} refused the login: {why}; check the user in `dsn` and the `password`",
            node=node,
        )
    if "database" in why and "does not exist" in why:
        return NotConnected(
            f"{server}: {why}; create the database, or name another in `dsn`", node=node
        )
    return NotConnected(f"cannot connect to {server}: {why}", node=node)


def use_error(
    exc: BaseException, pg: AsyncConnection[Any], server: str, node: str, doing: str
) -> BaseException:
    """The error for a statement that failed: the connection lost (the engine retries), or the
    database's message with its SQLSTATE (the message fails). Anything not from the database
    is returned as it is."""
    import psycopg

    if not isinstance(exc, psycopg.Error):
        return exc
    if pg.closed or pg.broken:
        return ConnectionLost(
            f"lost the connection to {server} while {doing}: {reason(exc)}", node=node
        )
    diag = exc.diag
    text = diag.message_primary or str(exc).strip().split("\n")[0]
    if exc.sqlstate:
        text += f" (SQLSTATE {exc.sqlstate})"
    if diag.message_detail:
        text += f"; {diag.message_detail}"
    if diag.message_hint:
        text += f"; hint: {diag.message_hint}"
    return NodeError(f"{doing} failed on {server}: {text}", node=node)
