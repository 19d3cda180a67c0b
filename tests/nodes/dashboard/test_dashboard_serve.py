"""The dashboard under `flowrt serve` (in process): a browser that connects is sent the layout
and every widget's current state at once, a chart's history too; two browsers are kept in
sync; what an input widget sends reaches the flow with `msg.socketid` and `msg._client`; a
redeploy sends browsers away (1001), and back they get the new layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.nodes.dashboard.boards import BOARD
from tests.security.http_kit import client_of


def states(ws: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    """Read update frames until each widget of ``wanted`` shows its value; the states seen."""
    seen: dict[str, Any] = {}
    for _ in range(200):
        frame = ws.receive_json()
        for u in frame.get("u", []):
            seen[u["w"]] = u
        if all(w in seen and pred(seen[w]) for w, pred in wanted.items()):
            return seen
    raise AssertionError(f"never saw {list(wanted)}: {seen}")


def test_state_is_replayed_to_a_new_browser(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", {"board.yaml": BOARD}) as client:
        for topic, value in (("a", 21.5), ("b", 19), ("a", 22)):
            assert client.post("/feed", json={"topic": topic, "value": value}).status_code == 200
        with client.websocket_connect("/dashboard/ws") as ws:
            hello = ws.receive_json()
            seen = states(ws, {"temp": lambda u: u["s"]["text"] == "22 °C",
                               "trend": lambda u: len(u["points"].get("a", [])) == 2})
    assert hello["t"] == "hello" and hello["socketid"]
    pages = hello["layout"]["pages"]
    assert [p["id"] for p in pages] == ["home", "controls"]
    assert [(w["id"], w["type"], w["width"], w["height"]) for w in pages[0]["groups"][0]["widgets"]
            ] == [("temp", "text", 6, 1), ("dial", "gauge", 3, 3), ("trend", "chart", 6, 4)]
    assert seen["dial"]["s"] == {"value": 22, "text": "22"}
    assert [v for _, v in seen["trend"]["points"]["a"]] == [21.5, 22]
    assert [v for _, v in seen["trend"]["points"]["b"]] == [19]


def test_two_browsers_stay_in_sync_and_inputs_reach_the_flow(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", {"board.yaml": BOARD}) as client, \
            client.websocket_connect("/api/events") as events, \
            client.websocket_connect("/dashboard/ws") as one, \
            client.websocket_connect("/dashboard/ws") as two:
        first = one.receive_json()["socketid"]
        second = two.receive_json()["socketid"]
        one.send_json({"t": "input", "w": "fan", "v": True})
        for ws in (one, two):
            states(ws, {"fan": lambda u: u["s"] == {"on": True}})
        two.send_json({"t": "input", "w": "setpoint", "v": 17.3})
        for ws in (one, two):
            states(ws, {"setpoint": lambda u: u["s"] == {"value": 17.5}})
        one.send_json({"t": "input", "w": "press", "v": True})
        debug: list[dict[str, Any]] = []
        while len(debug) < 3:
            event = events.receive_json()
            if event["type"] == "debug":
                debug.append(event["msg"])
    assert first != second
    assert [(m["payload"], m.get("topic"), m["socketid"]) for m in debug] == [
        ("on", None, first), (17.5, None, second), ("pressed", "buttons", first)]
    assert debug[0]["_client"]["socketid"] == first
    assert set(debug[0]["_client"]) == {"socketid", "user", "address"}


def test_a_message_in_sets_an_input_widget_without_sending(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", {"board.yaml": BOARD}) as client, \
            client.websocket_connect("/dashboard/ws") as ws:
        ws.receive_json()
        client.post("/feed", json={"topic": "x", "value": "on"})
        client.post("/feed", json={"topic": "x", "value": 99})
        seen = states(ws, {"fan": lambda u: u["s"] == {"on": True},
                           "setpoint": lambda u: u["s"] == {"value": 30}})
    assert seen["temp"]["s"] == {"text": "99 °C"}


def test_a_redeploy_sends_browsers_away_and_back_to_the_new_layout(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", {"board.yaml": BOARD}) as client:
        with client.websocket_connect("/dashboard/ws") as ws:
            assert ws.receive_json()["layout"]["title"] == "Test board"
            (tmp_path / "flows" / "board.yaml").write_text(
                BOARD.replace("title: Test board", "title: New board"), encoding="utf-8")
            deployed = client.post("/api/deploy", json={"mode": "full"},
                                   headers={"X-Flowrt-Request": "1"})
            assert deployed.status_code == 200, deployed.text
            with pytest.raises(WebSocketDisconnect) as gone:
                for _ in range(100):
                    ws.receive_json()
        assert gone.value.code == 1001
        with client.websocket_connect("/dashboard/ws") as again:
            assert again.receive_json()["layout"]["title"] == "New board"
