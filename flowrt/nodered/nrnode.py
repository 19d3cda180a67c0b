"""One Node-RED node object, and how Node-RED's loose values in it are read.

Real exports write booleans as strings (``"true"``) and numbers as text (``"5"``); the mappings
read them through :func:`as_bool` and :func:`as_number`, as Node-RED's runtime does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class NrNode:
    """One Node-RED node object with a unique ``id``; ``raw`` is the object as read."""

    id: str
    type: str
    raw: dict[str, Any]

    @property
    def z(self) -> str:
        z = self.raw.get("z")
        return z if isinstance(z, str) else ""

    @property
    def name(self) -> str:
        name = self.raw.get("name")
        return name.strip() if isinstance(name, str) else ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    def word(self, key: str, default: str = "") -> str:
        """A field that holds one of a few words (a mode, a unit): its text, or ``default``
        when it is missing or not text (an object where a word belongs is no choice)."""
        value = self.raw.get(key)
        return value if isinstance(value, str) else default

    def flag(self, key: str, default: bool = False) -> bool:
        return as_bool(self.raw.get(key), default)

    @property
    def disabled(self) -> bool:
        return as_bool(self.raw.get("d"), False)

    @property
    def wires(self) -> list[list[str]]:
        """Output ports -> target ids; malformed entries are dropped."""
        wires = self.raw.get("wires")
        if not isinstance(wires, list):
            return []
        ports: list[list[str]] = []
        for port in wires:
            if isinstance(port, str):  # very old exports: one target per port
                port = [port]
            ports.append([t for t in port if isinstance(t, str)] if isinstance(port, list) else [])
        return ports


def as_bool(value: Any, default: bool = False) -> bool:
    """Node-RED's booleans: true/false, "true"/"false", 1/0, "" (false); missing (None) or
    anything else is ``default``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off", ""):
            return False  # "" is falsy in JavaScript, as Node-RED reads it
    if isinstance(value, int | float):
        return value != 0
    return default


def as_number(value: Any) -> float | int | None:
    """A number from Node-RED's number-or-text fields; None when there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() and "." not in text else number
    return None
