"""Who may use the API, and from where.

- Users come from an auth file (YAML: ``users: {alice: <hash>}``) whose hashes are
  ``pbkdf2_sha256$<iterations>$<salt>$<hash>`` (:func:`hash_password` makes one; stdlib only).
  ``POST /api/login`` checks one and sets a session cookie (HttpOnly, SameSite=Strict).
- Bearer tokens come from ``FLOWRT_TOKENS`` (comma separated, each ``token``, ``name:token``
  or ``name:token:role``).
- Each user and token has a :class:`~flowrt.server.roles.Grant` (a role, and maybe a list of
  flow files): :meth:`Auth.identify` gives it with the name, the guards put it in the scope
  (``flowrt.grant``) and :mod:`flowrt.server.access` judges each route by it.
- :class:`Guard`, an ASGI middleware, asks for either on ``/api``, ``/metrics`` and the
  dashboard (``/dashboard``, its files and WebSocket; not on
  ``/health``, ``/ready``, ``/api/login``, ``/api/openapi.json`` or the editor's files), refuses
  state-changing API requests without ``X-Flowrt-Request: 1`` or with a foreign ``Origin`` (403:
  a cross-site form or script cannot set that header, and browsers send Origin), refuses a
  WebSocket from a foreign Origin, and bodies over the limit (413).
- Failed logins are counted per user name and per client address, failed bearer tokens per
  client address (:class:`Attempts`); past the limit the answer is 429 with Retry-After until
  the lockout ends, even for the right password or token. Each attempt's outcome is a line of
  the ``flowrt.audit`` log (user, client address, outcome; never the password or token; a
  token's later successes from the same address at debug level).
- The password hashing is in :mod:`flowrt.server.passwords`, the counting in
  :mod:`flowrt.server.throttle`.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flowrt.errors import ConfigError
from flowrt.server.hosts import HostPolicy
from flowrt.server.passwords import (
    ITERATIONS,
    dummy_hash,
    hash_password,
    read_auth,
    verify_password,
)
from flowrt.server.roles import FULL, Grant, parse_token
from flowrt.server.throttle import CLIENT, Throttle, Throttled, client_key

COOKIE = "flowrt_session"
OPEN_PATHS = ("/health", "/ready", "/api/login", "/api/openapi.json")
SESSION_SECONDS = 12 * 3600.0
SESSIONS_PER_USER = 32
STATE_CHANGING = frozenset({"POST", "PUT", "DELETE", "PATCH"})
audit = logging.getLogger("flowrt.audit")


@dataclass
class Attempts:
    """Failed logins per user name and per client address, failed bearer tokens per client
    address (see :mod:`flowrt.server.throttle`), on one clock."""

    users: Throttle = field(default_factory=Throttle)
    clients: Throttle = field(default_factory=Throttle)
    tokens: Throttle = field(default_factory=Throttle)
    clock: Callable[[], float] = time.monotonic


@dataclass
class Auth:
    users: dict[str, str] = field(default_factory=dict)
    """User name -> password hash."""
    tokens: dict[str, str] = field(default_factory=dict)
    """Token -> the name it acts as."""
    grants: dict[str, Grant] = field(default_factory=dict)
    """User name -> its grant (a user not here is admin of every file)."""
    token_grants: dict[str, Grant] = field(default_factory=dict)
    """Token name -> its grant (likewise)."""
    sessions: dict[str, tuple[str, float]] = field(default_factory=dict)
    """Session id -> (user, when it expires, on the monotonic clock)."""
    session_seconds: float = SESSION_SECONDS
    attempts: Attempts = field(default_factory=Attempts)
    _dummy: str = field(default="", repr=False)
    _seen: OrderedDict[tuple[str, str], None] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def enabled(self) -> bool:
        return bool(self.users or self.tokens)

    @classmethod
    def load(cls, auth_file: str | None, tokens: str | None) -> Auth:
        auth = cls()
        if auth_file:
            auth.users, auth.grants = read_auth(Path(auth_file))
        for i, item in enumerate(t.strip() for t in (tokens or "").split(",")):
            if not item:
                continue
            name, token, grant = parse_token(item, i)
            if len(token) < 16:
                raise ConfigError("FLOWRT_TOKENS: each token must be at least 16 characters")
            auth.tokens[token] = name
            auth.token_grants[name] = grant
        unnamed = sorted({*(f"user {n}" for n, g in auth.grants.items() if not g.explicit),
                          *(f"token {n}" for n, g in auth.token_grants.items()
                            if not g.explicit)})
        if unnamed:
            logging.getLogger("flowrt.server").warning(
                "%s: no role given, so admin (as before roles existed); give each the least "
                "role it needs (viewer, editor, deployer, admin): see docs/security.md",
                ", ".join(unnamed))
        return auth

    def login(self, user: str, password: str, client: str | None = None) -> str | None:
        """A new session id, or None for a wrong user or password. Raises Throttled while the
        user name or the client address (by default the request's) is locked out."""
        client = client or CLIENT.get()
        attempts = self.attempts
        name = blake2b(user.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        with self._lock:  # logins are checked in worker threads, several at once
            now = attempts.clock()
            wait = attempts.users.begin(name, now)
            if not wait:
                wait = attempts.clients.begin(client, now)
                if wait:
                    attempts.users.end(name)
        if wait:
            _audit(logging.WARNING, "login", user, client, "locked", wait)
            raise Throttled(wait)
        stored = self.users.get(user)
        if not self._dummy:  # made once (two threads may both make one: either will do)
            self._dummy = dummy_hash(self.users)
        try:
            # an unknown name costs the same work as a known one: no telling them apart by time
            right = verify_password(password, self._dummy if stored is None else stored)
        except BaseException:
            with self._lock:
                attempts.users.end(name)
                attempts.clients.end(client)
            raise
        with self._lock:  # decided and counted at once: no attempt slips in between
            attempts.users.end(name)
            attempts.clients.end(client)
            if right and stored is not None:
                attempts.users.clear(name)
                session = self._new_session(user)
            else:
                now = attempts.clock()
                wait = max(attempts.users.fail(name, now), attempts.clients.fail(client, now))
        if not right or stored is None:
            outcome = "unknown-user" if stored is None else "wrong-password"
            _audit(logging.WARNING, "login", user, client, outcome, wait)
            return None
        _audit(logging.INFO, "login", user, client, "ok")
        return session

    def _new_session(self, user: str) -> str:
        now = time.monotonic()
        for key, (_, expires) in list(self.sessions.items()):
            if expires <= now:
                del self.sessions[key]
        mine = [key for key, (owner, _) in self.sessions.items() if owner == user]
        for key in mine[: max(0, len(mine) - SESSIONS_PER_USER + 1)]:
            del self.sessions[key]  # the oldest go first (dicts keep insertion order)
        session = secrets.token_urlsafe(32)
        self.sessions[session] = (user, now + self.session_seconds)
        return session

    def user(self, scope: Scope) -> str | None:
        """Who makes this request (None: nobody we know); "local" when auth is off. Raises
        Throttled for a bearer token from a client address locked out for wrong ones."""
        found = self.identify(scope)
        return None if found is None else found[0]

    def identify(self, scope: Scope) -> tuple[str, Grant] | None:
        """Who makes this request and what they may do (None: nobody we know); ("local",
        every right) when auth is off. Raises Throttled as :meth:`user` does."""
        if not self.enabled:
            return "local", FULL
        headers = _headers(scope)
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            name = self._token_user(bearer[7:].strip(), client_key(scope))
            return None if name is None else (name, self.token_grants.get(name, FULL))
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name != COOKIE:
                continue
            with self._lock:
                user, expires = self.sessions.get(value, ("", 0.0))
                if time.monotonic() < expires:
                    return user, self.grants.get(user, FULL)
                self.sessions.pop(value, None)
        return None

    def _token_user(self, token: str, client: str) -> str | None:
        attempts, now = self.attempts, self.attempts.clock()
        wait = attempts.tokens.wait(client, now)
        if wait:
            _audit(logging.WARNING, "token", None, client, "locked", wait)
            raise Throttled(wait)
        given = token.encode("latin-1")  # the header's bytes as they came
        found = None
        for known, name in self.tokens.items():  # every token compared, in constant time
            if hmac.compare_digest(known.encode("utf-8"), given) and found is None:
                found = name
        if found is None:
            wait = attempts.tokens.fail(client, now)
            _audit(logging.WARNING, "token", None, client, "refused", wait)
            return None
        attempts.tokens.clear(client)
        first = (found, client) not in self._seen
        self._seen[(found, client)] = None
        self._seen.move_to_end((found, client))
        if len(self._seen) > 1024:
            self._seen.popitem(last=False)
        _audit(logging.INFO if first else logging.DEBUG, "token", found, client, "ok")
        return found


def _audit(level: int, kind: str, user: str | None, client: str, outcome: str,
           locked: float = 0.0) -> None:
    """One line per attempt: what, who (as sent, quoted and cut), from where, and how it
    ended; never a password or token."""
    who = json.dumps(user[:64], ensure_ascii=True) if user is not None else "-"
    extra = f" locked_for={max(1, round(locked))}s" if locked else ""
    audit.log(level, "%s user=%s client=%s outcome=%s%s", kind, who, client, outcome, extra)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


class Guard:
    def __init__(self, app: ASGIApp, auth: Auth, max_body: int,
                 hosts: HostPolicy | None = None) -> None:
        self.app = app
        self.auth = auth
        self.max_body = max_body
        self.hosts = hosts or HostPolicy()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        CLIENT.set(client_key(scope))
        path: str = scope["path"]
        headers = _headers(scope)
        origin = headers.get("origin")
        guarded = path.startswith("/api/") or path == "/metrics" or is_dashboard(path)
        if scope["type"] == "websocket":
            if guarded and origin is not None and not self.hosts.origin_allowed(origin, scope):
                await send({"type": "websocket.close", "code": 1008})
                return
            try:
                found = self.auth.identify(scope) if guarded else ("local", FULL)
            except Throttled:
                found = None
            if found is None:
                await send({"type": "websocket.close", "code": 1008})
                return
            scope["flowrt.user"], scope["flowrt.grant"] = found
            await self.app(scope, receive, send)
            return
        if path.startswith("/api/") and scope["method"] in STATE_CHANGING:
            if headers.get("x-flowrt-request") != "1":
                await _error(send, 403, "state-changing requests need the header "
                             "`X-Flowrt-Request: 1`")
                return
            if origin is not None and not self.hosts.origin_allowed(origin, scope):
                await _error(send, 403, f"requests from {origin} are refused (cross-site)")
                return
        # a flow's own endpoints take their own credentials: only the API's are ours to judge
        try:
            found = self.auth.identify(scope) if guarded else ("local", FULL)
        except Throttled as exc:
            await too_many(send, exc)
            return
        user = None if found is None else found[0]
        if guarded and path not in OPEN_PATHS and user is None:
            await _error(send, 401, "log in in the editor (/) first, then open the dashboard"
                         if is_dashboard(path) else
                         "log in (POST /api/login) or send `Authorization: Bearer`")
            return
        scope["flowrt.user"] = user or "local"
        scope["flowrt.grant"] = None if found is None else found[1]
        if not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        length = headers.get("content-length", "")
        if length.isdecimal() and int(length) > self.max_body:
            await _error(send, 413, f"the body is over {self.max_body} bytes")
            return
        await self.app(scope, limited_body(receive, self.max_body), send)


def is_dashboard(path: str) -> bool:
    """The dashboard's page, files and WebSocket (``/dashboard``, ``/dashboard/...``): behind
    the same login as the API, its WebSocket refused from a foreign Origin."""
    return path == "/dashboard" or path.startswith("/dashboard/")


def limited_body(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises BodyTooLarge once the request's body passes ``limit`` bytes."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return limited


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the body is over {limit} bytes")


async def _error(send: Send, status: int, text: str,
                 headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = json.dumps({"error": text}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


async def too_many(send: Send, exc: Throttled) -> None:
    """429 with Retry-After, for a client or user name locked out after failed attempts."""
    await _error(send, 429, f"{exc}; wait, then check the user name, password or token",
                 ((b"retry-after", str(exc.retry_after).encode()),))


def public_user(scope: Scope) -> str:
    return str(scope.get("flowrt.user", "local"))


def grant_in(scope: Scope) -> Grant | None:
    """The grant the guard found for this request (None: nobody known)."""
    grant = scope.get("flowrt.grant")
    return grant if isinstance(grant, Grant) else None


__all__ = ["ITERATIONS", "Auth", "Guard", "Throttled", "grant_in", "hash_password",
           "public_user", "verify_password"]
