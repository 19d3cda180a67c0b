"""How a host and a port are written together: ``127.0.0.1:1880``, ``[::1]:1880``.

An IPv6 literal holds colons of its own, so in ``host:port`` (and in a URL) it is written in
brackets (RFC 3986, section 3.2.2): ``http://::1:1880/`` is no address a browser or client
opens, ``http://[::1]:1880/`` is. A host given with its brackets keeps one pair; anything else
(a name, an IPv4 address, an unresolved ``${HOST:-db}``) is written as it is.

Dependency-free on purpose: `flowrt run` logs its addresses with it without importing the
server (Starlette).
"""

from __future__ import annotations

import ipaddress


def bracketed(host: str) -> str:
    """``host`` as written before ``:port`` or in a URL: an IPv6 literal in brackets."""
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.IPv6Address(bare)
    except ValueError:
        return host
    return f"[{bare}]"


def host_port(host: str, port: int | str) -> str:
    """``host:port``, an IPv6 literal in brackets: ``host_port("::1", 80) == "[::1]:80"``."""
    return f"{bracketed(host)}:{port}"


__all__ = ["bracketed", "host_port"]
