"""The network loop of one paho client, on a thread of its own that can stop reading.

paho's ``loop_start`` reads the socket as fast as the broker sends. A broker is meant to send
no more unacknowledged QoS 1 messages than its window (the MQTT 5 receive maximum, or its own
limit), and mqtt-in acknowledges a message only once the flow finished it, so a slow flow
holds back the broker. Not every broker keeps to its window: Mosquitto 2.0.11 refills its whole
window each time the oldest message in flight is acknowledged, so a consumer that acknowledges
in order gets the session's whole queue, into memory.

This loop does what ``loop_start`` does (select, ``loop_read``, ``loop_write``, ``loop_misc``)
but stops reading while ``window`` QoS 1 messages it read are not yet acknowledged: the rest
waits in TCP buffers and at the broker, whatever the broker does. It reads on regardless while
something else waits for the broker (a CONNACK, a SUBACK, the PUBACK of a message mqtt-out
published, the close message of a connection closing), so a flow that relays from mqtt-in to
mqtt-out on one connection never waits on itself. Writing (acknowledgements, publishes) goes
on while reading is paused; paho's keep-alive checks run only while reading (they would take
an unread PINGRESP for a dead broker), and acknowledgements keep the connection alive
meanwhile. A stopping loop first writes what is queued (the DISCONNECT that keeps the broker
from publishing the will).

paho reads a packet with three ``recv`` calls at least (its first byte, its length a byte at a
time, the rest), and its ``loop_read`` reads one packet. So the loop gives paho a
:class:`BufferedSocket`, which reads what the kernel holds in one call and hands it out, and
reads every packet that buffer holds before it looks at the socket again: a burst costs a
``recv`` and a ``select`` per buffer, not four system calls per message.

paho writes each packet it has queued with a ``send`` of its own: a commit of the journal
acknowledges hundreds of messages, hundreds of 4-byte PUBACKs, a system call each (and, on a
local broker, its delivery too, counted to this thread). The :class:`BufferedSocket` gathers
them: while paho's queue holds more packets after the one it writes, that one is kept (and
reported written); the last goes with everything kept before it in one ``send``. What a full
socket refuses stays kept, in order, and paho is told to try its packet again later.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

TICK = 1.0
"""Seconds the loop waits for the socket at most, as paho's own loop does."""
STOP_WRITING = 2.0
"""Seconds a stopping loop may take to write what is still queued (a DISCONNECT)."""
CHUNK = 65536
"""Bytes read from the socket at once."""
BURST = 256
"""Packets read from the buffer before the loop looks at the socket and the wake-ups again."""


class BufferedSocket:
    """paho's socket, read ``CHUNK`` bytes at a time: ``recv(n)`` hands out at most ``n`` of
    the bytes read, and reads again only once they are all handed out. ``pending()`` says how
    many wait here (and, for TLS, in the TLS layer), as an ``ssl.SSLSocket`` says of its own.

    Given paho's queue of packets to write (``queued``), ``send`` gathers: see the module.
    Everything else is the socket's own (``select`` sees its ``fileno``)."""

    def __init__(self, sock: Any, queued: Any = None) -> None:
        self.sock = sock
        self._data = b""
        self._at = 0
        self._queued = queued
        self._kept: list[bytes] = []
        self._kept_size = 0

    def send(self, data: Any) -> int:
        """Keep ``data`` while paho has more packets to write after it (up to ``CHUNK`` bytes
        kept), and say it is written; otherwise send it with what is kept, in one call. Raises
        as the socket does (nothing taken then), and BlockingIOError when no byte of ``data``
        went: what was kept and not sent stays kept, and paho writes ``data`` again later."""
        queued = self._queued
        if queued and self._kept_size < CHUNK:
            self._kept.append(bytes(data))
            self._kept_size += len(data)
            return len(data)
        if not self._kept:
            sent: int = self.sock.send(data)
            return sent
        kept = b"".join(self._kept)
        sent = self.sock.send(kept + bytes(data))
        if sent <= len(kept):  # none of data went: paho drops a packet written as 0 bytes
            rest = kept[sent:]
            self._kept, self._kept_size = ([rest] if rest else []), len(rest)
            raise BlockingIOError("the socket took only packets kept before this one")
        self._kept, self._kept_size = [], 0
        return sent - len(kept)

    def close(self) -> None:
        """Send what is kept if the socket takes it at once (paho closes right after writing a
        DISCONNECT), then close."""
        if self._kept:
            with contextlib.suppress(OSError):
                self.sock.send(b"".join(self._kept))
            self._kept, self._kept_size = [], 0
        self.sock.close()

    def recv(self, size: int) -> bytes:
        at = self._at
        if at >= len(self._data):
            data: bytes = self.sock.recv(max(size, CHUNK))  # raises as the socket does
            if len(data) <= size:
                return data
            self._data, self._at = data, size
            return data[:size]
        self._at = end = at + size
        return self._data[at:end]

    def pending(self) -> int:
        held = len(self._data) - self._at
        inner = getattr(self.sock, "pending", None)
        return held + inner() if inner is not None else held

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


