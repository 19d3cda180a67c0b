"""Who may call a flow endpoint: authentication, rate limits and quotas, checked by the engine
before a request (or a WebSocket handshake) reaches the flow.

:class:`Gate` reads an endpoint's access settings (:class:`~flowrt.protocols.EndpointAccess`:
the ``auth``, ``scopes``, ``tokens``, ``users``, ``rate``, ``burst`` and ``quota`` fields of an
http-in node or a websocket-listener) and answers :meth:`Gate.admit` with the client admitted
(``{"name", "kind", "scopes"}``, what the message carries as ``msg.client``) or a
:class:`Refusal`:

- With any ``auth`` but ``none``, a request carrying two credentials (``Authorization`` and
  ``X-API-Key`` that are not the same key, or either header twice with different values) gets
  ``401`` (``error="invalid_request"``) whatever they are: it is never admitted on one while
  the other is ignored.
- ``auth: key``: an API key of the keys file (:mod:`flowrt.secrets.keys`) in ``Authorization:
  Bearer KEY`` or ``X-API-Key: KEY``, never in the query string. No key, an unknown, expired or
  revoked one: ``401`` with ``WWW-Authenticate: Bearer``; a valid key without every scope the
  endpoint requires: ``403`` (``error="insufficient_scope"``).
- ``auth: bearer``: one of the endpoint's ``tokens`` (name -> ``${SECRET}``) in ``Authorization:
  Bearer``.
- ``auth: basic``: ``Authorization: Basic`` with a user of ``users`` (name -> a
  ``pbkdf2_sha256$...`` hash, as ``flowrt keys hash-password`` prints); an unknown user costs
  the same work as a known one. Password checks run in a thread (they take tens of
  milliseconds on purpose) and a success is remembered for a minute, keyed by a keyed hash.
- then ``rate``/``burst`` and ``quota`` (:mod:`.limits`): ``429`` with ``Retry-After``. Failed
  authentications are counted against the client's address (with ``basic`` or ``bearer`` and
  no ``rate``: :data:`GUESS_BURST` at once, then :data:`GUESS_RATE` a second), and an address
  over that budget is refused without its credentials being checked, so guessing is rate
  limited too.

Bearer tokens are compared in constant time with every token (:func:`hmac.compare_digest` over
SHA-256 digests, so of equal length); keys are looked up by their SHA-256, which the client
cannot choose (:mod:`flowrt.secrets.keys`). Nothing a client sends is logged: a refusal is
logged with the endpoint, the address and, for a known key, its name.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import logging
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flowrt.run.limits import Limits
from flowrt.run.usage import count as count_usage
from flowrt.secrets.keys import keyring

log = logging.getLogger("flowrt.http")
REALM = "flowrt"
GUESS_RATE, GUESS_BURST = 0.2, 10
"""Failed basic logins or bearer tokens an address may try (at once, then a second) when the
endpoint sets no ``rate``: ten wrong guesses, then one every five seconds."""
REMEMBER = 60.0
"""Seconds a verified user and password is taken without hashing it again."""
_PROCESS_KEY = secrets.token_bytes(32)
_DUMMY = "$".join(("pbkdf2_sha256", "240000", secrets.token_urlsafe(16), secrets.token_urlsafe(32)))


@dataclass(frozen=True)
class Refusal:
    """What to answer instead of passing the request on."""

    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    outcome: str = "unauthorized"
    key: str = ""
    """The name of a known key refused (revoked, expired, without the scopes), counted as
    its refusal in ``/metrics``; empty otherwise."""


Client = dict[str, Any]


class Gate:
    """The access rules of one endpoint (see the module)."""

    def __init__(self, node_id: str, endpoint: str, access: Any) -> None:
        self.node_id = node_id
        self.endpoint = endpoint
        self.auth: str = access.auth
        self.scopes = tuple(access.scopes or ())
        self.tokens = {name: _digest(v) for name, v in (access.tokens or {}).items()}
        self.users: dict[str, str] = dict(access.users or {})
        self.limits = Limits(access.rate, access.burst, access.quota)
        if access.rate is None and self.auth in ("basic", "bearer"):  # chosen by people
            self.failures = Limits(GUESS_RATE, GUESS_BURST, None)
        else:
            self.failures = Limits(access.rate, access.burst, None)
        self._keyless_told = False
        self._blocked: dict[str, float] = {}
        """Address -> until when its failed attempts exhausted their budget: refused without
        checking credentials (a flood of wrong passwords must not buy password hashing)."""
        self._remembered: dict[bytes, float] = {}

    @property
    def counted(self) -> bool:
        return self.auth != "none" or self.limits.active

    async def admit(self, headers: Mapping[str, str], address: str,
                    limited: bool = True) -> Client | Refusal:
        """The client a request comes from, or why it is refused (counted in ``/metrics``).
        Without ``limited`` the request is not counted against the client's rate and quota (a
        WebSocket handshake: its frames are)."""
        now = time.monotonic()
        blocked = self._blocked.get(address, 0.0)
        if blocked > now:
            return self._limited(max(1, math.ceil(blocked - now)), "rate_limited", "")
        found = await self._authenticate(headers)
        if isinstance(found, Refusal):
            slowed = self.failures.take(f"address:{address}") if self.failures.active else None
            self._refused(found, address, found.key)
            if slowed is not None:
                if len(self._blocked) > 10_000:
                    self._blocked = {a: t for a, t in self._blocked.items() if t > now}
                self._blocked[address] = now + slowed.retry_after
                return self._limited(slowed.retry_after, "rate_limited", "")
            return found
        name = found["name"] if found else f"address:{address}"
        over = self.limits.take(name) if self.limits.active and limited else None
        key = found["name"] if found else ""
        if over is not None:
            outcome = "rate_limited" if over.reason == "rate" else "quota_exceeded"
            log.info("node '%s' (%s): %s from %s over its %s", self.node_id, self.endpoint,
                     f"{found['kind']} {key!r}" if found else "a request", address, over.reason)
            return self._limited(over.retry_after, outcome, key)
        if self.counted:
            count_usage(self.endpoint, key, "ok")
        return found or {}

    def _limited(self, retry_after: int, outcome: str, key: str) -> Refusal:
        count_usage(self.endpoint, key, outcome)
        what = "daily quota" if outcome == "quota_exceeded" else "rate limit"
        return Refusal(429, f"over the {what} of this endpoint; retry after {retry_after} s",
                       {"Retry-After": str(retry_after)}, outcome)

    def _refused(self, refusal: Refusal, address: str, key: str) -> None:
        count_usage(self.endpoint, key, refusal.outcome)
        log.info("node '%s' (%s): refused a request from %s: %s", self.node_id, self.endpoint,
                 address, refusal.text)

    async def _authenticate(self, headers: Mapping[str, str]) -> Client | Refusal | None:
        if self.auth == "none":
            return None
        ambiguous = _two_credentials(headers)
        if ambiguous:
            return Refusal(401, ambiguous, {"WWW-Authenticate": (
                f'Basic realm="{REALM}", charset="UTF-8"' if self.auth == "basic"
                else f'Bearer realm="{REALM}", error="invalid_request"')})
        authorization = headers.get("authorization", "")
        scheme, _, credentials = authorization.strip().partition(" ")
        scheme, credentials = scheme.lower(), credentials.strip()
        if self.auth == "basic":
            return await self._basic(scheme, credentials)
        if self.auth == "bearer":
            return self._bearer(credentials if scheme == "bearer" else "")
        presented = credentials if scheme == "bearer" else headers.get("x-api-key", "").strip()
        return self._key(presented)

    def _challenge(self, text: str, error: str | None = None, key: str = "") -> Refusal:
        value = f'Bearer realm="{REALM}"' + (f', error="{error}"' if error else "")
        return Refusal(401, text, {"WWW-Authenticate": value}, key=key)

    def _key(self, presented: str) -> Client | Refusal:
        if not presented:
            return self._challenge("an API key is required (Authorization: Bearer KEY or "
                                   "X-API-Key: KEY)")
        ring = keyring()
        if ring is None:
            if not self._keyless_told:
                self._keyless_told = True
                log.warning("node '%s' (%s) takes API keys but no keys file is given (--keys "
                            "FILE or FLOWRT_KEYS): every request is refused", self.node_id,
                            self.endpoint)
            return self._challenge("this API key is not valid", "invalid_token")
        record = ring.find(presented)
        now = time.time()
        state = record.state(_utc(now)) if record is not None else "unknown"
        if record is None or state != "active":
            if record is not None:
                log.info("node '%s' (%s): key %r is %s", self.node_id, self.endpoint,
                         record.name, state)
            return self._challenge("this API key is not valid (unknown, expired or revoked)",
                                   "invalid_token", record.name if record is not None else "")
        missing = [s for s in self.scopes if s not in record.scopes]
        if missing:
            wanted = " ".join(self.scopes)
            return Refusal(403, f"key {record.name!r} lacks the scope(s) {', '.join(missing)}",
                           {"WWW-Authenticate": f'Bearer realm="{REALM}", '
                            f'error="insufficient_scope", scope="{wanted}"'}, "forbidden",
                           record.name)
        ring.touch(record.name, now)
        return {"name": record.name, "kind": "key", "scopes": list(record.scopes)}

    def _bearer(self, presented: str) -> Client | Refusal:
        if not presented:
            return self._challenge("a bearer token is required (Authorization: Bearer TOKEN)")
        digest = _digest(presented)
        found = None
        for name, expected in self.tokens.items():
            if hmac.compare_digest(digest, expected):
                found = name
        if found is None:
            return self._challenge("this bearer token is not valid", "invalid_token")
        return {"name": found, "kind": "token", "scopes": []}

    async def _basic(self, scheme: str, credentials: str) -> Client | Refusal:
        challenge = Refusal(401, "a user name and password are required (HTTP basic)",
                            {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})
        if scheme != "basic" or not credentials:
            return challenge
        try:
            user, sep, password = base64.b64decode(credentials, validate=True).decode(
                "utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return challenge
        if not sep:
            return challenge
        remembered = hmac.new(_PROCESS_KEY, f"{user}\0{password}".encode("utf-8",
                              "surrogatepass"), hashlib.sha256).digest()
        now = time.monotonic()
        if self._remembered.get(remembered, 0.0) > now:
            return {"name": user, "kind": "user", "scopes": []}
        stored = self.users.get(user, _DUMMY)
        good = await asyncio.to_thread(verify_password, password, stored)
        if not good or user not in self.users:
            return Refusal(401, "wrong user name or password", challenge.headers)
        if len(self._remembered) > 1000:
            self._remembered.clear()
        self._remembered[remembered] = now + REMEMBER
        return {"name": user, "kind": "user", "scopes": []}


def _two_credentials(headers: Mapping[str, str]) -> str:
    """Why a request carrying more than one credential is refused (empty: it carries one at
    most). Only one is ever checked, so one not checked must not come with it: a request would
    pass on one while a proxy, a log or the flow's author looks at the other (a revoked key,
    another client's). A header given twice with one value, and the same key as ``Bearer`` and
    ``X-API-Key``, are one credential."""
    authorizations = _values(headers, "authorization")
    keys = _values(headers, "x-api-key")
    for name, values in (("Authorization", authorizations), ("X-API-Key", keys)):
        if len(set(values)) > 1:
            return (f"{name} more than once, with different values: send one credential, "
                    "once")
    if authorizations and keys:
        scheme, _, credentials = authorizations[0].partition(" ")
        if scheme.lower() != "bearer" or credentials.strip() != keys[0]:
            return ("two credentials (Authorization and X-API-Key) in one request: send one "
                    "of them")
    return ""


def _values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every non-empty value of the header ``name`` (Starlette's headers keep repeats)."""
    getlist = getattr(headers, "getlist", None)
    values = getlist(name) if getlist is not None else [headers.get(name, "")]
    return [value.strip() for value in values if value.strip()]


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a ``pbkdf2_sha256$iterations$salt$hash`` hash (the format
    of the editor's users file: url-safe base64 salt and hash)."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8", "surrogatepass"),
                                  _unb64(salt), int(iterations))
        return hmac.compare_digest(got, _unb64(digest))
    except (ValueError, TypeError, binascii.Error):
        return False


def hash_password(password: str, iterations: int = 240_000) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8", "surrogatepass"), salt,
                                 iterations)
    return "$".join(("pbkdf2_sha256", str(iterations), _b64(salt), _b64(digest)))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _utc(now: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(now, UTC)
