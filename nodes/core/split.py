"""split: turn one message into a sequence of messages, one per part of its payload."""

from __future__ import annotations

import math
from typing import Any

from pydantic import model_validator

from flowrt.api import (
    Message,
    NodeConfig,
    Output,
    PropertyPath,
    Transform,
    clone,
    field,
    get_property,
    set_property,
)


class Split(Transform):
    """Split a message into a sequence of messages.

    ### Inputs

    - `payload` (or the configured `property`): what is split, by its type:
      - a **string** or **bytes**: at each `separator` (default: a newline), at each
        `separator_bytes`, or into pieces of `length` characters or bytes;
      - an **array**: into its elements, or into arrays of `array_length` elements;
      - an **object**: one message per key, with the key's value.

      Other values are dropped, as is a message without the property.

    ### Outputs

    - `payload` (or `property`): one part.
    - `parts`: where the part belongs, so that `join` can put the sequence back together:
      `id` (the same for every part of one message), `index` (from 0), `count` (the number of
      parts), `type` (`string`, `buffer`, `array` or `object`), `ch` (the separator: a string,
      or a list of byte values), `key` (objects: the key of this part), `len` (fixed-length
      and array splits: the length of a part). A message that already had `parts` keeps them
      as `parts.parts`, so sequences nest.
    - The key of an object part is also copied into `key_property` when it is set.

    ### Details

    With `stream`, strings and bytes are treated as one continuous stream, such as lines
    arriving in chunks from a serial port: the last, incomplete part of a message is kept and
    put in front of the next message. Parts are then numbered across messages and have no
    `parts.count`, so `join` cannot rebuild them automatically; a message whose end is kept
    is finished only once that end has been sent.
    """

    type = "split"
    icon = "list"

    class Config(NodeConfig):
        property: PropertyPath = field("payload", description="Message property to split.")
        separator: str = field(
            "\n", description="Text at which strings and bytes are split.", min_length=1
        )
        separator_bytes: list[int] | None = field(
            None,
            description="Split at this byte sequence instead of `separator`.",
            examples=[[13, 10]],
            min_length=1,
        )
        length: int | None = field(
            None,
            description="Split strings and bytes into pieces of this many characters or "
            "bytes instead of at a separator.",
            ge=1,
        )
        array_length: int = field(
            1, description="Elements per message when splitting an array.", ge=1
        )
        stream: bool = field(
            False,
            description="Treat strings and bytes as a stream: keep an incomplete last part "
            "for the next message.",
        )
        key_property: PropertyPath | None = field(
            None,
            description="When splitting an object, also copy each part's key to this "
            "message property.",
            examples=["topic"],
        )

        @model_validator(mode="after")
        def _one_way(self) -> Split.Config:
            if self.separator_bytes is not None and self.length is not None:
                raise ValueError("set separator_bytes or length, not both")
            if self.separator_bytes is not None and not all(
                0 <= b <= 255 for b in self.separator_bytes
            ):
                raise ValueError("separator_bytes holds byte values from 0 to 255")
            return self

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rest_text = ""
        self.rest_bytes = b""
        self.index = 0
        self.base: Message = {}
        """The message being split, without the split property: each part is a copy of it."""
        self.waiting: list[Message] = []
        """Messages whose last part is kept (stream mode), finished when it has been sent."""

    def process(self, msg: Message) -> Output:
        value = get_property(msg, self.config.property)
        if not isinstance(value, str | bytes | bytearray | list | dict):
            return None
        self.base = clone({k: v for k, v in msg.items() if k not in ("_msgid", "parts")})
        set_property(self.base, self.config.property, None)
        if "parts" in msg:
            self.base["parts"] = {"parts": clone(msg["parts"])}
        sequence_id = self.ctx.new_msgid()
        if isinstance(value, list):
            return [self._split_array(value, sequence_id)]
        if isinstance(value, dict):
            return [self._split_object(value, sequence_id)]
        return [self._split_stream(msg, value, sequence_id)]

    def _split_array(self, value: list[Any], sequence_id: str) -> list[Message]:
        size = self.config.array_length
        count = math.ceil(len(value) / size)
        parts = {"id": sequence_id, "type": "array", "count": count, "len": size}
        out = []
        for index in range(count):
            chunk = value[index * size : (index + 1) * size]
            out.append(self._part(chunk[0] if size == 1 else chunk, parts, index))
        return out

    def _split_object(self, value: dict[str, Any], sequence_id: str) -> list[Message]:
        out = []
        for index, (key, item) in enumerate(value.items()):
            parts = {"id": sequence_id, "type": "object", "key": key, "count": len(value)}
            part = self._part(item, parts, index)
            if self.config.key_property:
                set_property(part, self.config.key_property, key)
            out.append(part)
        return out

    def _split_stream(
        self, msg: Message, value: str | bytes | bytearray, sequence_id: str
    ) -> list[Message]:
        config = self.config
        data: str | bytes
        parts: dict[str, Any] = {"id": sequence_id}
        if isinstance(value, str):
            data, parts["type"] = self.rest_text + value, "string"
        else:
            data, parts["type"] = self.rest_bytes + bytes(value), "buffer"
        pieces = self._pieces(data, parts)
        if config.stream:
            rest = pieces.pop()
            if config.length is not None and len(rest) == config.length:
                pieces.append(rest)
                rest = data[:0]
        else:
            rest = data[:0]
            parts["count"] = len(pieces)
            self.index = 0
        out = []
        for piece in pieces:
            out.append(self._part(piece, parts, self.index))
            self.index += 1
        if out and self.waiting:
            self.ctx.send([out[:1]], origin=[*self.waiting, msg])
            out = out[1:]
            for earlier in self.waiting:
                self.ctx.done(earlier)
            self.waiting = []
        if isinstance(rest, str):
            self.rest_text = rest
        else:
            self.rest_bytes = rest
        if rest:
            self.ctx.hold(msg)
            self.waiting.append(msg)
        return out

    def _pieces(self, data: str | bytes, parts: dict[str, Any]) -> list[Any]:
        config = self.config
        if config.length is not None:
            parts.update(ch="", len=config.length)
            size = config.length
            return [data[i : i + size] for i in range(0, len(data), size)] or [data]
        if config.separator_bytes is not None:
            parts["ch"] = list(config.separator_bytes)
            separator = bytes(config.separator_bytes)
            if isinstance(data, str):
                return data.split(separator.decode("utf-8", "replace"))
            return data.split(separator)
        parts["ch"] = config.separator
        if isinstance(data, bytes):
            return data.split(config.separator.encode())
        return data.split(config.separator)

    def _part(self, value: Any, parts: dict[str, Any], index: int) -> Message:
        part = clone(self.base)
        set_property(part, self.config.property, value)
        part.setdefault("parts", {}).update(parts, index=index)
        if self.config.property != "payload":  # as Node-RED: join reads it back from there
            part["parts"]["property"] = str(self.config.property)
        part["_msgid"] = self.ctx.new_msgid()
        return part

    async def stop(self) -> None:
        for msg in self.waiting:
            self.ctx.done(msg)
        self.waiting = []
