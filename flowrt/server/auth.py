"""Who may use the API, and from where.

- Users come from an auth file (YAML: ``users: {alice: <hash>}``) whose hashes are
  ``pbkdf2_sha256$<iterations>$<salt>$<hash>`` (:func:`hash_password` makes one; stdlib only).
  ``POST /api/login`` checks one and sets a session cookie (HttpOnly, SameSite=Strict).
- Bearer tokens come from ``FLOWRT_TOKENS`` (comma separated, each ``token`` or ``name:token``).
- :class:`Guard`, an ASGI middleware, asks for either on ``/api`` and ``/metrics`` (not on
  ``/health``, ``/ready``, ``/api/login``, ``/api/openapi.json`` or the editor's files), refuses
  state-changing API requests without ``X-Flowrt-Request: 1`` or with a foreign ``Origin`` (403:
  a cross-site form or script cannot set that header, and browsers send Origin), refuses a
  WebSocket from a foreign Origin, and bodies over the limit (413).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flowrt.errors import ConfigError
from flowrt.server.hosts import HostPolicy

ITERATIONS = 240_000
COOKIE = "flowrt_session"
OPEN_PATHS = ("/health", "/ready", "/api/login", "/api/openapi.json")
SESSION_SECONDS = 12 * 3600.0
STATE_CHANGING = frozenset({"POST", "PUT", "DELETE", "PATCH"})


def hash_password(password: str, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return "$".join(("pbkdf2_sha256", str(iterations), _b64(salt), _b64(digest)))


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), _unb64(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, _unb64(digest))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Auth:
    users: dict[str, str] = field(default_factory=dict)
    """User name -> password hash."""
    tokens: dict[str, str] = field(default_factory=dict)
    """Token -> the name it acts as."""
    sessions: dict[str, tuple[str, float]] = field(default_factory=dict)
    """Session id -> (user, when it expires, on the monotonic clock)."""
    session_seconds: float = SESSION_SECONDS

    @property
    def enabled(self) -> bool:
        return bool(self.users or self.tokens)

    @classmethod
    def load(cls, auth_file: str | None, tokens: str | None) -> Auth:
        auth = cls()
        if auth_file:
            auth.users = _read_users(Path(auth_file))
        for i, item in enumerate(t.strip() for t in (tokens or "").split(",")):
            if not item:
                continue
            name, sep, token = item.partition(":")
            if not sep:
                name, token = f"token{i + 1}", item
            if len(token) < 16:
                raise ConfigError("FLOWRT_TOKENS: each token must be at least 16 characters")
            auth.tokens[token] = name
        return auth

    def login(self, user: str, password: str) -> str | None:
        """A new session id, or None for a wrong user or password."""
        stored = self.users.get(user)
        if stored is None:
            verify_password(password, hash_password("x", 1000))  # the same work either way
            return None
        if not verify_password(password, stored):
            return None
        session = secrets.token_urlsafe(32)
        self.sessions[session] = (user, time.monotonic() + self.session_seconds)
        return session

    def user(self, scope: Scope) -> str | None:
        """Who makes this request (None: nobody we know); "local" when auth is off."""
        if not self.enabled:
            return "local"
        headers = _headers(scope)
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            token = bearer[7:].strip()
            for known, name in self.tokens.items():
                if hmac.compare_digest(known, token):
                    return name
            return None
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and value in self.sessions:
                user, expires = self.sessions[value]
                if time.monotonic() < expires:
                    return user
                del self.sessions[value]
        return None


def _read_users(path: Path) -> dict[str, str]:
    from ruamel.yaml import YAML

    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"auth file {path}: {exc}") from exc
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, dict) or not users:
        raise ConfigError(f"auth file {path}: expected `users: {{name: pbkdf2_sha256$...}}`")
    for name, stored in users.items():
        if not str(stored).startswith("pbkdf2_sha256$"):
            raise ConfigError(
                f"auth file {path}: the password of '{name}' is not a pbkdf2_sha256 hash; make "
                "one with `python -c \"from flowrt.server.auth import hash_password; "
                "print(hash_password('...'))\"`"
            )
    return {str(k): str(v) for k, v in users.items()}


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
        path: str = scope["path"]
        headers = _headers(scope)
        origin = headers.get("origin")
        guarded = path.startswith("/api/") or path == "/metrics"
        if scope["type"] == "websocket":
            if guarded and origin is not None and not self.hosts.origin_allowed(origin, scope):
                await send({"type": "websocket.close", "code": 1008})
                return
            user = self.auth.user(scope)
            if guarded and user is None:
                await send({"type": "websocket.close", "code": 1008})
                return
            scope["flowrt.user"] = user or "local"
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
        user = self.auth.user(scope)
        if guarded and path not in OPEN_PATHS and user is None:
            await _error(send, 401, "log in (POST /api/login) or send `Authorization: Bearer`")
            return
        scope["flowrt.user"] = user or "local"
        if not path.startswith("/api/"):
            await self.app(scope, receive, send)
            return
        length = headers.get("content-length", "")
        if length.isdecimal() and int(length) > self.max_body:
            await _error(send, 413, f"the body is over {self.max_body} bytes")
            return
        await self.app(scope, self._limited(receive, send), send)

    def _limited(self, receive: Receive, send: Send) -> Receive:
        seen = 0
        limit = self.max_body

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


async def _error(send: Send, status: int, text: str) -> None:
    body = json.dumps({"error": text}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def public_user(scope: Scope) -> str:
    return str(scope.get("flowrt.user", "local"))
