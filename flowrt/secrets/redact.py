"""Redaction: secret values hidden from every text that leaves the process.

One registry, :data:`SECRETS`, holds the values that count as secret, each with the name of
the reference it came from:

- every value of the secrets file or encrypted store
(:func:`flowrt.secrets.references.load_secrets`);
- the process's own secrets: the tokens of ``FLOWRT_TOKENS``, the keys of
  ``FLOWRT_SECRETS_KEY``, the password in the group, revisions and context databases' URLs
  (:func:`flowrt.secrets.references.withhold_own_secrets`);
- the value of every environment variable named like a credential (``PG_PASSWORD``,
  ``GITHUB_TOKEN``, ``X_API_KEY``: :func:`flowrt.load.env.names_credential`);
- what a flow substitutes into a field its node type declares ``secret``, into the password of
  an address, or under a key named like a credential (``headers.Authorization``), recorded when
  the flow is compiled.

Each channel calls :func:`redact` (text) or :func:`redact_data` (a JSON-like structure) at its
exit: log records (:mod:`flowrt.cli.logs`), error events, catch messages and status
(:mod:`flowrt.run.events`), the server's responses and WebSocket events, and what `flowrt run`
prints. With no secret registered both return their argument as it is, at the cost of one test.

A value is replaced by its reference, ``${NAME}``: the text then reads as the flow file does,
and says which secret was there (names are not secret: they are written in the flow files).
The common encodings of a value are found too, each character in any mix of its plain form,
percent-encoding (``%2F``, ``+`` for a space), JSON and Python string escapes; a base64 form
(the value alone, or within a ``Basic`` authorization) is replaced by ``***``, since a
reference there would read as a different value. Values shorter than :data:`MIN_LENGTH`
characters are not hidden inside text (``123`` would go from every count and port number);
they are listed by :meth:`Secrets.too_short` so the operator is told, and :meth:`Secrets.value`
still hides one where a whole value is shown on its own (a diagnostic's ``got ...``).

Cost: each value is looked for first by its longest run of letters and digits (no escaping
changes those) with plain substring search, and only a text holding that run goes through the
value's pattern; a structure is searched as one JSON text before it is walked.
``benchmarks/bench_redact.py`` measures it (a log line: about 3 µs with 10 secrets).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowrt.load.env import names_credential

MIN_LENGTH = 4
"""Values shorter than this are not searched for in text."""
ENCODED = "***"
"""What a base64 form of a secret becomes."""
NOT_SECRET = frozenset({"true", "false", "yes", "no", "on", "off", "null", "none"})
"""Switch words, never taken for secrets (``USE_TOKEN=true``, ``TLS: true`` in a secrets file):
hiding them would blank every ``true`` of every log line."""
_BASIC = re.compile(r"(?i)\bbasic\s+([A-Za-z0-9+/_-]{4,}={0,2})")


class Secrets:
    """Values that must not leave the process, and how to hide them in text and structures."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}
        """Value -> the name it is shown as (the first name it was added under)."""
        self._short: dict[str, str] = {}
        self._lock = threading.Lock()
        self._compiled: tuple[_Entry, ...] | None = None
        """How to find each value, longest first (made on first use after a change)."""

    def __bool__(self) -> bool:
        return bool(self._names or self._short)

    def add(self, name: str, value: str) -> None:
        """Count ``value`` as secret, shown as ``${name}``. Empty values and switch words
        (``true``, ``off``...: settings put beside secrets, never secrets) are ignored."""
        if not value or value in self._names or value in self._short:
            return
        if value.strip().lower() in NOT_SECRET:
            return
        with self._lock:
            if len(value) < MIN_LENGTH:
                self._short[value] = name
                return
            self._names[value] = name
            self._compiled = None

    def add_all(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self.add(name, value)

    def clear(self) -> None:
        """Forget every value (for tests: a process keeps what it registered)."""
        with self._lock:
            self._names.clear()
            self._short.clear()
            self._compiled = None

    def values(self) -> list[tuple[str, str]]:
        """(name, value) of every secret value (shown by the first name it came with)."""
        return [(name, value) for value, name in (*self._names.items(), *self._short.items())]

    def too_short(self) -> list[str]:
        """The names of values too short to be hidden inside text, sorted."""
        return sorted(set(self._short.values()))

    def value(self, shown: object) -> str:
        """``shown`` as text for a message: ``${NAME}`` when it is a secret value as a whole
        (however short), else its text redacted."""
        text = shown if isinstance(shown, str) else str(shown)
        name = self._names.get(text) or self._short.get(text)
        return f"${{{name}}}" if name else self.text(text)

    def text(self, text: str) -> str:
        """``text`` with every secret value (and its encodings) replaced."""
        if not self._names or not text:
            return text
        out = text
        for entry in self._compiled or self._compile():
            if entry.anchor in out:  # a cheap test first: most text holds no secret
                out = entry.pattern.sub(entry.shown, out)
            for encoded in entry.encoded:
                if encoded in out:
                    out = out.replace(encoded, ENCODED)
        if "asic" in out or "ASIC" in out:
            out = _BASIC.sub(self._basic, out)
        return out

    def data(self, value: Any) -> Any:
        """A copy of a JSON-like structure with every string (keys too) redacted; ``value``
        itself when there is no secret or nothing changed."""
        if not self._names:
            return value
        entries = self._compiled or self._compile()
        try:  # one pass over the whole structure first: most hold no secret
            dumped = json.dumps(value, ensure_ascii=False, default=_as_text)
        except (TypeError, ValueError, RecursionError):
            dumped = None
        if dumped is not None and not _may_hold(dumped, entries):
            return value
        return self._data(value)

    def _data(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            items = [(self._data(k), self._data(v)) for k, v in value.items()]
            if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(),
                                                                    strict=True)):
                return value
            return dict(items)
        if isinstance(value, list | tuple):
            parts = [self._data(v) for v in value]
            if all(p is v for p, v in zip(parts, value, strict=True)):
                return value
            return parts if isinstance(value, list) else tuple(parts)
        if isinstance(value, bytes | bytearray):
            text = bytes(value).decode("utf-8", "surrogateescape")
            shown = self.text(text)
            return value if shown == text else shown.encode("utf-8", "surrogateescape")
        return value

    def _compile(self) -> tuple[_Entry, ...]:
        with self._lock:
            by_length = sorted(self._names.items(), key=lambda item: -len(item[0]))
            self._compiled = tuple(
                _Entry(_anchor(value), re.compile(_any_escaping(value)), f"${{{name}}}",
                       tuple(_base64_forms(value)))
                for value, name in by_length)
            return self._compiled

    def _basic(self, match: re.Match[str]) -> str:
        encoded = match.group(1)
        try:
            decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4), altchars=b"-_"
                                       if "-" in encoded or "_" in encoded else None)
            plain = decoded.decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return match.group(0)
        if any(value in plain for value in self._names):
            return match.group(0)[: match.start(1) - match.start(0)] + ENCODED
        return match.group(0)


