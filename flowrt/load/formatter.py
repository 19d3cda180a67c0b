"""Canonical formatting of flow files, keeping comments and key order.

YAML: two-space mapping indent, sequences indented under their key, flow-style mappings kept as
written (a mapping in a flow sequence keeps its braces), quotes kept, no line wrapped and none
ending in a space, one trailing newline. JSON: two-space indent, key order kept, one trailing
newline. Formatting is idempotent (formatting formatted text changes nothing) and gives the same
text with every ruamel.yaml version flowrt supports.
"""

from __future__ import annotations

import difflib
import json

from flowrt.load.document import Document
from flowrt.load.yaml_io import dump, to_plain


def format_document(doc: Document) -> str:
    if doc.file.endswith(".json"):
        return json.dumps(to_plain(doc.data), indent=2, ensure_ascii=False) + "\n"
    text = dump(doc.data)
    return text.rstrip("\n") + "\n"


def first_difference(text: str, formatted: str) -> tuple[int, int]:
    """Line and column (from 1) of the first character that formatting changes."""
    lines, wanted = text.splitlines(keepends=True), formatted.splitlines(keepends=True)
    for number, (have, want) in enumerate(zip(lines, wanted, strict=False), 1):
        if have != want:
            column = next((i for i, (a, b) in enumerate(zip(have, want, strict=False))
                           if a != b), min(len(have), len(want)))
            return number, column + 1
    return min(len(lines), len(wanted)) + 1, 1


def format_diff(text: str, formatted: str, file: str) -> str:
    """A unified diff from a file's text to its formatted text."""
    return "".join(line if line.endswith("\n") else line + "\n" for line in difflib.unified_diff(
        text.splitlines(keepends=True), formatted.splitlines(keepends=True),
        file, f"{file} (formatted)"))
