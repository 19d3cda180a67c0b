"""tcp-request: send a message to a TCP service and pass on its answer."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Literal

from pydantic import field_validator

from flowrt.api import (
    MISSING,
    AsyncTransform,
    Message,
    NodeConfig,
    NodeError,
    clone,
    field,
    js_string,
)

from .tcp_in import connections_text
from .tcp_link import TcpLink

WAITING = 1000
"""Messages waiting per address while its connection opens; the oldest is dropped beyond."""

ReturnWhen = Literal["timeout", "count", "character", "never", "immediately"]


class TcpRequest(AsyncTransform):
    """Send `msg.payload` to a TCP server and send on what it answers.

    ### Inputs

    - `payload`: written on the connection: bytes as they are, text as UTF-8, anything else
      as its text. A message with no payload writes nothing.
    - `host`, `port`: the server, when the node's `host` / `port` are not set.
    - `reset` (`return_when: never`): `true` closes every connection, `"host:port"` that
      one; a message with only `reset` sends nothing.

    ### Outputs

    A copy of the latest message sent to that server, with the answer as `payload` (bytes, or
    text with `output: string`).

    ### Details

    One connection is kept per server (`host:port`). Messages that arrive while it opens wait
    (up to 1,000; beyond, the oldest is dropped with a warning) and are written in order. The
    answer is complete, and the connection closed, per `return_when`:

    - `timeout`: `timeout` seconds after the first bytes of the answer arrived;
    - `count`: once `count` bytes arrived;
    - `character`: once the byte `character` arrived (it ends the payload);
    - `never`: the connection stays open and each chunk read is a message (with
      `output: string` and a `newline`, each delimited part);
    - `immediately`: the connection is closed once the messages are written; nothing is sent.

    A connection that cannot be made, or fails, is an error for catch nodes, with the message.

    ```yaml
    ask_scale:
      type: tcp-request
      host: scale.local
      port: 4001
      return_when: character
      character: "\\n"
      output: string
    ```
    """

    type = "tcp-request"
    icon = "plug"

    class Config(NodeConfig):
        host: str | None = field(
            None, description="The server; when not set, `msg.host`.", examples=["scale.local"]
        )
        port: int | None = field(
            None, ge=1, le=65535, description="The port; when not set, `msg.port`.",
            examples=[4001],
        )
        return_when: ReturnWhen = field(
            "timeout", description="When the answer is complete: after `timeout`, after "
            "`count` bytes, on `character`, `never` (keep the connection), or `immediately` "
            "(send nothing back).",
        )
        timeout: float = field(
            0.0, ge=0, description="Seconds from the first bytes of the answer to its end "
            "(`return_when: timeout`).",
        )
        count: int = field(1, ge=1, description="Bytes in an answer (`return_when: count`).")
        character: str = field(
            "\n", min_length=1, max_length=1,
            description="The byte that ends an answer (`return_when: character`).",
            examples=["\n", "\r"],
        )
        output: Literal["buffer", "string"] = field(
            "buffer", description="The answer as bytes or as UTF-8 text."
        )
        newline: str = field(
            "", description="With `return_when: never` and `output: string`, split what is "
            "read at this delimiter.", examples=["\n"],
        )
        keep_newline: bool = field(
            False, description="Put the delimiter back at the end of each part."
        )

        @field_validator("character")
        @classmethod
        def _one_byte(cls, value: str) -> str:
            if ord(value) > 255:
                raise ValueError("the character must be one byte (code 0 to 255)")
            return value

    config: Config

    async def start(self) -> None:
        self._links: dict[str, TcpLink] = {}
        self._last_key = ""

    async def receive(self, msg: Message) -> None:
        c = self.config
        payload = msg.get("payload", MISSING)
        if payload is not MISSING and not isinstance(payload, bytes | str):
            msg["payload"] = js_string(payload)
        host = c.host or msg.get("host")
        port = c.port or msg.get("port")
        if c.return_when == "never" and msg.get("reset"):
            self._reset(msg["reset"])
            if "payload" not in msg:
                return
        if not host or not port:
            self.ctx.warn("host and/or port not set", msg)
            return
        key = f"{host}:{port}"
        if key != self._last_key:
            self.ctx.status(None, None, "")
            self._last_key = key
        link = self._links.setdefault(key, TcpLink(key))
        if len(link.waiting) >= WAITING:
            dropped = link.waiting.popleft()
            self.ctx.warn(f"{WAITING} messages wait for {key}: dropped the oldest", dropped)
            self.ctx.done(dropped)
        self.ctx.hold(msg)
        link.waiting.append(msg)
        link.last = msg
        if link.connected:
            self._flush(link)
        elif not link.connecting:
            link.connecting = True
            link.task = asyncio.create_task(self._open(link, str(host), port))

    def _reset(self, reset: Any) -> None:
        if reset is True:
            for link in list(self._links.values()):
                self._forget(link)
        elif isinstance(reset, str) and ":" in reset and reset in self._links:
            self._forget(self._links[reset])
        count = len(self._links)
        self.ctx.status("green", "ring" if count == 0 else "dot", connections_text(count))

    def _forget(self, link: TcpLink) -> None:
        link.close()
        while link.waiting:  # reset before its connection opened: nothing was written
            self.ctx.done(link.waiting.popleft())
        if self._links.get(link.key) is link:
            del self._links[link.key]

    async def _open(self, link: TcpLink, host: str, port: Any) -> None:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as exc:
            self.ctx.status("red", "ring", "error")
            error = NodeError(f"connect failed {link.key}: {exc.strerror or exc}")
            while link.waiting:
                self.ctx.done(link.waiting.popleft(), error)
            self._forget(link)
            return
        if self._links.get(link.key) is not link:  # reset meanwhile
            writer.close()
            return
        link.writer, link.connecting = writer, False
        self.ctx.status("green", "dot", connections_text(len(self._links)))
        self._flush(link)
        if self.config.return_when == "immediately":
            self._forget(link)
            self.ctx.status(None, None, "")
            return
        await self._read(link, reader, writer)

    def _flush(self, link: TcpLink) -> None:
        assert link.writer is not None
        while link.waiting:
            msg = link.waiting.popleft()
            payload = msg.get("payload", MISSING)
            if payload is not MISSING:
                link.writer.write(payload.encode("utf-8") if isinstance(payload, str) else payload)
            self.ctx.done(msg)

    async def _read(self, link: TcpLink, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                data = await reader.read(65536)
            except OSError as exc:
                self.ctx.status("red", "ring", "error")
                self.ctx.error(NodeError(f"connect failed {link.key}: {exc}"), clone(link.last))
                self._forget(link)
                return
            if not data or link.writer is not writer:
                break
            self._take(link, data)
        if link.writer is writer:  # the server closed it: the next message connects again
            self.ctx.status("grey", "ring", "disconnected")
            link.writer = None
            writer.close()

    def _take(self, link: TcpLink, data: bytes) -> None:
        c = self.config
        if c.return_when == "never":
            if c.output == "buffer":
                self._answer(link, data)
            elif c.newline:
                parts = (link.text + data.decode("utf-8", "replace")).split(c.newline)
                link.text = parts.pop()
                for part in parts:
                    self._answer(link, part + c.newline if c.keep_newline else part)
            else:
                self._answer(link, data.decode("utf-8", "replace"))
        elif c.return_when == "timeout":
            link.answer += data
            if link.timer is None:
                link.timer = self.ctx.call_later(c.timeout, lambda: self._timed_out(link))
        elif c.return_when == "count":
            link.answer += data
            if len(link.answer) >= c.count:
                self._complete(link, bytes(link.answer[: c.count]))
        elif c.return_when == "character":
            end = data.find(ord(c.character))
            link.answer += data if end < 0 else data[: end + 1]
            if end >= 0:
                self._complete(link, bytes(link.answer))

    def _timed_out(self, link: TcpLink) -> None:
        link.timer = None
        if self._links.get(link.key) is link:
            self._complete(link, bytes(link.answer))

    def _complete(self, link: TcpLink, answer: bytes) -> None:
        """An answer is whole: send it, and close its connection."""
        c = self.config
        self._answer(link, answer.decode("utf-8", "replace") if c.output == "string" else answer)
        self.ctx.status(None, None, "")
        self._forget(link)

    def _answer(self, link: TcpLink, payload: bytes | str) -> None:
        out = clone(link.last)
        out["payload"] = payload
        self.ctx.send(out)

    async def stop(self) -> None:
        links = list(self._links.values())
        self._links.clear()
        for link in links:
            link.close()
            while link.waiting:
                self.ctx.done(link.waiting.popleft())
            if link.task is not None:
                link.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await link.task
