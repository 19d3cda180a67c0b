"""`flowrt serve`: check the options, build the app and run it with uvicorn until a signal."""

from __future__ import annotations

import errno
import ipaddress
import logging
import signal
import socket
from pathlib import Path

from flowrt.errors import ConfigError
from flowrt.netloc import host_port
from flowrt.server.app import create_app
from flowrt.server.auth import Auth
from flowrt.server.protocol import timed_protocol
from flowrt.server.settings import ServerSettings

log = logging.getLogger("flowrt.server")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(settings: ServerSettings, host: str, port: int, log_level: str = "info") -> None:
    """Serve until SIGINT/SIGTERM; the flows are stopped gracefully on the way out. Raises
    ConfigError for a non-loopback host without authentication."""
    import uvicorn

    if not is_loopback(host) and not settings.auth.enabled:
        raise ConfigError(
            f"refusing to serve on {host}: only 127.0.0.1 is served without authentication; "
            "give --auth-file (users with pbkdf2_sha256 hashes) or set FLOWRT_TOKENS"
        )
    if not Path(settings.flows).is_dir():
        raise ConfigError(f"the flows directory {settings.flows} does not exist")
    listening = _listen(host, port)  # before the app: a port in use starts no flows
    app = create_app(settings)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on",
                            timeout_graceful_shutdown=int(settings.close_timeout) + 5,
                            log_config=None,
                            http=timed_protocol(settings.header_timeout, settings.body_timeout))
    log.info("flowrt serve: http://%s (flows in %s)", host_port(host, port), settings.flows)
    server = uvicorn.Server(config)
    # uvicorn stops on SIGINT/SIGTERM, then raises the signal again for the previous handlers:
    # after a graceful stop that is a clean exit, not a KeyboardInterrupt or a kill.
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        server.run(sockets=[listening])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        listening.close()
    if not server.started:
        raise ConfigError(f"could not serve on {host_port(host, port)}")


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket of ``host:port``; ConfigError (exit status 2) when it cannot be
    bound, such as a port another process holds. Made with IPPROTO_TCP named: asyncio turns
    Nagle's algorithm off (TCP_NODELAY) only on sockets whose ``proto`` says TCP, and a
    connection accepted on a ``proto`` 0 socket would hold each response's last write for the
    client's delayed ACK, about 40 ms per request on a kept-alive connection."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ConfigError(f"cannot serve on {host_port(host, port)}: {reason}; give another --port "
                          "(or stop what listens there)") from exc
    sock.set_inheritable(True)
    return sock


__all__ = ["Auth", "ServerSettings", "is_loopback", "serve"]
