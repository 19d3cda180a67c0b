"""Which Host names the server answers, and which Origins may change state.

A web page can point its own name at 127.0.0.1 (DNS rebinding) and then talk to a loopback
server with that name in ``Host`` and a matching ``Origin``, as if it were the server's own
page. :class:`HostGuard` answers only the names the server serves:

- ``localhost`` and any loopback address (``127.0.0.1``, ``[::1]``, ...), with any port;
- the address a connection arrived on (an IP address cannot be rebound: a page that reaches
  the server by its address is the server's own origin);
- the names the operator gives: ``--allowed-host NAME`` (``*.example.com`` matches the names
  under example.com, not example.com itself) and the host of each ``--public-url URL``.

Everything else is a 400 on HTTP and a refused handshake (403) on the WebSocket, on every
path. Subdomains of ``localhost`` are not served unless allowed: some resolvers send them to
DNS, where anyone may answer.

:meth:`HostPolicy.origin_allowed` is what :class:`~flowrt.server.auth.Guard` asks of an
``Origin``: one of the public URLs, or the request's own origin under a served name.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from flowrt.errors import ConfigError
from flowrt.netloc import bracketed

log = logging.getLogger("flowrt.server")

_HOST = re.compile(r"(?P<name>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+)(?::(?P<port>[0-9]{1,5}))?")
_NAME = re.compile(r"(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*|[0-9a-f:.]+")


def split_host(value: str) -> tuple[str, int | None] | None:
    """(name, port) of a Host header, lowercased, IPv6 without brackets and without a final
    dot; None when it is not a host name (or is empty)."""
    match = _HOST.fullmatch(value.strip())
    if match is None:
        return None
    name = match["name"].lower()
    if name.startswith("["):
        name = name[1:-1]
    name = name[:-1] if name.endswith(".") else name
    port = int(match["port"]) if match["port"] else None
    if not name or (port is not None and port > 65535):
        return None
    return name, port


def is_loopback_name(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class HostPolicy:
    names: frozenset[str] = frozenset()
    """Names served besides loopback and the local address (lowercase)."""
    suffixes: tuple[str, ...] = ()
    """``.example.com`` for each ``*.example.com`` allowed."""
    origins: frozenset[str] = frozenset()
    """The origins (``https://name[:port]``) of the public URLs."""

    @classmethod
    def build(cls, allowed: tuple[str, ...] = (),
              public_urls: tuple[str, ...] = ()) -> HostPolicy:
        """The policy for the configured names and public URLs; ConfigError names a bad one."""
        names: set[str] = set()
        suffixes: list[str] = []
        for raw in allowed:
            item = raw.strip().lower().rstrip(".")
            if item.startswith("[") and item.endswith("]"):
                item = item[1:-1]
            if not _NAME.fullmatch(item):
                raise ConfigError(
                    f"allowed host {raw!r} is not a host name: give a name such as "
                    "flows.example.com, *.example.com (the names under it) or an address")
            if item.startswith("*."):
                suffixes.append(item[1:])
            else:
                names.add(item)
        origins: set[str] = set()
        for raw in public_urls:
            origin, host = _origin_of(raw)
            origins.add(origin)
            names.add(host)
        return cls(frozenset(names), tuple(suffixes), frozenset(origins))

    def serves(self, name: str, scope: Scope) -> bool:
        """Whether ``name`` (from :func:`split_host`) is one of the server's names."""
        if is_loopback_name(name) or name in self.names:
            return True
        if any(name.endswith(suffix) for suffix in self.suffixes):
            return True
        server = scope.get("server")
        return server is not None and name in _spellings(str(server[0]).lower())

    def allows_host(self, scope: Scope) -> bool:
        host = split_host(_header(scope, b"host") or "")
        return host is not None and self.serves(host[0], scope)

    def origin_allowed(self, origin: str, scope: Scope) -> bool:
        """A public URL's origin, or the request's own origin when its name is served (the
        Host header has been checked by :class:`HostGuard` already; it is checked again here
        so the answer never rests on a header alone)."""
        if origin in self.origins:
            return True
        host = _header(scope, b"host") or ""
        scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
        if origin != f"{scheme}://{host}":
            return False
        parsed = split_host(host)
        return parsed is not None and self.serves(parsed[0], scope)


def _spellings(address: str) -> tuple[str, ...]:
    """An address as a Host may name it: an IPv4 address a dual-stack socket reports as
    ``::ffff:a.b.c.d`` is also ``a.b.c.d``."""
    try:
        mapped = ipaddress.ip_address(address)
    except ValueError:
        return (address,)
    if isinstance(mapped, ipaddress.IPv6Address) and mapped.ipv4_mapped is not None:
        return (address, str(mapped.ipv4_mapped))
    return (address,)


def _origin_of(url: str) -> tuple[str, str]:
    """(origin, host name) of a public URL; ConfigError when it is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"public URL {url!r}: {exc}") from exc
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(
            f"public URL {url!r} is not the address browsers use: give scheme and host, "
            "such as https://flows.example.com (a port if not the default, no path)")
    netloc = bracketed(host)
    default = 443 if parts.scheme == "https" else 80
    if port is not None and port != default:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}", host


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class HostGuard:
    """Refuses a request or WebSocket whose Host is not one of the server's names."""

    def __init__(self, app: ASGIApp, policy: HostPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.policy.allows_host(scope):
            await self.app(scope, receive, send)
            return
        host = (_header(scope, b"host") or "")[:100]
        log.info("refused a request for Host %r: not a name this server serves", host)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        text = (f"the Host {host!r} is not a name this server serves; if it is, start "
                "flowrt serve with --allowed-host NAME or --public-url URL")
        body = json.dumps({"error": text}).encode()
        await send({"type": "http.response.start", "status": 400,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
