"""websocket-listener with `auth`, attacked with a real `websockets` client: handshakes without
a valid key are refused before a session starts, frames carry who connected (a client cannot
forge it), and the frame quota closes the socket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from flowrt.secrets.keys import add_key, use_keys
from tests.nodes.websocket.serving import run, served

FLOW = """
flowrt: 1
connections:
  echo:
    type: websocket-listener
    path: /ws/echo
    whole_message: true
    auth: key
    scopes: [frames:send]
{extra}
nodes:
  frames:
    type: websocket-in
    listener: echo
    to: reply
  reply:
    type: websocket-out
    listener: echo
"""


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys.json"
    use_keys(path)
    yield path
    use_keys(None)


def refused(flow: str, url: str, headers: dict[str, str]) -> int:
    async def go() -> int:
        async with served(flow) as (harness, base):
            with pytest.raises(InvalidStatus) as caught:
                async with connect(f"{base}{url}", additional_headers=headers):
                    pass
            assert harness.result.received("reply") == []
            return caught.value.response.status_code
    return run(go())


def test_handshakes_without_a_valid_key_are_refused(keys: Path) -> None:
    add_key(keys, "sensor-7", ["frames:send"])
    viewer = add_key(keys, "viewer", ["frames:read"])
    flow = FLOW.format(extra="")
    assert refused(flow, "/ws/echo", {}) == 401
    assert refused(flow, "/ws/echo", {"X-API-Key": "frk_wrong"}) == 401
    assert refused(flow, "/ws/echo", {"X-API-Key": viewer}) == 403


def test_a_key_in_the_url_is_not_accepted(keys: Path) -> None:
    key = add_key(keys, "sensor-7", ["frames:send"])
    assert refused(FLOW.format(extra=""), f"/ws/echo?api_key={key}", {}) == 401


def test_frames_carry_the_client_and_a_frame_cannot_forge_it(keys: Path) -> None:
    key = add_key(keys, "sensor-7", ["frames:send"])

    async def go() -> dict[str, object]:
        async with served(FLOW.format(extra="")) as (_, base):
            async with connect(f"{base}/ws/echo",
                               additional_headers={"Authorization": f"Bearer {key}"}) as ws:
                await ws.send(json.dumps({"payload": "hi",
                                          "client": {"name": "admin", "kind": "key",
                                                     "scopes": ["*"]}}))
                answer: dict[str, object] = json.loads(await ws.recv())
                return answer

    answer = run(go())
    assert answer["payload"] == "hi"
    assert answer["client"] == {"name": "sensor-7", "kind": "key", "scopes": ["frames:send"]}
    assert key not in json.dumps(answer)


def test_the_frame_quota_closes_the_socket(keys: Path) -> None:
    key = add_key(keys, "sensor-7", ["frames:send"])
    flow = FLOW.format(extra="    quota: 2")

    async def go() -> tuple[list[int], int | None, str]:
        got: list[int] = []
        async with served(flow) as (_, base):
            async with connect(f"{base}/ws/echo", additional_headers={"X-API-Key": key}) as ws:
                try:
                    for i in range(3):
                        await ws.send(json.dumps({"payload": i}))
                        got.append(json.loads(await ws.recv())["payload"])
                except ConnectionClosed as closed:
                    assert closed.rcvd is not None
                    return got, closed.rcvd.code, closed.rcvd.reason
        raise AssertionError("unreachable")

    got, code, reason = run(go())
    assert got == [0, 1]
    assert code == 1008 and "quota" in reason


def test_a_handshake_with_two_different_credentials_is_refused(keys: Path) -> None:
    key = add_key(keys, "sensor-7", ["frames:send"])
    other = add_key(keys, "sensor-8", ["frames:send"])
    flow = FLOW.format(extra="")
    assert refused(flow, "/ws/echo", {"Authorization": f"Bearer {key}",
                                      "X-API-Key": other}) == 401
    assert refused(flow, "/ws/echo", {"Authorization": "Basic b3BzOnB3",
                                      "X-API-Key": key}) == 401
