"""The file-in node: whole text or bytes, lines and chunks with parts, errors naming the path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow


def file_in(**options: Any) -> str:
    text = "".join(f", {key}: {json.dumps(value)}" for key, value in options.items())
    return f"flowrt: 1\nnodes:\n  r: {{type: file-in{text}}}\n"


@pytest.mark.parametrize(
    ("content", "options", "payload"),
    [
        (b"hello\nworld\n", {}, "hello\nworld\n"),
        ("größe".encode("latin-1"), {"encoding": "latin-1"}, "größe"),
        (b"caf\xe9", {}, "caf\ufffd"),
        (b"\x00\x01\xff", {"format": "bytes"}, b"\x00\x01\xff"),
        (b"", {}, ""),
    ],
)
def test_reads_the_whole_file(
    tmp_path: Path, content: bytes, options: dict[str, Any], payload: Any
) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(content)
    result = run_flow(file_in(filename=str(path), **options), inputs=[{"topic": "t"}])
    assert result.errors == []
    [msg] = result.sent("r")
    assert msg["payload"] == payload
    assert msg["filename"] == str(path)
    assert msg["topic"] == "t"


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        (b"a\nb\nc\n", ["a", "b", "c"]),
        (b"a\r\nb", ["a", "b"]),
        (b"one", ["one"]),
        (b"a\n\nb\n", ["a", "", "b"]),
        (b"", [""]),
        ("é\nü\n".encode(), ["é", "ü"]),
    ],
)
def test_lines_are_a_sequence_with_parts(tmp_path: Path, content: bytes, lines: list[str]) -> None:
    path = tmp_path / "lines.txt"
    path.write_bytes(content)
    result = run_flow(
        file_in(filename=str(path), format="lines", chunk_size=2),
        inputs=[{"topic": "t", "payload": "ask", "other": 1}],
    )
    sent = result.sent("r")
    assert [m["payload"] for m in sent] == lines
    assert [m["parts"]["index"] for m in sent] == list(range(len(lines)))
    assert [m["parts"].get("count") for m in sent] == [None] * (len(lines) - 1) + [len(lines)]
    assert len({m["parts"]["id"] for m in sent}) == 1
    assert all(m["parts"]["type"] == "string" and m["parts"]["ch"] == "\n" for m in sent)
    assert all(m["topic"] == "t" and m["filename"] == str(path) for m in sent)
    assert all("other" not in m for m in sent)


def test_keep_properties_copies_the_message_into_every_part(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("a\nb\n")
    result = run_flow(
        file_in(filename=str(path), format="lines", keep_properties=True),
        inputs=[{"payload": "ask", "other": {"n": 1}}],
    )
    sent = result.sent("r")
    assert [m["other"] for m in sent] == [{"n": 1}, {"n": 1}]
    assert sent[0]["other"] is not sent[1]["other"]


@pytest.mark.parametrize(
    ("size", "chunk_size", "counts"),
    [(10, 4, [4, 4, 2]), (8, 4, [4, 4]), (0, 4, [0]), (3, 65536, [3])],
)
def test_chunks_are_bytes_with_parts(
    tmp_path: Path, size: int, chunk_size: int, counts: list[int]
) -> None:
    path = tmp_path / "blob.bin"
    data = bytes(range(size))
    path.write_bytes(data)
    result = run_flow(
        file_in(filename=str(path), format="chunks", chunk_size=chunk_size), inputs=[{}]
    )
    sent = result.sent("r")
    assert [len(m["payload"]) for m in sent] == counts
    assert b"".join(m["payload"] for m in sent) == data
    assert sent[-1]["parts"]["count"] == len(counts)
    assert all(m["parts"]["type"] == "buffer" for m in sent)


def test_filename_from_the_message(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "b.txt").write_text("B")
    result = run_flow(
        "flowrt: 1\nnodes:\n  r: {type: file-in}\n",
        inputs=[{"filename": str(tmp_path / "a.txt")}, {"filename": str(tmp_path / "b.txt")}],
    )
    assert result.payloads("r") == ["A", "B"]
    assert [s["text"] for node, s in result.statuses] == [
        str(tmp_path / "a.txt"),
        str(tmp_path / "b.txt"),
    ]


def test_no_filename_is_a_warning() -> None:
    result = run_flow("flowrt: 1\nnodes:\n  r: {type: file-in}\n", inputs=[{"payload": 1}])
    assert result.sent("r") == []
    assert [node for node, text in result.warnings] == ["r"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [("missing.txt", "no such file or directory"), (".", "it is a directory")],
)
def test_unreadable_file_is_an_error_naming_the_path(
    tmp_path: Path, name: str, problem: str
) -> None:
    path = tmp_path / name
    flow = file_in(filename=str(path)) + "  oops: {type: catch}\n"
    result = run_flow(flow, inputs=[{"payload": 1}], into="r")
    assert result.sent("r") == []
    [caught] = result.sent("oops")
    assert caught["error"]["message"] == f"cannot read '{path}': {problem}"
    assert caught["error"]["source"]["id"] == "r"


@pytest.mark.parametrize(
    ("options", "field"),
    [({"encoding": "klingon"}, "encoding"), ({"format": "csv"}, "format")],
)
def test_bad_options_are_load_errors(options: dict[str, Any], field: str) -> None:
    with pytest.raises(CheckError) as info:
        run_flow(file_in(**options), inputs=[])
    assert field in str(info.value)
