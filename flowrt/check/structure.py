"""The first look at a file: is it a flow file at all, and in a format version we read?"""

from __future__ import annotations

from flowrt.check.context import located
from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.load.document import Document
from flowrt.load.yaml_io import is_mapping, is_sequence
from flowrt.registry.catalog import FORMAT_VERSION


def looks_like_nodered(data: object) -> bool:
    """A Node-RED export: a list of nodes, or a mapping with a `flows` list."""
    items = data.get("flows") if isinstance(data, dict) else data
    return is_sequence(items) and any(
        is_mapping(i) and "type" in i and ("wires" in i or "z" in i)
        for i in items[:50]  # type: ignore[index]
    )


def check_top_level(doc: Document) -> list[Diagnostic]:
    data = doc.data
    at = {"file": doc.file, "line": 1, "column": 1}
    if looks_like_nodered(data):
        return [
            diagnostic(
                "E010",
                "this is a Node-RED export, not a flowrt flow file",
                f"convert it with `flowrt import nodered {doc.file} -o DIR`",
                **at,
            )
        ]
    if data is None:
        return [
            diagnostic(
                "E006",
                "the file holds no flow: it is empty, only comments, or null",
                "a flow file starts with 'flowrt: 1' and 'nodes:'",
                **at,
            )
        ]
    if not is_mapping(data):
        kind = "a list" if is_sequence(data) else f"a single value ({type(data).__name__})"
        return [
            diagnostic(
                "E010",
                f"the top level is {kind}; a flow file is a mapping",
                "start the file with `flowrt: 1`, then `nodes:`",
                **at,
            )
        ]
    if "flowrt-test" in data and "nodes" not in data:
        return [
            diagnostic(
                "E011",
                "this is a flow test file, not a flow",
                f"run it with `flowrt test {doc.file}`; name test files *.test.yaml so that "
                "directories of flows leave them out",
                **at,
            )
        ]
    version = data.get("flowrt")
    if version is None and "nodes" not in data:
        return [
            diagnostic(
                "E011",
                "no `flowrt:` format version and no `nodes:`; this is not a flow file",
                "add `flowrt: 1` and `nodes:` at the top, or move the file out of the flows "
                "directory",
                **at,
            )
        ]
    if version is not None and version != FORMAT_VERSION:
        return [
            diagnostic(
                "E011",
                f"format version {version!r} is not supported; this flowrt reads version "
                f"{FORMAT_VERSION}",
                f"write `flowrt: {FORMAT_VERSION}`",
                **located(doc, ("flowrt",)),
            )
        ]
    return []
