"""API keys for flow endpoints: a keys file that holds each key's hash, never the key.

A key is ``frk_`` followed by 43 url-safe characters (32 random bytes): the prefix makes a
leaked key recognisable to secret scanners and to people. ``flowrt keys add`` prints it once;
the file keeps its SHA-256, which is enough for a random 256-bit token (no password-style
stretching is needed: nothing about it can be guessed), with its name, scopes, creation,
expiry, revocation and last use::

    {"flowrt-keys": 1,
     "keys": {"sensor-7": {"hash": "sha256:9f86...", "scopes": ["readings:write"],
                           "created": "2026-12-06T18:00:00Z", "expires": null,
                           "revoked": null, "last_used": null}}}

The file sits beside the secrets store (``--keys FILE`` or ``FLOWRT_KEYS``), mode 600, and is
replaced in one step on every change under a lock (``FILE.lock``), so ``flowrt keys`` and a
running ``flowrt run`` may both write it. A revoked key stays listed (so a request that uses
it is logged as such) until it is removed with ``flowrt keys revoke --forget``.

:class:`KeyRing` is what the engine checks requests against: it reads the file again when the
file changed, so a key added or revoked takes effect on the next request without a restart.
A presented key is hashed first and looked up by its hash, then compared with
:func:`hmac.compare_digest`: what is compared is a SHA-256 the client cannot choose, so how long
a comparison takes tells an attacker nothing about a stored hash (let alone a key), and the
lookup costs the same with ten keys or a hundred thousand.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flowrt.errors import ConfigError
from flowrt.secrets.store import write_private

PREFIX = "frk_"
KEYS_ENV = "FLOWRT_KEYS"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
SCOPE = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
TOUCH_EVERY = 60.0
"""Seconds between two writes of a key's ``last_used`` (a busy key must not rewrite the file
on every request)."""
_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def new_key() -> str:
    """A fresh random key: ``frk_`` and 32 random bytes, url-safe."""
    return PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``2w`` or ``45s`` as a timedelta."""
    match = _DURATION.match(text.strip())
    if match is None or int(match[1]) == 0:
        raise ConfigError(f"{text!r} is not a duration; write a number and a unit: 30d, 12h, "
                          "90m, 2w")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class KeyRecord:
    """What the keys file holds about one key."""

    name: str
    hash: str
    scopes: tuple[str, ...]
    created: datetime
    expires: datetime | None
    revoked: datetime | None
    last_used: datetime | None

    def state(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked is not None:
            return "revoked"
        if self.expires is not None and now >= self.expires:
            return "expired"
        return "active"


def _record(name: str, raw: Any, file: Path) -> KeyRecord:
    try:
        return KeyRecord(name, str(raw["hash"]), tuple(raw.get("scopes") or ()),
                         _moment(raw["created"]) or datetime.now(UTC),
                         _moment(raw.get("expires")), _moment(raw.get("revoked")),
                         _moment(raw.get("last_used")))
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"{file}: the entry of key {name!r} is damaged") from None


def _raw(record: KeyRecord) -> dict[str, Any]:
    def stamp(moment: datetime | None) -> str | None:
        return _stamp(moment) if moment is not None else None

    return {"hash": record.hash, "scopes": list(record.scopes), "created": stamp(record.created),
            "expires": stamp(record.expires), "revoked": stamp(record.revoked),
            "last_used": stamp(record.last_used)}


