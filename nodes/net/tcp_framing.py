"""How the bytes read from one TCP connection become payloads: each chunk as it comes, text
split at a delimiter, or everything the connection sent as one payload when it closes."""

from __future__ import annotations

from .net_payload import DataType, Decoder


class Framer:
    """The payloads of one connection. ``feed`` takes each chunk read, ``end`` is called when
    the other side closed; each returns the payloads that are complete."""

    def __init__(self, stream: bool, data_type: DataType, newline: str, keep: bool) -> None:
        self.stream = stream
        self.decoder = Decoder(data_type)
        self.split = newline if stream and data_type != "buffer" else ""
        self.keep = keep
        self._text = ""
        self._bytes = bytearray()

    def feed(self, data: bytes) -> list[bytes | str]:
        if not self.stream:
            self._bytes += data
            return []
        payload = self.decoder.decode(data)
        if not self.split:
            return [payload] if payload else []
        assert isinstance(payload, str)
        parts = (self._text + payload).split(self.split)
        self._text = parts.pop()
        return [p + self.split if self.keep else p for p in parts]

    def end(self) -> list[bytes | str]:
        if not self.stream:
            whole = bytes(self._bytes)
            self._bytes.clear()
            return [self.decoder.decode(whole, final=True)] if whole else []
        if self.split:
            rest = self._text + str(self.decoder.decode(b"", final=True))
            self._text = ""
            return [rest] if rest else []
        return []
