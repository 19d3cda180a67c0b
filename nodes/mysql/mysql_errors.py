"""What went wrong with MySQL or MariaDB, in flowrt's terms: PyMySQL (aiomysql) and SQLAlchemy
errors translated at the boundary, the original kept as ``__cause__``.

The server's error number says what happened: 1045 (access denied), 1044 (no rights on the
database) and 1049 (unknown database) when logging in; 2003 (cannot connect), 2006 (server has
gone away), 2013 (lost connection), 1927 and 4031 (connection killed, or closed for being idle)
when the connection is lost. A statement's own error keeps the server's words, its number and
its code name (``ER_NO_SUCH_TABLE``), as Node-RED's error has ``code`` and ``errno``.
"""

from __future__ import annotations

from typing import Any

from flowrt.api import AuthFailed, ConnectionLost, NodeError, NotConnected

AUTH = frozenset({1044, 1045, 1698, 1862})
"""Refused logins: no rights on the database, wrong password, no password allowed, expired."""
LOST = frozenset({2006, 2013, 2055, 1927, 4031, 1053})
"""The connection went away while in use."""


def error_code(number: int) -> str:
    """The code name of a server error number (``1146`` -> ``ER_NO_SUCH_TABLE``), as
    Node-RED's mysql2 gives it; ``ER_<number>`` for one PyMySQL does not name."""
    from pymysql.constants import CR, ER

    for module in (ER, CR):
        for name, value in vars(module).items():
            if value == number and name.isupper():
                return name if module is CR else f"ER_{name}"
    return f"ER_{number}"


def _parts(exc: BaseException) -> tuple[int | None, str]:
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    if len(args) >= 2 and isinstance(args[0], int):
        return args[0], str(args[1])
    return None, str(exc) or type(exc).__name__


def connect_error(exc: BaseException, server: str, node: str, config: Any) -> NodeError:
    """The error for a connection that could not be had from the pool."""
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, PoolTimeout):
        return NotConnected(
            f"no free connection to {server} after {config.pool_timeout:g} s: all "
            f"{config.pool_size} are busy; raise pool_size, or lower the load",
            node=node,
        )
    number, why = _parts(getattr(exc, "orig", None) or exc)
    if number in AUTH:
        return AuthFailed(
            f"{server} refused the login: {why}; check `user` and `password`", node=node
        )
    if number == 1049:
        return NotConnected(
            f"{server}: {why}; create the database, or name another in `database`", node=node
        )
    return NotConnected(f"cannot connect to {server}: {why}", node=node)


def use_error(exc: BaseException, closed: bool, server: str, node: str) -> BaseException:
    """The error for a statement that failed: the connection lost, or the server's message
    with its number and code name. Anything not from the database is returned as it is."""
    import pymysql

    if not isinstance(exc, pymysql.err.MySQLError):
        return exc
    number, why = _parts(exc)
    if closed or number in LOST or isinstance(exc, pymysql.err.InterfaceError):
        return ConnectionLost(f"lost the connection to {server}: {why}", node=node)
    if number is None:
        return NodeError(f"the query failed on {server}: {why}", node=node)
    return NodeError(f"{why} ({error_code(number)}, errno {number})", node=node)