def buffered(client: Any) -> None:
    """Have ``client`` (connected, paho 2.x) read and write through a :class:`BufferedSocket`;
    a client whose socket is not where paho 2.x keeps it reads and writes as it did, and one
    whose queue of packets to write is not a deque where paho 2.x keeps it writes as it did."""
    sock = getattr(client, "_sock", None)
    if sock is not None and not isinstance(sock, BufferedSocket) and hasattr(sock, "recv"):
        queued = getattr(client, "_out_packet", None)
        client._sock = BufferedSocket(sock, queued if isinstance(queued, deque) else None)


class NetworkLoop:
    """Runs ``client``'s network traffic until its socket closes or :meth:`stop`."""

    def __init__(
        self, client: Any, name: str, window: int, must_read: Callable[[], bool]
    ) -> None:
        self.client = client
        self.window = window
        self.must_read = must_read
        self._read = 0
        self._acked = 0
        self._stopping = False
        self._stop_by = 0.0
        self._woken = False
        """A wake is on its way: the loop has not yet looked again since it was sent."""
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        client.user_data_set(self)
        client.on_socket_register_write = lambda *_: self.wake()
        buffered(client)
        self.thread = threading.Thread(
            target=self._run, name=f"flowrt-mqtt-{name}", daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        """End the loop once what is queued (a DISCONNECT) is written, or after
        ``STOP_WRITING`` seconds, and wait for its thread (blocking: run it in a thread)."""
        self._stop_by = time.monotonic() + STOP_WRITING
        self._stopping = True
        self.wake()
        if self.thread.is_alive() and threading.current_thread() is not self.thread:
            self.thread.join()
        self._wake_r.close()
        self._wake_w.close()

    def wake(self) -> None:
        """Have the loop look again now: something to write, or room to read. One wake at a
        time is enough (the loop looks at everything once woken): an acknowledgement and the
        PUBACK it queues, or a burst of them, cost one write to the wake socket, not two each."""
        if self._woken:
            return
        self._woken = True
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    # counting: QoS 1 messages read (in paho's callbacks, on this thread) and acknowledged
    # (from the event loop). Each count has one thread that writes it, so neither takes a lock;
    # a count read a moment stale only pauses reading until the wake that follows it.

    def received(self, message: Any) -> None:
        if message.qos == 1:
            self._read += 1

    def acknowledged(self, count: int = 1) -> None:
        self._acked += count
        self.wake()

    @property
    def held(self) -> int:
        return self._read - self._acked

    def reading(self) -> bool:
        return self._read - self._acked < self.window or self.must_read()

    # the loop ---------------------------------------------------------------------------

    def _run(self) -> None:
        client = self.client
        while True:
            sock = client.socket()
            if sock is None:
                return
            if self._stopping and (not client.want_write() or time.monotonic() > self._stop_by):
                return
            reading = self.reading()
            pending = reading and hasattr(sock, "pending") and sock.pending() > 0
            wlist = [sock] if client.want_write() else []
            try:
                readable, writable, _ = select.select(
                    [self._wake_r, sock] if reading else [self._wake_r], wlist, [],
                    0.0 if pending else TICK,
                )
            except (OSError, ValueError, TypeError):
                return  # the socket was closed under us: paho reports the loss
            if self._wake_r in readable:
                with contextlib.suppress(OSError):
                    self._wake_r.recv(4096)
                self._woken = False  # after draining: a wake skipped before this is seen below
            if reading and (pending or sock in readable):
                for _ in range(BURST):  # what the buffer holds, while the window allows
                    if client.loop_read() or client.socket() is None:
                        return
                    if not (hasattr(sock, "pending") and sock.pending() > 0 and self.reading()):
                        break
            if sock in writable:
                if client.loop_write() or client.socket() is None:
                    return
            if reading and client.loop_misc():
                return
