"""The conformance suite every source pack passes, against real servers (see backend.py).

Messages are put on the server with the client library, read by the pack's source through the
engine, and checked by the backend (payload and metadata). Sources acknowledge only what the flow
finished, so what a stopped or restarted run did not finish is delivered again, never lost.
"""

from __future__ import annotations

import asyncio
from typing import Any

from flowrt.testing import Harness
from tests.conformance.conformance_kit import (
    connected,
    error_logs,
    flow_text,
    running,
    statuses,
)
from tests.support.servers import url as shared_url
from tests.support.waiting import eventually


def source_flow(backend: Any, url: str, key: str, rate: int | None = None) -> str:
    """source -> [rate limit] -> done. With ``rate``, messages are held in a delay node, so
    some are always in flight (not yet acknowledged) when the test interferes."""
    source = {"type": backend.source_type, "connection": "server", **backend.source_config(key)}
    nodes: dict[str, Any] = {"in": source, "done": {"type": "debug", "active": False}}
    if rate is None:
        source["to"] = "done"
    else:
        source["to"] = "limit"
        nodes["limit"] = {"type": "delay", "mode": "rate", "rate": rate, "per": 1, "to": "done"}
    return flow_text(backend, url, key, nodes)


def received(backend: Any, key: str, flow: Harness) -> list[int]:
    return [backend.received_index(key, msg) for msg in flow.result.received("done")]


def run(backend: Any, key: str, url: str, scenario: Any) -> None:
    async def main() -> None:
        await backend.prepare(url, key)
        try:
            await scenario()
        finally:
            await backend.cleanup(url, key)

    asyncio.run(main())


async def until_received(backend: Any, key: str, flow: Harness, count: int) -> None:
    await eventually(
        lambda: len(set(received(backend, key, flow))) >= count,
        f"{count} messages from {backend.source_type}",
        timeout=120,
    )


async def nothing_pending(backend: Any, url: str, key: str) -> None:
    async def empty() -> bool:
        left = await backend.pending(url, key)
        return left is None or left == 0

    await eventually(empty, f"the server to hold no unacknowledged message for {key}")


def test_connect_and_close(source: Any, key: str) -> None:
    url = shared_url(source.server)

    async def scenario() -> None:
        async with running(source_flow(source, url, key), source.env(url)) as flow:
            await eventually(lambda: connected(flow, "in"), "a green status on the source")
        assert not error_logs(flow), error_logs(flow)
        assert not flow.result.errors

    run(source, key, url, scenario)


def test_round_trip_with_metadata(source: Any, key: str) -> None:
    url = shared_url(source.server)

    async def scenario() -> None:
        async with running(source_flow(source, url, key), source.env(url)) as flow:
            await eventually(lambda: connected(flow, "in"), "a green status on the source")
            await source.publish(url, key, range(3))
            await until_received(source, key, flow, 3)
        assert sorted(received(source, key, flow)) == [0, 1, 2]
        assert not flow.result.errors
        await nothing_pending(source, url, key)

    run(source, key, url, scenario)


def test_a_burst_arrives_complete_and_in_order(source: Any, key: str) -> None:
    url = shared_url(source.server)

    async def scenario() -> None:
        async with running(source_flow(source, url, key), source.env(url)) as flow:
            await eventually(lambda: connected(flow, "in"), "a green status on the source")
            await source.publish(url, key, range(200))
            await until_received(source, key, flow, 200)
        got = received(source, key, flow)
        assert list(dict.fromkeys(got)) == list(range(200))

    run(source, key, url, scenario)


def test_a_thousand_messages(source: Any, key: str) -> None:
    url = shared_url(source.server)

    async def scenario() -> None:
        async with running(source_flow(source, url, key), source.env(url)) as flow:
            await eventually(lambda: connected(flow, "in"), "a green status on the source")
            await source.publish(url, key, range(1000))
            await until_received(source, key, flow, 1000)
        assert set(received(source, key, flow)) == set(range(1000))
        assert not flow.result.errors
        await nothing_pending(source, url, key)

    run(source, key, url, scenario)


def test_graceful_stop_leaves_unfinished_messages_for_the_next_run(source: Any, key: str) -> None:
    """A run stopped while messages wait in a rate limit acknowledges only those it finished;
    a second run of the same flow gets the rest, so the two runs together lose nothing."""
    url = shared_url(source.server)

    async def scenario() -> None:
        text = source_flow(source, url, key, rate=100)
        async with running(text, source.env(url)) as first:
            await eventually(lambda: connected(first, "in"), "a green status on the source")
            await source.publish(url, key, range(300))
            await until_received(source, key, first, 20)
        done_first = set(received(source, key, first))
        assert len(done_first) < 300, "the first run was meant to be stopped mid-stream"
        async with running(text, source.env(url)) as second:
            await eventually(
                lambda: done_first | set(received(source, key, second)) >= set(range(300)),
                "the second run to get what the first did not finish",
                timeout=120,
            )
        await nothing_pending(source, url, key)

    run(source, key, url, scenario)


def test_server_restart_mid_stream_loses_nothing(source: Any, key: str, private: Any) -> None:
    """The server stops and starts again while messages are in flight: the source shows it,
    reconnects with back-off, and every message arrives (some twice: at-least-once)."""
    server = private(source.server)
    url = server.url

    async def scenario() -> None:
        text = source_flow(source, url, key, rate=400)
        async with running(text, source.env(url), timeout=180) as flow:
            await eventually(lambda: connected(flow, "in"), "a green status on the source")
            await source.publish(url, key, range(500))
            await until_received(source, key, flow, 100)
            await asyncio.to_thread(server.restart)
            await source.publish(url, key, range(500, 1000))
            await until_received(source, key, flow, 1000)
            fills = [s.get("fill") for s in statuses(flow, "in")]
            assert "red" in fills, f"no status showed the lost server: {statuses(flow, 'in')}"
            assert fills[-1] == "green", statuses(flow, "in")
        assert set(received(source, key, flow)) == set(range(1000))
        await nothing_pending(source, url, key)

    run(source, key, url, scenario)
