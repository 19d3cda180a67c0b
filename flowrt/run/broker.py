"""The embedded MQTT broker (amqtt, MQTT 3.1.1) that ``flowrt run --mqtt-broker`` starts, so
MQTT flows run with no broker installed. It binds 127.0.0.1 unless told otherwise, lets anyone
in (it is for one machine: development, demos, tests) and keeps nothing across restarts. For
production, MQTT 5 or shared subscriptions, run Mosquitto or another broker.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

log = logging.getLogger("flowrt.broker")


class EmbeddedBroker:
    def __init__(self, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.host = host
        self.port = port
        self._broker: Any = None

    async def start(self) -> None:
        _check_free(self.host, self.port)
        from amqtt.broker import Broker

        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._broker = Broker(
            {
                "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
                "plugins": {
                    "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
                },
            }
        )
        await self._broker.start()

    async def stop(self) -> None:
        if self._broker is not None:
            broker, self._broker = self._broker, None
            await broker.shutdown()


def _check_free(host: str, port: int) -> None:
    """Fail with the address in the message if something already listens there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise OSError(
                f"cannot start the embedded MQTT broker on {host}:{port}: {exc.strerror} "
                "(is another broker running there? use it, or give --mqtt-broker HOST:PORT)"
            ) from exc
