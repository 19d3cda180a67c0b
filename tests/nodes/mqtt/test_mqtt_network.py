"""The socket a connection's network loop gives paho (mqtt_network.BufferedSocket): packets paho
has queued go out in one ``send`` each time it writes, in order, none lost or sent twice when the
socket takes only part of them, and what is kept is sent before the socket closes."""

from __future__ import annotations

import struct
from typing import Any

import paho.mqtt.client as mqtt
from flowrt_nodes.mqtt.mqtt_network import CHUNK, BufferedSocket, buffered
from paho.mqtt.enums import CallbackAPIVersion


class Peer:
    """A socket that takes at most ``room`` bytes a call (None: all), and none while ``full``."""

    def __init__(self, room: int | None = None) -> None:
        self.room = room
        self.full = False
        self.sends = 0
        self.taken = bytearray()
        self.closed = False

    def send(self, data: bytes) -> int:
        self.sends += 1
        if self.full:
            raise BlockingIOError
        took = bytes(data[: self.room]) if self.room is not None else bytes(data)
        self.taken += took
        return len(took)

    def recv(self, size: int) -> bytes:
        raise BlockingIOError

    def close(self) -> None:
        self.closed = True


def _client(peer: Peer) -> Any:
    client: Any = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5,
                              manual_ack=True)
    client._sock = peer
    client._state = vars(mqtt)["_ConnectionState"].MQTT_CS_CONNECTED
    client.on_socket_register_write = lambda *_: None  # as the loop has it: paho only queues
    buffered(client)
    assert isinstance(client._sock, BufferedSocket)
    return client


def _pubacks(mids: range) -> bytes:
    return b"".join(struct.pack("!BBH", 0x40, 2, mid) for mid in mids)


def test_queued_acknowledgements_go_out_in_one_send() -> None:
    peer = Peer()
    client = _client(peer)
    for mid in range(1, 301):
        client.ack(mid, 1)
    assert peer.sends == 0  # queued by paho, not written yet
    assert client.loop_write() == 0
    assert peer.taken == _pubacks(range(1, 301))
    assert peer.sends == 1
    assert not client.want_write()


def test_kept_bytes_are_sent_once_each_when_the_socket_takes_little_at_a_time() -> None:
    peer = Peer(room=7)  # less than two PUBACKs a call, and not on a packet's edge
    client = _client(peer)
    for mid in range(1, 51):
        client.ack(mid, 1)
    for _ in range(200):
        if not client.want_write():
            break
        assert client.loop_write() == 0
    assert not client.want_write()
    assert peer.taken == _pubacks(range(1, 51))


def test_a_full_socket_keeps_everything_for_later() -> None:
    peer = Peer()
    client = _client(peer)
    for mid in range(1, 11):
        client.ack(mid, 1)
    peer.full = True
    assert client.loop_write() == 0
    assert client.want_write()
    assert peer.taken == b""
    peer.full = False
    client.ack(11, 1)
    assert client.loop_write() == 0
    assert peer.taken == _pubacks(range(1, 12))
    assert not client.want_write()


def test_no_more_than_a_chunk_is_kept() -> None:
    peer = Peer()
    client = _client(peer)
    count = CHUNK // 4 * 3
    for mid in range(1, count + 1):
        client.ack(mid % 65535 + 1, 1)
    assert client.loop_write() == 0
    assert peer.taken == b"".join(struct.pack("!BBH", 0x40, 2, mid % 65535 + 1)
                                  for mid in range(1, count + 1))
    assert 2 <= peer.sends <= 4


def test_what_is_kept_is_sent_before_the_socket_closes() -> None:
    peer = Peer()
    sock = BufferedSocket(peer, queued=[object()])  # paho has more to write after these
    assert sock.send(b"\x40\x02\x00\x01") == 4
    assert sock.send(b"\xe0\x00") == 2
    assert peer.taken == b""
    sock.close()
    assert peer.taken == b"\x40\x02\x00\x01\xe0\x00"
    assert peer.closed


def test_without_paho_queue_each_packet_is_sent_at_once() -> None:
    peer = Peer()
    sock = BufferedSocket(peer)
    assert sock.send(b"\x40\x02\x00\x01") == 4
    assert peer.taken == b"\x40\x02\x00\x01"
    assert peer.sends == 1
