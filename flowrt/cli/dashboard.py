"""`flowrt run --dashboard HOST:PORT`: the dashboard's page and WebSocket on an address of
their own, beside the flows (see docs/dashboard.md and :mod:`flowrt.server.dashboard_app`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from flowrt.run.main import SideServer

DASHBOARD_OPTION = click.option(
    "--dashboard", "dashboard_address", metavar="HOST:PORT",
    help="Serve the flows' dashboard at http://HOST:PORT/dashboard/ (its page and WebSocket "
         "only, under flowrt serve's Host, Origin and CSP rules; other than loopback needs "
         "bearer tokens in FLOWRT_TOKENS).")


def dashboard_side(address: str | None, own: Mapping[str, str]) -> SideServer | None:
    """What `flowrt run` serves for ``--dashboard`` (None without it); ConfigError for an
    address other than loopback without tokens."""
    if not address:
        return None
    import ipaddress

    from flowrt.run.main import SideServer
    from flowrt.server.auth import Auth, is_dashboard
    from flowrt.server.dashboard_app import dashboard_app, refuse_public
    from flowrt.server.hosts import split_host

    host, port = split_host(address) or ("", None)
    if port is None:
        raise click.BadParameter(f"expected HOST:PORT, got {address!r}",
                                 param_hint="--dashboard")
    names: tuple[str, ...] = ()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        names = (host,)  # a name, such as localhost: the Host it is reached by
    auth = Auth.load(None, own.get("FLOWRT_TOKENS"))
    refuse_public(host, auth)  # now, before any flow starts

    def make(routes: Any) -> Any:
        return dashboard_app(routes, host, auth, names)

    return SideServer(make, host, port, is_dashboard, "--dashboard")
