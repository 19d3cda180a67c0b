"""The convert node's compression and date conversions. The expected bytes and texts were
obtained once by running the contrib's own code in Node.js 22: compressiontool 0.1.3 (what
node-red-contrib-prib-functions' transform node requires) with ``setGzip``, ``setGzipSpeed``,
``setGzipCompression`` and ``setFlate`` on the same bytes, and ``JSON.stringify(new
Date(text))`` (its ``toDateTypeZulu``) with ``TZ=UTC``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.testing import run_flow

DATA = b"hello hello hello world, flowrt and Node-RED" * 3

GZIP_TAIL = "0096ff284d84000000"
NODE_BYTES = {
    "gzip": "1f8b0800000000000003cb48cdc9c957c84022cbf38b72527414d272f2cb8b4a1412f35214fcf25352"
            "75835c5d3268a416" + GZIP_TAIL,
    "gzip_speed": "1f8b0800000000000403cb48cdc9c957c84022cbf38b72527414d272f2cb8b4a1412f35214fcf2"
                  "535275835c5d905541d8d4510b" + GZIP_TAIL,
    "gzip_best": "1f8b0800000000000203cb48cdc9c957c84022cbf38b72527414d272f2cb8b4a1412f35214fcf25"
                 "35275835c5d3268a416" + GZIP_TAIL,
    "deflate": "789ccb48cdc9c957c84022cbf38b72527414d272f2cb8b4a1412f35214fcf2535275835c5d3268a41"
               "60060c32f0e",
}


def convert(action: str, payload: Any, **config: Any) -> tuple[list[Any], list[Any]]:
    flow = {"flowrt": 1, "nodes": {"c": {"type": "convert", "action": action, **config}}}
    result = run_flow(json.dumps(flow), [{"payload": payload}], into="c")
    return result.sent("c", 0), result.sent("c", 1)


@pytest.mark.parametrize("compression", sorted(NODE_BYTES))
def test_compression_writes_nodes_bytes_and_reads_them_back(compression: str) -> None:
    (msg,), failed = convert("BufferToCompressed", DATA, compression=compression)
    assert failed == [] and msg["payload"].hex() == NODE_BYTES[compression]
    (msg,), failed = convert("CompressedToBuffer", bytes.fromhex(NODE_BYTES[compression]),
                             compression=compression)
    assert failed == [] and msg["payload"] == DATA


def test_text_is_compressed_as_utf8() -> None:
    (msg,), _ = convert("BufferToCompressed", "héllo")
    assert msg["payload"].hex() == "1f8b0800000000000003cb38bc3227271f0036823b9e06000000"


def test_a_cut_stream_gives_what_it_holds_and_concatenated_members_all() -> None:
    whole = bytes.fromhex(NODE_BYTES["gzip"])
    (msg,), _ = convert("CompressedToBuffer", whole[:-8])
    assert msg["payload"] == DATA
    (msg,), _ = convert("CompressedToBuffer", whole + whole)
    assert msg["payload"] == DATA + DATA


def test_bad_data_goes_to_the_second_output_with_the_reason() -> None:
    sent, (msg,) = convert("CompressedToBuffer", b"not gzip")
    assert sent == [] and msg["error"].startswith("Compressed to Buffer not gzip data")
    sent, (msg,) = convert("BufferToCompressed", 123)
    assert sent == [] and 'The "chunk" argument must be' in msg["error"]


@pytest.mark.parametrize(("text", "expected"), [
    ("2024", "2024-01-01T00:00:00.000Z"),
    ("2024-03", "2024-03-01T00:00:00.000Z"),
    ("2024-03-05", "2024-03-05T00:00:00.000Z"),
    ("2024-03-05T10:20:30Z", "2024-03-05T10:20:30.000Z"),
    ("2024-03-05T10:20:30.123+02:00", "2024-03-05T08:20:30.123Z"),
    ("+002024-03-05T00:00:00Z", "2024-03-05T00:00:00.000Z"),
    ("Tue, 05 Mar 2024 10:20:30 GMT", "2024-03-05T10:20:30.000Z"),
    ("nonsense", None),
    ("", None),
])
def test_string_to_date_is_the_json_of_a_javascript_date(text: str, expected: Any) -> None:
    (msg,), failed = convert("StringToDate", text)
    assert failed == [] and msg["payload"] == expected


def test_a_date_and_time_without_offset_is_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    monkeypatch.setenv("TZ", "Europe/Stockholm")
    time.tzset()
    try:  # Node with TZ=Europe/Stockholm: 2024-03-05T09:20:30.000Z, 2024-03-05T09:20:00.000Z
        (msg,), _ = convert("StringToDate", "2024-03-05T10:20:30")
        assert msg["payload"] == "2024-03-05T09:20:30.000Z"
        (msg,), _ = convert("StringToDate", "2024-03-05 10:20")
        assert msg["payload"] == "2024-03-05T09:20:00.000Z"
    finally:
        monkeypatch.undo()
        time.tzset()