@dataclass(frozen=True)
class _Entry:
    """One secret value: a run of its characters every plain or escaped form keeps (letters
    and digits are never escaped), the pattern of those forms, what replaces them, and its
    base64 forms."""

    anchor: str
    pattern: re.Pattern[str]
    shown: str
    encoded: tuple[str, ...]


def _may_hold(text: str, entries: tuple[_Entry, ...]) -> bool:
    """False when ``text`` cannot hold any form of the values of ``entries``."""
    return "asic" in text or "ASIC" in text or any(
        e.anchor in text or any(encoded in text for encoded in e.encoded) for e in entries)


def _as_text(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def _anchor(value: str) -> str:
    """The longest run of ASCII letters and digits in ``value`` ("" when it has none)."""
    runs = re.findall(r"[A-Za-z0-9]+", value)
    return max(runs, key=len) if runs else ""


def _any_escaping(value: str) -> str:
    """A regex matching ``value`` with each character plain or escaped in any common way:
    percent-encoded, as JSON or Python escape it, and those escaped once more as JSON (a
    message's repr inside a JSON log line)."""
    out = []
    for char in value:
        if char.isascii() and char.isalnum():
            out.append(char)
            continue
        once = {char, json.dumps(char)[1:-1], json.dumps(char, ensure_ascii=False)[1:-1],
                repr(char)[1:-1], repr(char)[1:-1].replace("'", "\\'")}
        twice = {json.dumps(f, ensure_ascii=a)[1:-1] for f in once for a in (True, False)}
        forms = {re.escape(f) for f in once | twice}
        if char == " ":
            forms.add(r"\+")
        percent = "".join(f"%{b:02X}" for b in char.encode("utf-8"))
        forms.add("".join(f"%[{h[1]}{h[1].lower()}][{h[2]}{h[2].lower()}]"
                          for h in re.findall("%..", percent)))
        out.append("(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")")
    return "".join(out)


def _base64_forms(value: str) -> list[str]:
    """The base64 text of ``value`` alone (standard and url-safe, unpadded), and the part of it
    that stays the same when more bytes follow the value."""
    raw = value.encode("utf-8")
    stable = raw[: len(raw) - len(raw) % 3]
    forms = []
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(raw).decode("ascii").rstrip("=")
        forms.append(whole)
        if len(stable) >= 6 and len(stable) != len(raw):
            forms.append(encode(stable).decode("ascii"))
    return sorted(set(forms), key=len, reverse=True)


def credential_values(env: Mapping[str, str]) -> dict[str, str]:
    """The variables of ``env`` named like a credential, with a value that is not a switch."""
    return {name: value for name, value in env.items()
            if names_credential(name) and value.strip().lower() not in NOT_SECRET}


SECRETS = Secrets()
"""The process's one registry of secret values."""


def register(name: str, value: object) -> None:
    """Count ``value`` (text, or a number or boolean as text) as the secret ``name``."""
    if isinstance(value, str):
        SECRETS.add(name, value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        SECRETS.add(name, str(value))


def redact(text: str) -> str:
    """``text`` with every registered secret value hidden."""
    return SECRETS.text(text)


def redact_data(value: Any) -> Any:
    """A JSON-like structure with every registered secret value hidden in its strings."""
    return SECRETS.data(value)
