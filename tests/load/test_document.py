"""Positions of paths in loaded flow files."""

from __future__ import annotations

import pytest

from flowrt.load import load_text
from flowrt.load.document import locate

TEXT = """\
flowrt: 1
base: &base {type: pass, limit: 3}
nodes:
  a:
    <<: *base
    to: [b]
  b: {type: pass}
"""


@pytest.mark.parametrize(
    ("path", "at", "line", "column"),
    [
        (("nodes", "a", "to"), "value", 6, 9),
        (("nodes", "a", "to"), "key", 6, 5),
        (("nodes", "a", "to", 0), "value", 6, 10),
        (("nodes", "b", "type"), "value", 7, 13),
        # brought in by the merge key: no position of its own, so the node's
        (("nodes", "a", "limit"), "key", 5, 5),
        (("nodes", "a", "type"), "value", 5, 5),
        (("nodes", "missing", "x"), "value", 4, 3),
    ],
)
def test_locate(path: tuple[str | int, ...], at: str, line: int, column: int) -> None:
    doc = load_text(TEXT, "f.yaml")
    span = locate("f.yaml", doc.data, path, at)  # type: ignore[arg-type]
    assert (span.line, span.column) == (line, column)
