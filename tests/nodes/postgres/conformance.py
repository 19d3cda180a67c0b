"""The postgres pack in the conformance suite: postgres-out (a sink only), inserting with COPY.

Each stream KEY is a table KEY (i int, topic text, body jsonb, at timestamptz, msgid text).
Message i has the payload `{i, text, tags}`, the topic `KEY/i` and the time `at`; the sink maps
`i` from `payload.i`, `topic` from the message's topic, `body` from the whole payload (a JSON
column), `at` from `msg.at` and `msgid` from `_msgid`. ``stored`` reads every row back and
checks each of those. On a private server (the restart test) the table survives the restart,
as a real database's does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

BASE = datetime(2026, 1, 1, tzinfo=UTC)


class PostgresBackend:
    name = "postgres"
    server = "pg"
    source_type = None
    sink_type = "postgres-out"

    def connection(self, url: str, key: str) -> dict[str, Any]:
        return {"type": "postgres", "dsn": url, "password": "${FLOWRT_PG_SECRET}", "pool_size": 2}

    def env(self, url: str) -> dict[str, str]:
        # The test servers trust 127.0.0.1, so the password is sent and not needed.
        return {"FLOWRT_PG_SECRET": "conformance-secret"}

    async def _execute(self, url: str, statement: str) -> list[tuple[Any, ...]]:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            cur = await conn.execute(statement)
            return await cur.fetchall() if cur.description else []

    async def prepare(self, url: str, key: str) -> None:
        await self._execute(
            url,
            f"CREATE TABLE {key} (i int NOT NULL, topic text, body jsonb, at timestamptz, "
            "msgid text)",
        )

    def source_config(self, key: str) -> dict[str, Any]:
        raise NotImplementedError("the postgres pack has no source")

    def sink_config(self, key: str) -> dict[str, Any]:
        return {
            "table": key,
            "columns": {
                "i": "payload.i",
                "topic": "topic",
                "body": "payload",
                "at": "at",
                "msgid": "_msgid",
            },
            "batch_size": 200,
            "batch_interval": 0.05,
        }

    def payload(self, i: int) -> dict[str, Any]:
        return {"i": i, "text": f"message {i}", "tags": ["a", i]}

    def message(self, key: str, i: int) -> dict[str, Any]:
        return {
            "payload": self.payload(i),
            "topic": f"{key}/{i}",
            "at": (BASE + timedelta(seconds=i)).isoformat(),
            "_msgid": f"conf{i:012d}",
        }

    async def publish(self, url: str, key: str, indexes: range) -> None:
        raise NotImplementedError("the postgres pack has no source")

    def received_index(self, key: str, msg: dict[str, Any]) -> int:
        raise NotImplementedError("the postgres pack has no source")

    async def watch(self, url: str, key: str) -> None:
        return None

    async def stored(self, url: str, key: str) -> list[int]:
        found: list[int] = []
        for i, topic, body, at, msgid in await self._execute(
            url, f"SELECT i, topic, body, at, msgid FROM {key}"
        ):
            where = f"row i={i}"
            assert topic == f"{key}/{i}", (where, topic)
            assert body == self.payload(i), (where, body)
            assert at == BASE + timedelta(seconds=i), (where, at)
            assert msgid == f"conf{i:012d}", (where, msgid)
            found.append(i)
        return found

    async def pending(self, url: str, key: str) -> int | None:
        return None

    async def cleanup(self, url: str, key: str) -> None:
        await self._execute(url, f"DROP TABLE IF EXISTS {key}")


BACKENDS = [PostgresBackend()]
