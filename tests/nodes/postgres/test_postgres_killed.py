"""Connections the server ends while they wait in the pool (pg_terminate_backend, as an
administrator or a failover does): postgres-out writes its batch again on a fresh connection at
once, nothing lost, and the pool's other connections ended with it are not handed out again."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import flowrt_nodes.postgres.postgres as postgres_module
import pytest
from flowrt_nodes.postgres.postgres import Postgres

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import FlowResult, Harness
from tests.nodes.postgres.pg_testing import Database, flow, node
from tests.support.waiting import eventually


def kill(db: Database, app: str) -> int:
    """End every server process of the connections named ``app``; how many there were."""
    rows = db.rows(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
        (app,),
    )
    return int(rows[0][0])


async def until(db: Database, query: str, expected: Any, what: str) -> None:
    await eventually(
        lambda: asyncio.to_thread(lambda: db.rows(query) == expected), what, timeout=30
    )


def sink_flow(db: Database, table: str, app: str, **options: Any) -> Any:
    text = flow(
        {"dsn": db.url, "application_name": app, **options},
        node("w", "postgres-out", connection="db", table=table, batch_size=10, batch_interval=0.02),
    )
    plan, _ = build_plan(Project(documents=[load_text(text, "f.yaml")]), env={})
    return plan


def warnings(result: FlowResult) -> list[str]:
    return [text for node_id, level, text in result.logs if node_id == "w" and level == "warning"]


def test_a_connection_killed_between_batches_loses_nothing(db: Database) -> None:
    table = db.table("id int")
    app = "flowrt-killed-" + uuid.uuid4().hex[:8]
    plan = sink_flow(db, table, app)

    async def scenario() -> tuple[FlowResult, list[int]]:
        harness = Harness(plan, virtual_time=False, timeout=60)
        await harness.start()
        killed = []
        try:
            for round_ in range(4):
                for i in range(round_ * 25, round_ * 25 + 25):
                    harness.send("w", {"payload": {"id": i}})
                done = [(round_ * 25 + 25,)]
                await until(db, f"SELECT count(*) FROM {table}", done, f"round {round_}")
                killed.append(await asyncio.to_thread(kill, db, app))
        finally:
            await harness.stop()
        return harness.result, killed

    result, killed = asyncio.run(scenario())
    assert killed[:3] == [1, 1, 1]  # a pooled connection was there to kill each time
    assert result.errors == []
    assert db.rows(f"SELECT count(*), count(DISTINCT id), min(id), max(id) FROM {table}") == [
        (100, 100, 0, 99)
    ]
    # Found broken and written again at once: no back-off, nothing held.
    assert warnings(result) == []


def test_every_pooled_connection_killed_loses_nothing(db: Database) -> None:
    """Several connections in the pool, all ended together (a server's failover): the first
    found broken makes the others suspect, so each is checked before it is used again."""
    table = db.table("id int")
    app = "flowrt-killed-" + uuid.uuid4().hex[:8]
    plan = sink_flow(db, table, app, pool_size=4)

    async def fill_the_pool(conn: Postgres) -> None:
        async def hold(release: asyncio.Event) -> None:
            async with conn.acquire("probe") as pg:
                await pg.execute("SELECT 1")
                await release.wait()

        release = asyncio.Event()
        tasks = [asyncio.create_task(hold(release)) for _ in range(4)]
        await asyncio.sleep(0.5)
        release.set()
        await asyncio.gather(*tasks)

    async def scenario() -> tuple[FlowResult, int]:
        harness = Harness(plan, virtual_time=False, timeout=60)
        await harness.start()
        try:
            await fill_the_pool(harness.runtime.connections["db"])  # type: ignore[arg-type]
            killed = await asyncio.to_thread(kill, db, app)
            for i in range(60):
                harness.send("w", {"payload": {"id": i}})
            await until(db, f"SELECT count(*) FROM {table}", [(60,)], "the 60 rows")
        finally:
            await harness.stop()
        return harness.result, killed

    result, killed = asyncio.run(scenario())
    assert killed == 4
    assert result.errors == []
    assert db.rows(f"SELECT count(*), count(DISTINCT id) FROM {table}") == [(60, 60)]
    assert warnings(result) == []


def test_a_connection_is_checked_only_after_it_was_idle(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection back in use within ``ping_after`` seconds is handed out as it is (a ping
    is a round trip a batch); one idle for longer is checked first, and one the server ended
    meanwhile is replaced."""
    pings: list[int] = []
    real_ping = postgres_module.ping

    async def counted(pg: Any) -> None:
        pings.append(1)
        await real_ping(pg)

    monkeypatch.setattr(postgres_module, "ping", counted)
    app = "flowrt-idle-" + uuid.uuid4().hex[:8]
    conn = Postgres(
        "db",
        Postgres.Config.model_validate(
            {"dsn": db.url, "application_name": app, "pool_size": 1, "max_overflow": 0}
        ),
        ctx=None,
    )

    async def use(ping_after: float) -> int:
        async with conn.acquire("probe", ping_after=ping_after) as pg:
            cur = await pg.execute("SELECT pg_backend_pid()")
            row = await cur.fetchone()
            assert row is not None
            return int(row[0])

    async def scenario() -> tuple[list[int], list[int]]:
        try:
            first = await use(60)  # a new connection: not checked
            again = [await use(60) for _ in range(5)]
            counts = [len(pings)]
            await asyncio.sleep(0.3)
            await use(0.2)  # idle 0.3 s: checked
            counts.append(len(pings))
            await asyncio.to_thread(kill, db, app)
            await asyncio.sleep(0.3)
            replaced = await use(0.2)  # checked, found ended, replaced
            counts.append(len(pings))
            return [first, *again, replaced], counts
        finally:
            await conn.close()

    pids, counts = asyncio.run(scenario())
    assert counts == [0, 1, 2]
    assert len(set(pids[:6])) == 1 and pids[6] != pids[0]
