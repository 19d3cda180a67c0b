"""file-in: read a file into messages: whole, as lines, or in chunks."""

from __future__ import annotations

import asyncio
import codecs
from collections.abc import AsyncIterator
from typing import Any, BinaryIO, Literal

from flowrt.api import AsyncTransform, Message, NodeConfig, clone, field

from .file_io import Encoding, file_problem


class FileIn(AsyncTransform):
    """Read a file: its whole text or bytes in one message, or one message per line or chunk.

    ### Inputs

    - `filename` (string, optional): the file to read, when the node's `filename` is not set.

    ### Outputs

    - `payload`: the text (`format: text`), the bytes (`bytes`), one line (`lines`, without
      its line ending) or one block of bytes (`chunks`);
    - `filename`: the file that was read;
    - `parts` (for `lines` and `chunks`): `{id, index, count, type, ch}`, so a join node can
      put the sequence back together. `count` is set on the last message.

    ### Details

    A relative file name is relative to the working directory of flowrt. Under `--scripts
    sandboxed` or `deny` (or with `--files`), only files under the directories the operator
    names with `--files DIR` can be read; /proc, /sys, /dev and flowrt's secrets and users
    files never can. A file outside is an error for catch nodes. The file is read in
    a worker thread, so a large file does not stall other flows; `lines` and `chunks` read it
    block by block and never hold the whole file. Text is decoded with `encoding`; bytes that
    do not decode become U+FFFD. A file that ends with a line ending gives no empty last line,
    and an empty file gives one message with an empty payload.

    For `lines` and `chunks`, each message carries only `topic` and `filename` of the message
    that asked for the file, unless `keep_properties` is true (Node-RED's "send message
    properties"). A file that cannot be read is an error for catch nodes naming the path.
    """

    type = "file-in"
    icon = "file"
    evaluates = {"path": ("filename", "msg.filename")}

    class Config(NodeConfig):
        filename: str | None = field(
            None,
            description="The file to read; when not set, `msg.filename`.",
            examples=["/var/log/plant/readings.csv"],
        )
        format: Literal["text", "bytes", "lines", "chunks"] = field(
            "text",
            description="One text, one bytes value, one message per line, or one per chunk.",
        )
        encoding: Encoding = field("utf-8", description="The text encoding of the file.")
        chunk_size: int = field(
            65536, description="Bytes per message for `chunks`.", ge=1, advanced=True
        )
        keep_properties: bool = field(
            False,
            description="For lines and chunks: copy every property of the incoming message.",
            advanced=True,
        )

    config: Config

    async def receive(self, msg: Message) -> None:
        name = self.config.filename or msg.get("filename")
        if not name or not isinstance(name, str):
            self.ctx.warn("no file to read: set the node's filename or msg.filename", msg)
            return
        if self.config.filename is None:
            self.ctx.status("grey", "dot", name)
        fmt = self.config.format
        try:
            if fmt == "text" or fmt == "bytes":
                data = await asyncio.to_thread(self.ctx.files.read_bytes, name)
                msg["payload"] = (
                    data.decode(self.config.encoding, "replace") if fmt == "text" else data
                )
                msg["filename"] = name
                self.ctx.send(msg)
                return
            blocks = self._lines(name) if fmt == "lines" else self._chunks(name)
            await self._send_parts(msg, name, blocks)
        except OSError as exc:
            raise file_problem(exc, name, "read") from exc

    async def _send_parts(self, msg: Message, name: str, items: AsyncIterator[Any]) -> None:
        """Send each item as a part of one sequence; the last one carries the count."""
        fmt = self.config.format
        parts = {
            "id": self.ctx.new_msgid(),
            "type": "string" if fmt == "lines" else "buffer",
            "ch": "\n" if fmt == "lines" else "",
        }
        if self.config.keep_properties:
            base = {k: v for k, v in msg.items() if k != "payload"}
        else:
            base = {k: msg[k] for k in ("_msgid", "topic") if k in msg}
        base["filename"] = name
        index = 0
        previous: Any = None
        async for item in items:
            if previous is not None:
                await self.ctx.room()  # paced like a source: a big file never floods a delay
                self.ctx.send(self._part(base, parts, previous, index))
                index += 1
            previous = item
        if previous is None:
            previous = "" if fmt == "lines" else b""
        self.ctx.send(self._part(base, parts, previous, index, last=True))

    @staticmethod
    def _part(
        base: Message, parts: dict[str, Any], payload: Any, index: int, last: bool = False
    ) -> Message:
        out: Message = clone(base)
        out["payload"] = payload
        out["parts"] = {**parts, "index": index, **({"count": index + 1} if last else {})}
        return out

    async def _chunks(self, name: str) -> AsyncIterator[bytes]:
        handle: BinaryIO = await asyncio.to_thread(self.ctx.files.open, name, "r")
        try:
            while block := await asyncio.to_thread(handle.read, self.config.chunk_size):
                yield block
        finally:
            handle.close()

    async def _lines(self, name: str) -> AsyncIterator[str]:
        decoder = codecs.getincrementaldecoder(self.config.encoding)("replace")
        spare = ""
        async for block in self._chunks(name):
            text = spare + decoder.decode(block)
            *lines, spare = text.split("\n")
            for line in lines:
                yield line.removesuffix("\r")
        spare += decoder.decode(b"", final=True)
        if spare:
            yield spare.removesuffix("\r")
