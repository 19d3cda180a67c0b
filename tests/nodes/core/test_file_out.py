"""The file-out node: append, overwrite, delete; payload conversion; directories; errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowrt.testing import run_flow


def file_out(**options: Any) -> str:
    text = "".join(f", {key}: {json.dumps(value)}" for key, value in options.items())
    return f"flowrt: 1\nnodes:\n  w: {{type: file-out{text}}}\n  oops: {{type: catch}}\n"


@pytest.mark.parametrize(
    ("payloads", "options", "content"),
    [
        (["a", "b"], {}, b"a\nb\n"),
        (["a", "b"], {"add_newline": False}, b"ab"),
        (["a", "b"], {"action": "overwrite"}, b"b\n"),
        ([1, 2.0, 2.5, True, None], {}, b"1\n2\n2.5\ntrue\nnull\n"),
        ([{"t": 20, "u": "°C"}, [1, 2]], {}, '{"t":20,"u":"°C"}\n[1,2]\n'.encode()),
        ([b"\x00\xff", b"\x01"], {}, b"\x00\xff\x01"),
        (["größe"], {"encoding": "latin-1"}, "größe\n".encode("latin-1")),
    ],
)
def test_writes_payloads(
    tmp_path: Path, payloads: list[Any], options: dict[str, Any], content: bytes
) -> None:
    path = tmp_path / "out.txt"
    path.write_bytes(b"old\n" if options.get("action") == "overwrite" else b"")
    result = run_flow(
        file_out(filename=str(path), **options), inputs=[{"payload": p} for p in payloads]
    )
    assert result.errors == []
    assert path.read_bytes() == content
    assert result.payloads("w") == payloads


def test_appends_to_an_existing_file_and_skips_missing_payloads(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_text("first\n")
    result = run_flow(file_out(filename=str(path)), inputs=[{"topic": "x"}, {"payload": "next"}])
    assert path.read_text() == "first\nnext\n"
    assert len(result.sent("w")) == 2


def test_filename_from_the_message(tmp_path: Path) -> None:
    result = run_flow(
        file_out(),
        inputs=[
            {"payload": "A", "filename": str(tmp_path / "a.txt")},
            {"payload": "B", "filename": str(tmp_path / "b.txt")},
        ],
        into="w",
    )
    assert (tmp_path / "a.txt").read_text() == "A\n"
    assert (tmp_path / "b.txt").read_text() == "B\n"
    assert result.errors == []


def test_creates_directories_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "out.txt"
    result = run_flow(
        file_out(filename=str(path), create_directories=True), inputs=[{"payload": "x"}]
    )
    assert result.errors == []
    assert path.read_text() == "x\n"


def test_missing_directory_is_an_error_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "out.txt"
    result = run_flow(file_out(filename=str(path)), inputs=[{"payload": "x"}], into="w")
    assert result.sent("w") == []
    [caught] = result.sent("oops")
    assert caught["error"]["message"] == (
        f"cannot write '{path}': no such file or directory; "
        "set create_directories: true to create its directory"
    )


def test_delete(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"
    path.write_text("x")
    result = run_flow(
        file_out(filename=str(path), action="delete"), inputs=[{"payload": 1}, {"payload": 2}]
    )
    assert not path.exists()
    assert result.payloads("w") == [1]
    assert [m["error"]["message"] for m in result.sent("oops")] == [
        f"cannot delete '{path}': no such file or directory"
    ]


def test_no_filename_is_a_warning() -> None:
    result = run_flow(file_out(), inputs=[{"payload": 1}], into="w")
    assert result.sent("w") == []
    assert [node for node, text in result.warnings] == ["w"]
