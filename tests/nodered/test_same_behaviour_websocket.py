"""Imported flows with WebSocket nodes behave as in Node-RED: real Node-RED and ``flowrt run``
serve (or connect out from) the same export, a real WebSocket client or server on 127.0.0.1
talks to each the same way, and what comes back is compared.

- Listener: websocket in on a path -> a function (text in upper case, with its length) ->
  websocket out on the same listener: an echo, answered to the client that sent the frame;
  text and binary frames, an empty one, one the function drops. Whole-message mode ("entire
  message"): objects, other JSON and text that is not JSON, sent back as JSON. A flow that
  deletes ``_session`` broadcasts to every client. A status node on the websocket in sends
  its status texts ("connected N", "disconnected") to a watching client.
- Client: websocket in on a websocket-client -> a change node (upper case, ``_session``
  deleted) -> websocket out on the same client, against a test server that offers a
  subprotocol, sends text and binary frames, and drops the connection once: the client
  connects again by itself and goes on.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_websocket.py`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from websockets.sync.client import connect
from websockets.sync.server import ServerConnection, serve
from websockets.typing import Subprotocol

from tests.nodered.helpers import nodered_home
from tests.nodered.live import flowrt_serving, nodered_serving

UPPER = ('if (msg.payload === "drop") { return null; }\n'
         'if (typeof msg.payload === "string") {\n'
         '    msg.payload = msg.payload.toUpperCase() + " (" + msg.payload.length + ")";\n'
         '}\nreturn msg;')

READY: list[dict[str, Any]] = [
    {"id": "ready", "type": "http in", "z": "t", "url": "/ready", "method": "get",
     "upload": False, "swaggerDoc": "", "wires": [["answer"]]},
    {"id": "answer", "type": "http response", "z": "t", "statusCode": "", "headers": {},
     "wires": []},
]

LISTENER_FLOW: list[dict[str, Any]] = [
    {"id": "t", "type": "tab", "label": "websocket"},
    {"id": "echo-path", "type": "websocket-listener", "path": "/ws/echo", "wholemsg": "false"},
    {"id": "whole-path", "type": "websocket-listener", "path": "/ws/whole", "wholemsg": "true"},
    {"id": "all-path", "type": "websocket-listener", "path": "/ws/all", "wholemsg": "false"},
    {"id": "status-path", "type": "websocket-listener", "path": "/ws/status",
     "wholemsg": "false"},
    {"id": "echo-in", "type": "websocket in", "z": "t", "server": "echo-path", "client": "",
     "wires": [["upper"]]},
    {"id": "upper", "type": "function", "z": "t", "func": UPPER, "outputs": 1,
     "wires": [["echo-out"]]},
    {"id": "echo-out", "type": "websocket out", "z": "t", "server": "echo-path", "client": "",
     "wires": []},
    {"id": "whole-in", "type": "websocket in", "z": "t", "server": "whole-path", "client": "",
     "wires": [["mark"]]},
    {"id": "mark", "type": "change", "z": "t", "rules": [
        {"t": "set", "p": "topic", "pt": "msg", "to": "echoed", "tot": "str"}],
     "wires": [["whole-out"]]},
    {"id": "whole-out", "type": "websocket out", "z": "t", "server": "whole-path",
     "client": "", "wires": []},
    {"id": "all-in", "type": "websocket in", "z": "t", "server": "all-path", "client": "",
     "wires": [["forget"]]},
    {"id": "forget", "type": "change", "z": "t", "rules": [
        {"t": "delete", "p": "_session", "pt": "msg"}], "wires": [["all-out"]]},
    {"id": "all-out", "type": "websocket out", "z": "t", "server": "all-path", "client": "",
     "wires": []},
    {"id": "watch", "type": "status", "z": "t", "scope": ["echo-in"], "wires": [["say"]]},
    {"id": "say", "type": "change", "z": "t", "rules": [
        {"t": "set", "p": "payload", "pt": "msg", "to": "status.text", "tot": "msg"}],
     "wires": [["status-out"]]},
    {"id": "status-out", "type": "websocket out", "z": "t", "server": "status-path",
     "client": "", "wires": []},
    *READY,
]

ECHO_FRAMES: list[str | bytes] = ["hello", "grüße", b"\x00\x01\xff", "", "drop", "last"]
WHOLE_FRAMES = ['{"payload": {"n": 1, "list": [1, 2.5]}, "topic": "t", "extra": true}', "42",
                '"text"', "not json", "true", '{"payload": "with id", "_msgid": "given"}']
"""JSON arrays and ``null`` are left out: Node-RED sends an array's first element as the message
(or nothing) and fails on ``null``; flowrt makes them the payload (docs/nodered.md, known
differences)."""


def _status_text(text: str | bytes) -> str | bytes:
    """Node-RED's status node sees the editor's translation key for some texts
    (``common.status.disconnected``); flowrt's status texts are the words themselves
    (docs/nodered.md, known differences)."""
    if isinstance(text, str) and text.startswith("common.status."):
        return text.removeprefix("common.status.")
    return text


def _without_msgid(text: str | bytes) -> Any:
    parsed = json.loads(text)
    if isinstance(parsed, dict) and parsed.get("_msgid") != "given":
        parsed.pop("_msgid", None)
    return parsed


def _talk_to_listeners(base: str) -> dict[str, Any]:
    ws_base = base.replace("http://", "ws://")
    out: dict[str, Any] = {}
    with connect(f"{ws_base}/ws/status", open_timeout=30) as watcher:
        with connect(f"{ws_base}/ws/echo", open_timeout=30) as one:
            with connect(f"{ws_base}/ws/echo", open_timeout=30) as two:
                two.send("from two")
                out["two"] = two.recv(timeout=30)
                replies = []
                for frame in ECHO_FRAMES:
                    one.send(frame)
                    if frame == "drop":
                        continue
                    reply = one.recv(timeout=30)
                    replies.append([type(reply).__name__, reply])
                out["echo"] = replies
            time.sleep(0.5)  # the second client's close reaches the server
        statuses: list[str | bytes] = []
        while len(statuses) < 4:
            statuses.append(_status_text(watcher.recv(timeout=30)))
        out["statuses"] = statuses
    with connect(f"{ws_base}/ws/whole", open_timeout=30) as whole:
        answers = []
        for frame in WHOLE_FRAMES:
            whole.send(frame)
            answers.append(_without_msgid(whole.recv(timeout=30)))
        out["whole"] = answers
    with connect(f"{ws_base}/ws/all", open_timeout=30) as a, \
            connect(f"{ws_base}/ws/all", open_timeout=30) as b:
        time.sleep(0.5)  # both are registered before the broadcast
        a.send("to everyone")
        out["broadcast"] = [a.recv(timeout=30), b.recv(timeout=30)]
    return out


def test_a_listener_echo_answers_as_in_node_red(tmp_path: Path) -> None:
    home = nodered_home()
    with nodered_serving(LISTENER_FLOW, home, tmp_path / "nr", ready="/ready") as base:
        theirs = _talk_to_listeners(base)
    with flowrt_serving(LISTENER_FLOW, tmp_path / "rt", ready="/ready") as base:
        ours = _talk_to_listeners(base)
    assert theirs["echo"][2] == ["bytes", b"\x00\x01\xff"]
    assert theirs["statuses"] == ["connected 1", "connected 2", "connected 1", "disconnected"]
    assert ours == theirs, json.dumps({"flowrt": repr(ours), "node-red": repr(theirs)},
                                      indent=1)


class Peer:
    """A WebSocket server (threads) for the client flows: it sends two frames on each
    connection, drops the first connection after it has two answers, and keeps what it
    receives."""

    def __init__(self) -> None:
        self.received: list[tuple[int, str, Any]] = []
        self.protocols: list[str | None] = []
        self.lock = threading.Lock()

    def handle(self, ws: ServerConnection) -> None:
        with self.lock:
            self.protocols.append(ws.subprotocol)
            number = len(self.protocols)
        ws.send(f"hello {number}")
        ws.send(bytes([number, 0xFF]))
        answers = 0
        for data in ws:
            with self.lock:
                self.received.append((number, type(data).__name__, data))
            answers += 1
            if number == 1 and answers == 2:
                ws.close()
                return

    def settled(self) -> bool:
        with self.lock:
            return len(self.received) >= 4


@contextmanager
def peer_serving() -> Iterator[tuple[Peer, int]]:
    peer = Peer()
    offered = [Subprotocol("v2.flowrt"), Subprotocol("v1.flowrt")]
    with serve(peer.handle, "127.0.0.1", 0, subprotocols=offered) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield peer, server.socket.getsockname()[1]
        finally:
            server.shutdown()
            thread.join(timeout=30)


def _client_flow(port: int) -> list[dict[str, Any]]:
    return [
        {"id": "t", "type": "tab", "label": "client"},
        {"id": "feed", "type": "websocket-client", "path": f"ws://127.0.0.1:{port}/feed",
         "tls": "", "wholemsg": "false", "hb": "0", "subprotocol": "v1.flowrt",
         "headers": []},
        {"id": "in", "type": "websocket in", "z": "t", "server": "", "client": "feed",
         "wires": [["shout"]]},
        {"id": "shout", "type": "function", "z": "t", "outputs": 1, "wires": [["out"]],
         "func": 'delete msg._session;\nif (typeof msg.payload === "string") '
                 '{ msg.payload = msg.payload.toUpperCase(); }\nreturn msg;'},
        {"id": "out", "type": "websocket out", "z": "t", "server": "", "client": "feed",
         "wires": []},
        *READY,
    ]


def _client_exchange(serving: Callable[[list[dict[str, Any]], Path], Any],
                     work: Path) -> dict[str, Any]:
    with peer_serving() as (peer, port), serving(_client_flow(port), work):
        deadline = time.monotonic() + 90
        while not peer.settled() and time.monotonic() < deadline:
            time.sleep(0.1)
        with peer.lock:
            return {"received": sorted(peer.received, key=repr), "protocols": peer.protocols}


def test_a_client_echo_and_its_reconnection_behave_as_in_node_red(tmp_path: Path) -> None:
    home = nodered_home()
    theirs = _client_exchange(
        lambda nodes, work: nodered_serving(nodes, home, work / "nr", ready="/ready"), tmp_path)
    ours = _client_exchange(lambda nodes, work: flowrt_serving(nodes, work / "rt",
                                                               ready="/ready"), tmp_path)
    assert theirs["protocols"][:2] == ["v1.flowrt", "v1.flowrt"]  # it connected again
    assert (1, "str", "HELLO 1") in theirs["received"]
    assert (2, "bytes", b"\x02\xff") in theirs["received"]
    assert ours["received"] == theirs["received"]
    assert ours["protocols"][:2] == theirs["protocols"][:2]
