"""The answer to a request, made from a message as Node-RED's http-response makes it, and
turned into a Starlette response."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

from flowrt.api import MISSING, Message, NodeError, js_dumps

STALE_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}
)
"""Headers taken from ``msg.headers`` only if they still describe the body being sent: they
usually come from an http-request's response (whose body was decoded), so they are dropped.
Set them in a node's own ``headers`` to send them anyway."""


@dataclass(frozen=True)
class Cookie:
    """A cookie to set (``value`` a string) or to clear (``value`` None)."""

    name: str
    value: str | None
    max_age: int | None = None
    expires: str | None = None
    path: str = "/"
    domain: str | None = None
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None


@dataclass
class Reply:
    status: int
    body: bytes = b""
    media_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: list[Cookie] = field(default_factory=list)


def text_response(status: int, text: str) -> Any:
    return to_response(Reply(status, text.encode(), "text/plain; charset=utf-8"))


def to_response(reply: Reply) -> Any:
    """The Starlette response for a reply (no body for 1xx, 204 and 304)."""
    from starlette.responses import Response

    if reply.status < 200 or reply.status in (204, 304):
        response = Response(None, status_code=reply.status)
    else:
        response = Response(reply.body, status_code=reply.status, media_type=reply.media_type)
    for name, value in reply.headers:
        response.raw_headers.append((name.lower().encode("latin-1"), value.encode("latin-1")))
    for c in reply.cookies:
        if c.value is None:
            response.delete_cookie(c.name, path=c.path, domain=c.domain)
        else:
            response.set_cookie(
                c.name, c.value, max_age=c.max_age, expires=c.expires, path=c.path,
                domain=c.domain, secure=c.secure, httponly=c.http_only,
                samesite=c.same_site,  # type: ignore[arg-type]
            )
    return response


def reply_of(msg: Message, status_code: int | None, headers: Mapping[str, str]) -> Reply:
    """The reply for a message: status from the node or ``msg.statusCode`` (else 200); the
    node's headers over ``msg.headers``; ``msg.cookies``; the payload as the body."""
    status = status_code or status_of(msg.get("statusCode"))
    merged: dict[str, tuple[str, list[str]]] = {}
    given = msg.get("headers")
    if given is not None and not isinstance(given, dict):
        raise NodeError(f"msg.headers must be an object of header names; got {given!r}")
    for name, value in (given or {}).items():
        if str(name).lower() not in STALE_HEADERS and value is not None:
            merged[str(name).lower()] = (str(name), header_values(name, value))
    for name, value in headers.items():
        merged[name.lower()] = (name, [value])
    content_type = merged.pop("content-type", None)
    explicit = content_type[1][0] if content_type else None
    body, media_type = body_of(msg.get("payload", MISSING), explicit)
    pairs = [(name, v) for name, values in merged.values() for v in values]
    for name, value in pairs:
        try:
            name.encode("ascii")
            value.encode("latin-1")
        except UnicodeEncodeError as exc:
            raise NodeError(
                f"header {name!r}: {value!r} cannot be sent in HTTP (only Latin-1 text); "
                "percent-encode it"
            ) from exc
    return Reply(status, body, media_type, pairs, cookies_of(msg.get("cookies")))


def status_of(value: Any) -> int:
    if value is None:
        return 200
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 599:
        return value
    raise NodeError(f"msg.statusCode must be an HTTP status code (100-599); got {value!r}")


def header_values(name: Any, value: Any) -> list[str]:
    if isinstance(value, list):
        return [text_of(v) for v in value if v is not None]
    return [text_of(value)]


def text_of(value: Any) -> str:
    """A value as JavaScript's ``String()`` writes it (``true``, ``2``, JSON for objects)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return js_dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def body_of(payload: Any, content_type: str | None) -> tuple[bytes, str | None]:
    """Body and content type, as Express's ``res.send`` and ``res.json`` choose them."""
    if payload is MISSING:
        return b"", content_type
    if isinstance(payload, bytes | bytearray):
        return bytes(payload), content_type or "application/octet-stream"
    if isinstance(payload, str) or (isinstance(payload, int | float)
                                    and not isinstance(payload, bool)):
        charset = _charset(content_type) or "utf-8"
        try:
            body = text_of(payload).encode(charset)
        except (LookupError, UnicodeEncodeError) as exc:
            raise NodeError(f"cannot encode the payload as {charset}: {exc}") from exc
        return body, content_type or "text/html; charset=utf-8"
    text = js_dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode(), content_type or "application/json; charset=utf-8"


def _charset(content_type: str | None) -> str:
    for item in (content_type or "").split(";")[1:]:
        key, _, value = item.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"')
    return ""


def cookies_of(value: Any) -> list[Cookie]:
    """``msg.cookies``: name -> value, or name -> options with ``value`` (null clears it), or
    name -> null (clears it). Options as Express takes them: ``maxAge`` (ms), ``expires``
    (an HTTP date, or epoch ms), ``path``, ``domain``, ``secure``, ``httpOnly``, ``sameSite``
    (snake_case names are accepted too)."""
    if value is None:
        return []
    if not isinstance(value, dict):
        raise NodeError(f"msg.cookies must be an object of cookie names; got {value!r}")
    cookies: list[Cookie] = []
    for name, spec in value.items():
        if not isinstance(spec, dict):
            cookies.append(Cookie(str(name), None if spec is None else text_of(spec)))
            continue
        option = _options(spec)
        raw = spec.get("value")
        max_age = option("maxAge", "max_age")
        expires = option("expires", "expires")
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            expires = formatdate(expires / 1000, usegmt=True)
        same_site = option("sameSite", "same_site")
        if same_site is True:
            same_site = "strict"
        cookies.append(Cookie(
            name=str(name),
            value=None if raw is None else text_of(raw),
            max_age=int(max_age // 1000) if isinstance(max_age, int | float) else None,
            expires=str(expires) if expires else None,
            path=str(option("path", "path") or "/"),
            domain=str(option("domain", "domain")) if option("domain", "domain") else None,
            secure=bool(option("secure", "secure")),
            http_only=bool(option("httpOnly", "http_only")),
            same_site=str(same_site).lower() if same_site else None,
        ))
    for cookie in cookies:
        if cookie.same_site not in (None, "lax", "strict", "none"):
            raise NodeError(f"cookie {cookie.name!r}: sameSite must be strict, lax or none")
    return cookies


def _options(spec: dict[str, Any]) -> Any:
    def option(camel: str, snake: str) -> Any:
        return spec.get(camel, spec.get(snake))

    return option
