"""The prib family's mapping of the transform node's compression and String to Date
conversions (flowrt/nodered/families/prib.py), as the contrib's own test flow writes them,
what stays refused, and back."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.families.prib import export_convert
from tests.nodered.helpers import entry, node, nr_import, tab

# as in the contrib's test/data/flow.json
COMPRESS = {"id": "c", "type": "transform", "z": "t1", "name": "", "actionSource": "Buffer",
            "actionTarget": "Compressed", "sourceProperty": "msg.payload",
            "targetProperty": "msg.payload", "topicProperty": "msg.topic", "maxMessages": 1000,
            "skipLeading": 0, "skipTrailing": 0, "delimiter": ",",
            "compressionType": "setGzip", "wires": [[], []]}
DATE = {"id": "d", "type": "transform", "z": "t1", "name": "", "actionSource": "String",
        "deleteSource": "false", "deleteSourceType": "bool", "actionTarget": "Date",
        "sourceProperty": "msg.payload.testDate", "targetProperty": "msg.payload.typedDate",
        "topicProperty": "msg.topic", "index": 0, "maxMessages": 1000, "maxDate": "",
        "minDate": "", "radix": 10, "skipLeading": 0, "skipTrailing": 0, "string": "",
        "stringType": "str", "delimiter": ",", "compressionType": "setGzip", "wires": [[], []]}


def imported(*nodes: dict[str, Any]) -> Any:
    return nr_import([tab(), *nodes])


@pytest.mark.parametrize(("kind", "compression"), [
    ("setGzip", None), ("setZlib", None), ("setGzipSpeed", "gzip_speed"),
    ("setZlibCompression", "gzip_best"), ("setFlate", "deflate")])
def test_compression_nodes(kind: str, compression: str | None) -> None:
    conversion = imported({**COMPRESS, "compressionType": kind},
                          {**COMPRESS, "id": "u", "actionSource": "Compressed",
                           "actionTarget": "Buffer", "compressionType": kind})
    extra = {"compression": compression} if compression else {}
    assert node(conversion, "c") == {"type": "convert", "action": "BufferToCompressed", **extra}
    assert node(conversion, "u") == {"type": "convert", "action": "CompressedToBuffer", **extra}


def test_mixed_compression_types_are_noted_where_they_matter() -> None:
    conversion = imported(COMPRESS, {**COMPRESS, "id": "s", "compressionType": "setGzipSpeed"},
                          {**COMPRESS, "id": "u", "actionSource": "Compressed",
                           "actionTarget": "Buffer", "compressionType": "setGzipSpeed"},
                          {**COMPRESS, "id": "f", "actionSource": "Compressed",
                           "actionTarget": "Buffer", "compressionType": "setFlate"})
    assert entry(conversion, "c").notes == [] and entry(conversion, "u").notes == []
    assert "(gzip) in every node" in entry(conversion, "s").notes[0]
    assert "this node's own (deflate)" in entry(conversion, "f").notes[0]


def test_string_to_date() -> None:
    assert node(imported(DATE), "d") == {
        "type": "convert", "action": "StringToDate", "property": "payload.testDate",
        "target": "payload.typedDate", "delete_source": False}
    assert "ISO 8601" in entry(imported(DATE), "d").notes[0]


@pytest.mark.parametrize(("props", "why"), [
    ({"compressionType": "gzip"}, "setup fails"),
    ({"compressionType": "setBrotli"}, "brotli"),
    ({"actionSource": "String"}, "text compression"),
    ({"actionSource": "Compressed", "actionTarget": "JSON"}, "compression"),
])
def test_what_stays_refused(props: dict[str, Any], why: str) -> None:
    found = entry(imported({**COMPRESS, **props}), "c")
    assert found.status == "unsupported" and why in found.reason


@pytest.mark.parametrize("config", [
    {"action": "BufferToCompressed"},
    {"action": "CompressedToBuffer", "compression": "deflate", "target": "out"},
    {"action": "BufferToCompressed", "compression": "gzip_best"},
    {"action": "StringToDate", "delete_source": False, "property": "payload.when"},
])
def test_export_and_back(config: dict[str, Any]) -> None:
    exported = {"id": "x", "type": "transform", "z": "t1", **export_convert(config),
                "wires": [[], []]}
    assert node(imported(exported), "x") == {"type": "convert", **config}
