"""Canonical formatting of flow files, keeping comments and key order.

YAML: two-space mapping indent, sequences indented under their key, flow-style mappings kept as
written, quotes kept, one trailing newline. JSON: two-space indent, key order kept, one trailing
newline. Formatting is idempotent: formatting formatted text changes nothing.
"""

from __future__ import annotations

import json

from flowrt.load.document import Document
from flowrt.load.yaml_io import dump, to_plain


def format_document(doc: Document) -> str:
    if doc.file.endswith(".json"):
        return json.dumps(to_plain(doc.data), indent=2, ensure_ascii=False) + "\n"
    text = dump(doc.data)
    return text.rstrip("\n") + "\n"
