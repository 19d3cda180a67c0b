"""The conformance suite every sink pack passes, against real servers (see backend.py).

Each test sends messages into the sink through the engine, then reads back what the server holds:
the backend's ``stored`` asserts content and metadata, the test asserts which messages are there.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from tests.conformance.conformance_kit import (
    connected,
    error_logs,
    flow_text,
    running,
    statuses,
)
from tests.support.servers import url as shared_url
from tests.support.waiting import eventually


def sink_flow(backend: Any, url: str, key: str, **extra: Any) -> str:
    node = {"type": backend.sink_type, "connection": "server", **backend.sink_config(key), **extra}
    return flow_text(backend, url, key, {"out": node})


async def stored_exactly(backend: Any, url: str, key: str, expected: range) -> list[int]:
    """Wait until the server holds every expected message; return what it holds."""
    found: list[int] = []

    async def complete() -> bool:
        found[:] = await backend.stored(url, key)
        return set(found) >= set(expected)

    await eventually(complete, f"{len(expected)} messages stored under {key}")
    return found


def run(backend: Any, key: str, url: str, scenario: Any) -> None:
    async def main() -> None:
        await backend.prepare(url, key)
        try:
            await scenario()
        finally:
            await backend.cleanup(url, key)

    asyncio.run(main())


def test_connect_and_close(sink: Any, key: str) -> None:
    url = shared_url(sink.server)

    async def scenario() -> None:
        async with running(sink_flow(sink, url, key), sink.env(url)) as flow:
            flow.send("out", sink.message(key, 0))
            await flow.run()
        assert not error_logs(flow), error_logs(flow)
        assert not flow.result.errors
        assert connected(flow, "out"), statuses(flow, "out")

    run(sink, key, url, scenario)


def test_round_trip_with_metadata(sink: Any, key: str) -> None:
    url = shared_url(sink.server)

    async def scenario() -> None:
        await sink.watch(url, key)
        async with running(sink_flow(sink, url, key), sink.env(url)) as flow:
            for i in range(3):
                flow.send("out", sink.message(key, i))
            await flow.run()
        assert not flow.result.errors, flow.result.errors
        found = await stored_exactly(sink, url, key, range(3))
        assert sorted(found) == [0, 1, 2]

    run(sink, key, url, scenario)


def test_a_batch_sent_at_once(sink: Any, key: str) -> None:
    """250 messages arrive in one go: the sink writes them in batches, all of them, once."""
    url = shared_url(sink.server)

    async def scenario() -> None:
        await sink.watch(url, key)
        async with running(sink_flow(sink, url, key), sink.env(url)) as flow:
            for i in range(250):
                flow.send("out", sink.message(key, i))
            await flow.run()
        assert not flow.result.errors, flow.result.errors
        found = await stored_exactly(sink, url, key, range(250))
        assert sorted(found) == list(range(250))

    run(sink, key, url, scenario)


def test_a_thousand_messages(sink: Any, key: str) -> None:
    url = shared_url(sink.server)

    async def scenario() -> None:
        await sink.watch(url, key)
        async with running(sink_flow(sink, url, key), sink.env(url)) as flow:
            for i in range(1000):
                flow.send("out", sink.message(key, i))
                if i % 100 == 99:
                    await asyncio.sleep(0.01)
            await flow.run()
        assert not flow.result.errors, flow.result.errors
        found = await stored_exactly(sink, url, key, range(1000))
        assert sorted(found) == list(range(1000))

    run(sink, key, url, scenario)


def test_graceful_drain_writes_everything_sent(sink: Any, key: str) -> None:
    """Stopping right after sending still writes every message: queues drain, sinks flush."""
    url = shared_url(sink.server)

    async def scenario() -> None:
        await sink.watch(url, key)
        async with running(sink_flow(sink, url, key), sink.env(url)) as flow:
            for i in range(500):
                flow.send("out", sink.message(key, i))
            # leave at once: the harness stops the engine gracefully
        assert not flow.result.errors, flow.result.errors
        found = await stored_exactly(sink, url, key, range(500))
        assert set(found) == set(range(500))

    run(sink, key, url, scenario)


def test_server_restart_mid_stream_loses_nothing(sink: Any, key: str, private: Any) -> None:
    """The server stops and starts again while messages flow: the sink holds them, reconnects
    with back-off, shows it in its status, and every message ends up on the server."""
    server = private(sink.server)
    url = server.url

    async def scenario() -> None:
        await sink.watch(url, key)
        async with running(sink_flow(sink, url, key), sink.env(url), timeout=180) as flow:
            restart = None
            for i in range(1000):
                flow.send("out", sink.message(key, i))
                if i % 20 == 19:
                    await asyncio.sleep(0.01)
                if i == 300:
                    restart = asyncio.create_task(asyncio.to_thread(server.restart))
            assert restart is not None
            await restart
            await sink.watch(url, key)
            await flow.run()
            fills = [s.get("fill") for s in statuses(flow, "out")]
            assert "red" in fills, f"no status showed the lost server: {statuses(flow, 'out')}"
            assert fills[-1] == "green", statuses(flow, "out")
        assert not flow.result.errors, flow.result.errors
        found = await stored_exactly(sink, url, key, range(1000))
        assert set(found) == set(range(1000))
        duplicates = [i for i, n in Counter(found).items() if n > 1]
        assert len(duplicates) <= 500, f"{len(duplicates)} messages written twice"

    run(sink, key, url, scenario)