def read_keys(path: str | os.PathLike[str]) -> dict[str, KeyRecord]:
    """The keys of the file at ``path`` by name; a missing file has none."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read the keys file: {exc}") from None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("flowrt-keys") != 1 or not isinstance(
            data.get("keys"), dict):
        raise ConfigError(f"{file} is not a flowrt keys file (made by `flowrt keys add`)")
    return {name: _record(name, raw, file) for name, raw in data["keys"].items()}


def write_keys(path: str | os.PathLike[str], keys: dict[str, KeyRecord]) -> None:
    body = {"flowrt-keys": 1, "keys": {n: _raw(r) for n, r in sorted(keys.items())}}
    write_private(Path(path), json.dumps(body, indent=2) + "\n")


_THREADS = threading.Lock()


@contextlib.contextmanager
def locked(path: str | os.PathLike[str]) -> Iterator[dict[str, KeyRecord]]:
    """The keys of the file, to change in place: written back when the block ends, while no
    other process (``flowrt keys``, a running engine) changes the file."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    with _THREADS, open(f"{file}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            keys = read_keys(file)
            yield keys
            write_keys(file, keys)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def add_key(path: str | os.PathLike[str], name: str, scopes: list[str],
            expires_in: timedelta | None = None) -> str:
    """Make a key named ``name`` and store its hash; returns the key (shown once)."""
    if not NAME.match(name):
        raise ConfigError(f"{name!r} is not a key name: letters, digits and . _ : - (up to 64)")
    for scope in scopes:
        if not SCOPE.match(scope):
            raise ConfigError(f"{scope!r} is not a scope: letters, digits and . _ : / -")
    key = new_key()
    now = datetime.now(UTC).replace(microsecond=0)
    with locked(path) as keys:
        if name in keys:
            raise ConfigError(f"{path} already holds a key named {name!r}; revoke it with "
                              f"`flowrt keys revoke {name} --forget` or choose another name")
        keys[name] = KeyRecord(name, hash_key(key), tuple(scopes), now,
                               now + expires_in if expires_in else None, None, None)
    return key


def revoke_key(path: str | os.PathLike[str], name: str, forget: bool = False) -> None:
    """Revoke the key ``name`` (it stays listed as revoked), or with ``forget`` remove it."""
    with locked(path) as keys:
        record = keys.get(name)
        if record is None:
            raise ConfigError(f"{path} holds no key named {name!r}")
        if forget:
            del keys[name]
        elif record.revoked is None:
            keys[name] = replace(record, revoked=datetime.now(UTC).replace(microsecond=0))


class KeyRing:
    """The keys of a file as the engine checks requests against them (see the module)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._seen: tuple[int, int, int] | None = None
        self._keys: dict[str, KeyRecord] = {}
        self._by_hash: dict[str, KeyRecord] = {}
        self._touched: dict[str, float] = {}

    def keys(self) -> dict[str, KeyRecord]:
        """The keys, read again when the file changed (a missing file has none)."""
        try:
            info = self.path.stat()
            seen = (info.st_mtime_ns, info.st_size, info.st_ino)
        except FileNotFoundError:
            self._seen, self._keys, self._by_hash = None, {}, {}
            return self._keys
        if seen != self._seen:
            self._keys = read_keys(self.path)
            self._by_hash = {r.hash: r for r in self._keys.values()}
            self._seen = seen
        return self._keys

    def find(self, key: str) -> KeyRecord | None:
        """The record whose hash is the key's, whatever its state (see the module)."""
        presented = hash_key(key)
        self.keys()
        record = self._by_hash.get(presented)
        if record is None or not hmac.compare_digest(presented.encode(), record.hash.encode()):
            return None
        return record

    def touch(self, name: str, now: float) -> None:
        """Note that the key was used, in the file at most every :data:`TOUCH_EVERY` s."""
        if now - self._touched.get(name, -TOUCH_EVERY) < TOUCH_EVERY:
            return
        self._touched[name] = now
        with locked(self.path) as keys:
            record = keys.get(name)
            if record is not None:
                moment = datetime.fromtimestamp(now, UTC).replace(microsecond=0)
                keys[name] = replace(record, last_used=moment)


_ring: KeyRing | None = None


def use_keys(path: str | os.PathLike[str] | None) -> KeyRing | None:
    """Make the keys file at ``path`` the one endpoints check keys against (None: none)."""
    global _ring
    _ring = KeyRing(path) if path else None
    return _ring


def keyring() -> KeyRing | None:
    """The keys file endpoints check keys against: the one :func:`use_keys` chose, else the
    one ``FLOWRT_KEYS`` names, else None (every key is refused)."""
    global _ring
    if _ring is None and os.environ.get(KEYS_ENV):
        _ring = KeyRing(os.environ[KEYS_ENV])
    return _ring
