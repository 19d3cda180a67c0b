"""Helpers of the homeassistant pack's tests: the test Home Assistant (FLOWRT_TEST_HOMEASSISTANT,
with its token from FLOWRT_TEST_HOMEASSISTANT_TOKEN or the file .ci/services.sh writes), its
REST API to change and read states, flows on the real clock, and a TCP relay that can cut the
connections through it."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import Harness
from tests.conformance.conformance_kit import connected as connected  # re-exported
from tests.support.waiting import eventually as eventually  # re-exported

URL = (os.environ.get("FLOWRT_TEST_HOMEASSISTANT") or "http://127.0.0.1:8123").rstrip("/")
SVC = Path(os.environ.get("FLOWRT_SVC_DIR") or "/tmp/flowrt-services")


def token() -> str:
    given = os.environ.get("FLOWRT_TEST_HOMEASSISTANT_TOKEN")
    if given:
        return given
    path = SVC / "homeassistant" / "token"
    if not path.exists():
        pytest.fail(f"no Home Assistant token: set FLOWRT_TEST_HOMEASSISTANT_TOKEN or start the "
                    f"test server with `.ci/services.sh ensure` (writes {path})")
    return path.read_text().strip()


def api(method: str, path: str, body: Any = None) -> Any:
    """Home Assistant's REST API; fails the test (never skips) when it does not answer."""
    try:
        r = httpx.request(method, f"{URL}/api/{path}", json=body, timeout=30,
                          headers={"Authorization": f"Bearer {token()}"})
    except httpx.HTTPError as exc:
        pytest.fail(f"no Home Assistant at FLOWRT_TEST_HOMEASSISTANT={URL}: {exc}; start it "
                    "with `.ci/services.sh ensure`")
    r.raise_for_status()
    return r.json() if r.content else None


def state(entity_id: str) -> Any:
    return api("GET", f"states/{entity_id}")["state"]


def set_state(entity_id: str, value: str, **attributes: Any) -> None:
    """Set an entity's state through the REST API (made when missing; a state_changed event
    follows)."""
    api("POST", f"states/{entity_id}", {"state": value, "attributes": attributes})


def call(domain: str, service: str, **data: Any) -> None:
    api("POST", f"services/{domain}/{service}", data)


def unique() -> str:
    return uuid.uuid4().hex[:10]


def flow_text(nodes: dict[str, Any], url: str = URL, supervised: bool = False) -> str:
    conn = {"type": "homeassistant-server", "url": url}
    if not supervised:
        conn["token"] = "${HA_TOKEN}"
    return json.dumps({"flowrt": 1, "connections": {"home": conn}, "nodes": nodes})


@asynccontextmanager
async def running(nodes: dict[str, Any], url: str = URL, supervised: bool = False,
                  virtual_time: bool = False) -> AsyncIterator[Harness]:
    """The flow running on the engine with the real clock (or, with ``virtual_time``, a clock
    that moves only by ``harness.advance``); stopped gracefully after. With ``supervised``, the
    connection has no token and the process's SUPERVISOR_TOKEN is used."""
    env = {"SUPERVISOR_TOKEN" if supervised else "HA_TOKEN": token()}
    text = flow_text(nodes, url, supervised)
    plan, _ = build_plan(Project(documents=[load_text(text, "ha.yaml")]), env=env)
    harness = Harness(plan, env=env, virtual_time=virtual_time, timeout=60.0)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


class Relay:
    """A TCP relay on a free port of 127.0.0.1 to Home Assistant; ``cut()`` closes every
    connection through it, as a network failure or a restart would; ``refuse()`` cuts them
    and closes every new one at once, as a Home Assistant that is down, until ``admit()``."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.pipes: list[asyncio.StreamWriter] = []
        self.accepted = 0
        self.refusing = False

    async def __aenter__(self) -> Relay:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        self.cut()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            writer.close()
            return
        self.accepted += 1
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.pipes += [writer, up_writer]
        await asyncio.gather(_pump(reader, up_writer), _pump(up_reader, writer))

    def cut(self) -> None:
        for writer in self.pipes:
            writer.close()
        self.pipes.clear()

    def refuse(self) -> None:
        self.refusing = True
        self.cut()

    def admit(self) -> None:
        self.refusing = False


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with suppress(OSError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()
