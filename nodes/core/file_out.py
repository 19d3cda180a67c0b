"""file-out: append the payload to a file, overwrite the file with it, or delete the file."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from flowrt.api import MISSING, AsyncTransform, Message, NodeConfig, field, js_dumps

from .file_io import Encoding, file_problem


def payload_bytes(payload: Any, encoding: str, newline: bool) -> bytes:
    """The bytes written for a payload: bytes as they are; text encoded; numbers and booleans
    as JavaScript prints them; objects and lists as JSON. A newline follows all but bytes."""
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    if isinstance(payload, str):
        text = payload
    elif isinstance(payload, bool):
        text = "true" if payload else "false"
    elif isinstance(payload, float) and payload.is_integer():
        text = str(int(payload))
    elif isinstance(payload, int | float):
        text = str(payload)
    else:
        text = js_dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return (text + "\n" if newline else text).encode(encoding)


class FileOut(AsyncTransform):
    """Write the payload to a file, adding to its end or replacing it; or delete the file.

    ### Inputs

    - `payload`: what to write. Bytes are written as they are; text is encoded with
      `encoding`; numbers and booleans as text (`true`, `3`); objects and lists as JSON.
      A message with no payload writes nothing.
    - `filename` (string, optional): the file, when the node's `filename` is not set.

    ### Outputs

    The input message, once the file was written (or deleted).

    ### Details

    `action: append` adds each payload to the end of the file, followed by a newline when
    `add_newline` is true (never after bytes); `overwrite` replaces the whole file with each
    payload; `delete` removes the file. The node creates the file's missing directories when
    `create_directories` is true. Messages are written one at a time, in order; each write
    opens and closes the file, so rotating a log file under it is safe.

    A relative file name is relative to the working directory of flowrt. Under `--scripts
    sandboxed` or `deny` (or with `--files`), only files under the directories the operator
    names with `--files DIR` can be written or deleted; /proc, /sys, /dev and flowrt's secrets
    and users files never can. A file that cannot be written, or deleted, is an error for catch
    nodes naming the path.
    """

    type = "file-out"
    icon = "file"
    evaluates = {"path": ("filename", "msg.filename")}

    class Config(NodeConfig):
        filename: str | None = field(
            None,
            description="The file to write; when not set, `msg.filename`.",
            examples=["/var/log/plant/alerts.log"],
        )
        action: Literal["append", "overwrite", "delete"] = field(
            "append", description="Add to the end of the file, replace it, or delete it."
        )
        add_newline: bool = field(True, description="Write a newline after each text payload.")
        create_directories: bool = field(
            False, description="Create the file's directory when it does not exist."
        )
        encoding: Encoding = field("utf-8", description="The text encoding to write.")

    config: Config

    async def receive(self, msg: Message) -> None:
        cfg = self.config
        name = cfg.filename or msg.get("filename")
        if not name or not isinstance(name, str):
            self.ctx.warn("no file to write: set the node's filename or msg.filename", msg)
            return
        try:
            if cfg.action == "delete":
                await asyncio.to_thread(self.ctx.files.remove, name)
            else:
                payload = msg.get("payload", MISSING)
                if payload is not MISSING:
                    data = payload_bytes(payload, cfg.encoding, cfg.add_newline)
                    await asyncio.to_thread(self._write, name, data)
        except OSError as exc:
            doing = "delete" if cfg.action == "delete" else "write"
            missing_dir = doing == "write" and isinstance(exc, FileNotFoundError)
            hint = "set create_directories: true to create its directory" if missing_dir else ""
            raise file_problem(exc, name, doing, hint) from exc
        self.ctx.send(msg)

    def _write(self, name: str, data: bytes) -> None:
        mode: Literal["a", "w"] = "a" if self.config.action == "append" else "w"
        with self.ctx.files.open(name, mode, make_dirs=self.config.create_directories) as handle:
            handle.write(data)
