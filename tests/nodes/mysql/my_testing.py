"""What the mysql pack's tests share: the test server's address, its tables, and flow text."""

from __future__ import annotations

import os
import uuid
from typing import Any
from urllib.parse import urlsplit

import pymysql

MYSQL_URL = os.environ.get("FLOWRT_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")
_URL = urlsplit(MYSQL_URL)
SERVER: dict[str, Any] = {
    "host": _URL.hostname or "127.0.0.1", "port": _URL.port or 3306,
    "user": _URL.username or "root", "database": _URL.path.strip("/") or "test",
}
"""The test server as a `mysql` connection's fields (root with no password)."""


class Database:
    """The test server, and the tables one test made."""

    def __init__(self) -> None:
        self.made: list[str] = []

    def connect(self) -> pymysql.connections.Connection[Any]:
        return pymysql.connect(
            host=SERVER["host"], port=SERVER["port"], user=SERVER["user"],
            database=SERVER["database"], autocommit=True, connect_timeout=5,
        )

    def rows(self, statement: str, params: Any = None) -> list[tuple[Any, ...]]:
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(statement, params)
            return list(cur.fetchall())

    def table(self, columns: str, prefix: str = "t") -> str:
        """Create a table with a unique name; it is dropped after the test."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.rows(f"CREATE TABLE {name} ({columns})")
        self.made.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.made:
            self.rows(f"DROP TABLE IF EXISTS {name}")


def flow(*nodes: str, **connection: Any) -> str:
    """A flow file with the connection `db` (the test server, with ``connection`` over it)
    and the given node lines (YAML flow mappings)."""
    fields = SERVER | connection
    conn = ", ".join(f"{k}: {v!r}" if isinstance(v, str) else f"{k}: {v}"
                     for k, v in fields.items())
    body = "\n".join(f"  {line}" for line in nodes)
    return f"flowrt: 1\nconnections:\n  db: {{type: mysql, {conn}}}\nnodes:\n{body}\n"


QUERY = "q: {type: mysql-query, connection: db, allow_msg_topic: true}"
CATCH = "oops: {type: catch}"
