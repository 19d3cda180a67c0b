"""What a pack provides to run the shared conformance suite (test_sources.py, test_sinks.py).

A pack takes part with ``tests/nodes/<pack>/conformance.py`` (the packs are those of the
manifests, ``nodes/*/pack.toml``), which defines ``BACKENDS``: a list of objects with the
attributes and methods below. The suite runs every test for every backend against a real
server: the shared one (``FLOWRT_TEST_*``), or a private one for the tests that stop and restart
it. ``url`` is always in the form of those variables (``mqtt://127.0.0.1:1883``,
``postgresql://postgres@...``). ``key`` names one test's stream (a topic, queue, table or
measurement): unique per test.

Methods may call blocking client libraries inside ``asyncio.to_thread``.
"""

from __future__ import annotations

from typing import Any, Protocol


class Backend(Protocol):
    name: str
    """The test id: ``mqtt``, ``amqp``, ``postgres``, ``influx-v1``..."""
    server: str
    """The server kind: ``mqtt``, ``amqp``, ``pg``, ``influx`` or ``vm`` (tests/support/servers.py),
    one of the pack manifest's ``test-servers`` (``.ci/services.sh servers`` names each kind)."""
    source_type: str | None
    """The pack's source node type (``mqtt-in``), or None."""
    sink_type: str | None
    """The pack's sink node type (``mqtt-out``), or None."""

    def connection(self, url: str, key: str) -> dict[str, Any]:
        """The ``connections:`` entry (with ``type``) for the server at ``url``. ``key`` lets a
        backend give each stream its own session (an MQTT client id for a persistent session
        that a second run of the same flow must resume)."""
        ...

    def env(self, url: str) -> dict[str, str]:
        """Values for the ``${VAR}`` references (secrets) the connection uses."""
        ...

    async def prepare(self, url: str, key: str) -> None:
        """Make what stream ``key`` needs on the server (queue, table, database)."""
        ...

    def source_config(self, key: str) -> dict[str, Any]:
        """The source node's configuration, without ``type``, ``connection`` and ``to``."""
        ...

    def sink_config(self, key: str) -> dict[str, Any]:
        """The sink node's configuration, without ``type`` and ``connection``."""
        ...

    def message(self, key: str, i: int) -> dict[str, Any]:
        """Message number ``i`` for the sink to write, with metadata (topic, headers, tags...)."""
        ...

    async def publish(self, url: str, key: str, indexes: range) -> None:
        """Put messages ``indexes`` on the server for the source, with metadata, using the client
        library directly; return once the server has them all."""
        ...

    def received_index(self, key: str, msg: dict[str, Any]) -> int:
        """The number of a message the source produced; asserts its payload and metadata."""
        ...

    async def watch(self, url: str, key: str) -> None:
        """Called before a sink test sends anything (MQTT subscribes here)."""
        ...

    async def stored(self, url: str, key: str) -> list[int]:
        """The number of every message the sink committed, read back from the server (rows,
        points, messages on a queue); asserts each one's content and metadata."""
        ...

    async def pending(self, url: str, key: str) -> int | None:
        """Messages still waiting on the server for the source (a queue's depth), None if the
        server cannot tell."""
        ...

    async def cleanup(self, url: str, key: str) -> None:
        """Remove what ``prepare`` and the test made."""
        ...
