"""What the pack's tests share: the test server's address, its tables, and flow text."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

import psycopg

PG_URL = os.environ.get("FLOWRT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "s3cret-for-tests"


class Database:
    """The test server, and the tables one test made."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[str] = []

    def execute(self, statement: str, params: Any = None) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(statement, params)

    def rows(self, query: str, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def table(self, columns: str, prefix: str = "t") -> str:
        """Create a table with a unique name; it is dropped after the test."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        self.execute(f"CREATE TABLE {name} ({columns})")
        self.made.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.made:
            self.execute(f"DROP TABLE IF EXISTS {name} CASCADE")


def flow(connection: dict[str, Any], *nodes: str) -> str:
    """A flow file with the connection `db` and the given node lines (YAML, indented 2)."""
    conn = ", ".join(f"{k}: {json.dumps(v)}" for k, v in connection.items())
    body = "\n".join(f"  {line}" for line in nodes)
    return f"flowrt: 1\nconnections:\n  db: {{type: postgres, {conn}}}\nnodes:\n{body}\n"


def node(node_id: str, type_: str, **options: Any) -> str:
    """One node's line: `id: {type: ..., option: value}` with the values as JSON."""
    parts = [f"type: {type_}"] + [f"{k}: {json.dumps(v)}" for k, v in options.items()]
    return f"{node_id}: {{{', '.join(parts)}}}"
