"""An http-in with access settings is not exported to Node-RED as an open endpoint: Node-RED's
http in has no auth, rate, quota or CORS of its own, so it becomes a comment and a note."""

from __future__ import annotations

from flowrt.load import load_text
from flowrt.nodered.export import export_documents
from tests.nodes.http.serving import registry

FLOW = """\
flowrt: 1
id: api
nodes:
  open:
    type: http-in
    url: /open
    to: reply
  keyed:
    type: http-in
    method: post
    url: /readings
    auth: key
    rate: 5
    to: reply
  reply:
    type: http-response
"""


def test_a_guarded_endpoint_becomes_a_comment_with_a_note() -> None:
    nodes, notes = export_documents([load_text(FLOW, "api.yaml")], registry())
    by_id = {n["id"]: n for n in nodes}
    assert by_id["open"]["type"] == "http in"
    assert by_id["keyed"]["type"] == "comment"
    assert '"auth": "key"' in by_id["keyed"]["info"]
    text = str(notes.__dict__)
    assert "auth, rate" in text and "would be open" in text


def test_a_guarded_websocket_listener_is_not_exported_open() -> None:
    from flowrt.registry import Registry
    from flowrt.registry.discover import walk_pack
    from flowrt.registry.spec import spec_for

    flow = """\
flowrt: 1
id: ws
connections:
  devices: {type: websocket-listener, path: /ws/devices, auth: key}
  chat: {type: websocket-listener, path: /ws/chat}
nodes:
  frames: {type: websocket-in, listener: devices}
  talk: {type: websocket-in, listener: chat}
"""
    packs = Registry(spec_for(cls, pack) for pack in ("core", "websocket")
                     for cls in walk_pack(f"flowrt_nodes.{pack}"))
    nodes, notes = export_documents([load_text(flow, "ws.yaml")], packs)
    by_id = {n["id"]: n for n in nodes}
    assert by_id["chat"]["type"] == "websocket-listener"
    assert by_id["devices"]["type"] == "comment"
    assert "would be open" in str(notes.__dict__)
