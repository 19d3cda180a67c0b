"""flowrt ids for Node-RED's nodes, tabs, subflows and config nodes.

Node-RED ids are random hex (``a1b2c3d4e5f60718``); flowrt ids are read in diffs and errors, so
the importer makes readable ones: the node's name as a slug when it has one that is free
(``read sensors`` -> ``read-sensors``), else the flowrt type and the start of the Node-RED id
(``change-a1b2c3``). An id that is already readable (not Node-RED's hex, and valid in flowrt) is
kept as it is, so a flow exported from flowrt comes back with the same ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flowrt.nodered.reader import looks_generated

VALID_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 32


def slug(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case letters and digits joined by dashes: ``Read Sensors!`` -> ``read-sensors``."""
    words = _NOT_SLUG.sub("-", text.lower()).strip("-")
    if len(words) <= limit:
        return words
    cut = words[:limit]
    return (cut.rsplit("-", 1)[0] if "-" in cut[limit // 2 :] else cut).strip("-")


@dataclass(frozen=True)
class Reserved:
    """Ids the project already uses, which an import must not hand out again (importing the
    same export twice makes a second copy beside the first)."""

    nodes: frozenset[str] = frozenset()
    connections: frozenset[str] = frozenset()
    flows: frozenset[str] = frozenset()


class Namer:
    """Hands out ids unique within one namespace (a project's nodes, its flows...)."""

    def __init__(self, reserved: set[str] | None = None) -> None:
        self.used: set[str] = set(reserved or ())

    def take(self, candidate: str) -> str:
        """``candidate``, or ``candidate-2``, ``-3``... when it is taken."""
        name, n = candidate, 1
        while name in self.used:
            n += 1
            name = f"{candidate}-{n}"
        self.used.add(name)
        return name

    def name(self, nr_id: str, label: str, kind: str) -> str:
        """The id for a Node-RED object with this id, name (label) and flowrt kind."""
        readable = nr_id and not looks_generated(nr_id) and VALID_ID.match(nr_id)
        if readable and nr_id not in self.used:
            self.used.add(nr_id)
            return nr_id
        named = slug(label)
        if named and named not in self.used:
            self.used.add(named)
            return named
        base = slug(kind) or "node"
        short = re.sub(r"[^0-9a-z]", "", nr_id.lower())
        for length in (6, 10, 16):
            candidate = f"{base}-{short[:length]}" if short else base
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        return self.take(f"{base}-{short[:16]}" if short else base)


def variable(*parts: str) -> str:
    """An environment variable name from parts: ``("local-broker", "password")`` ->
    ``LOCAL_BROKER_PASSWORD``."""
    text = "_".join(re.sub(r"[^A-Za-z0-9]+", "_", p).strip("_") for p in parts if p)
    text = text.upper() or "VALUE"
    return text if not text[0].isdigit() else f"V_{text}"
