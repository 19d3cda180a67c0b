"""Message sequences (Node-RED's ``msg.parts``) and the messages kept until one is complete.

A sequence is a run of messages sharing ``msg.parts.id``; each carries its ``index`` and, when
known, the sequence's ``count``. ``split`` and ``batch`` make sequences; ``join``, ``sort`` and
``batch`` (concatenate mode) keep their messages until a sequence is complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flowrt.api import Message


def parts_of(msg: Message) -> dict[str, Any] | None:
    """The message's ``parts`` when it is a mapping with an ``id``, else None."""
    parts = msg.get("parts")
    if isinstance(parts, dict) and parts.get("id") is not None:
        return parts
    return None


def group_key(value: Any) -> Any:
    """A dict key for a sequence id or topic, whatever its JSON type."""
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def pop_parts(msg: Message) -> None:
    """Undo one level of sequencing: restore the enclosing ``parts`` a split pushed, or remove
    ``parts`` when there was none."""
    parts = msg.get("parts")
    if isinstance(parts, dict) and isinstance(parts.get("parts"), dict):
        msg["parts"] = parts["parts"]
    else:
        msg.pop("parts", None)


def whole_count(value: Any) -> int | None:
    """``parts.count`` as a usable count: a positive integer, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value >= 1 and value == int(value) else None


@dataclass
class Sequence:
    """The messages of one sequence received so far."""

    id: Any
    order: int
    messages: list[Message] = field(default_factory=list)
    count: int | None = None

    @property
    def complete(self) -> bool:
        return self.count is not None and len(self.messages) >= self.count


class SequenceStore:
    """Messages kept per sequence id, oldest sequence first, with a limit on how many in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._sequences: dict[Any, Sequence] = {}
        self._held = 0
        self._made = 0

    def add(self, msg: Message, parts: dict[str, Any]) -> Sequence:
        """Keep ``msg`` in its sequence (made on first use) and return the sequence."""
        key = group_key(parts["id"])
        sequence = self._sequences.get(key)
        if sequence is None:
            sequence = Sequence(parts["id"], self._made)
            self._made += 1
            self._sequences[key] = sequence
        sequence.messages.append(msg)
        if sequence.count is None:
            sequence.count = whole_count(parts.get("count"))
        self._held += 1
        return sequence

    def remove(self, sequence: Sequence) -> None:
        """Forget a sequence (complete, or given up)."""
        if self._sequences.pop(group_key(sequence.id), None) is not None:
            self._held -= len(sequence.messages)

    @property
    def over_limit(self) -> bool:
        return self._held > self.limit

    def oldest(self) -> Sequence | None:
        return next(iter(self._sequences.values()), None)

    def __iter__(self) -> Iterator[Sequence]:
        return iter(list(self._sequences.values()))

    def clear(self) -> list[Message]:
        """Forget every sequence; return the messages that were kept."""
        kept = [m for s in self._sequences.values() for m in s.messages]
        self._sequences.clear()
        self._held = 0
        return kept
