"""amqp-broker: where an AMQP 0-9-1 broker (RabbitMQ) is, and how to log in to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import model_validator

from flowrt.api import ConfigError, Connection, NodeConfig, NodeError, field, host_port

from .amqp_client import AmqpClient

DEFAULT_PORTS = {"amqp": 5672, "amqps": 5671}


class AmqpBroker(Connection):
    """An AMQP 0-9-1 broker, such as RabbitMQ: its address, virtual host, login and TLS.

    ### Details

    `url` is `amqp://host:port/vhost` (or `amqps://` for TLS, port 5671 by default). The
    `vhost`, `username` and `password` fields win over the parts of the URL; keep the password
    out of the URL and give it as a `${VAR}` reference:

    ```yaml
    connections:
      rabbit:
        type: amqp-broker
        url: amqp://rabbitmq.plant.local:5672/
        vhost: production
        username: flowrt
        password: ${RABBITMQ_PASSWORD}
    ```

    Every node that names the connection opens its own AMQP connection (consumers and
    publishers apart, as RabbitMQ recommends: a publisher slowed down by the broker's flow
    control then never holds up a consumer). Each shows in the RabbitMQ management UI as
    `connection_name/node-id`.

    For TLS, `ca_file` is the authority that signed the broker's certificate (the system's
    authorities when not set), `cert_file` and `key_file` the client certificate when the
    broker asks for one. `verify: false` turns the certificate and host name checks off: only
    for tests.

    Errors name the broker as `host:port`, never the password. A refused login is reported
    once and not retried (fix the credentials and restart the flow); a broker that cannot be
    reached is retried with back-off by the engine.
    """

    type = "amqp-broker"

    class Config(NodeConfig):
        url: str = field(
            "amqp://127.0.0.1:5672/",
            description="The broker's address: `amqp://host:port/vhost`, or `amqps://` for TLS.",
            examples=["amqp://rabbitmq.local:5672/", "amqps://broker.example.com/production"],
            pattern=r"^amqps?://",
        )
        vhost: str | None = field(
            None, description="The virtual host; wins over the URL's path (default `/`).",
            examples=["/", "production"],
        )
        username: str | None = field(
            None, description="The user to log in as; wins over the URL's (default `guest`).",
            examples=["flowrt"],
        )
        password: str | None = field(
            None, secret=True,
            description="The user's password, as a `${VAR}` reference; wins over the URL's.",
            examples=["${RABBITMQ_PASSWORD}"],
        )
        heartbeat: int = field(
            60, ge=0, le=65535,
            description="Seconds between heartbeats, which detect a dead connection; 0: none.",
        )
        connection_name: str = field(
            "flowrt", min_length=1,
            description="Shown in the RabbitMQ management UI, followed by `/` and the node id.",
        )
        connect_timeout: float = field(
            10.0, gt=0, le=300, advanced=True,
            description="Seconds to wait for the broker when connecting.",
        )
        ca_file: str | None = field(
            None, advanced=True,
            description="TLS: the certificate authorities file to verify the broker with.",
            examples=["/etc/ssl/certs/rabbitmq-ca.pem"],
        )
        cert_file: str | None = field(
            None, advanced=True, description="TLS: the client certificate (PEM).",
        )
        key_file: str | None = field(
            None, advanced=True,
            description="TLS: the client certificate's private key (PEM), if not in `cert_file`.",
        )
        verify: bool = field(
            True, advanced=True,
            description="TLS: check the broker's certificate and host name (false only for tests).",
        )

        @model_validator(mode="after")
        def _consistent(self) -> AmqpBroker.Config:
            parts = urlsplit(self.url)
            if not parts.hostname:
                raise ValueError(f"the url {self.url!r} names no host: write amqp://host:port/")
            try:
                parts.port  # noqa: B018 - raises for a port that is not a number
            except ValueError as exc:
                raise ValueError(f"the url {self.url!r} has a bad port: {exc}") from None
            tls = (self.ca_file, self.cert_file, self.key_file)
            if parts.scheme != "amqps" and (any(tls) or not self.verify):
                raise ValueError("TLS settings need an `amqps://` url")
            if self.key_file and not self.cert_file:
                raise ValueError("`key_file` needs `cert_file`")
            return self

    config: Config

    @property
    def host(self) -> str:
        return urlsplit(self.config.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.config.url)
        return parts.port or DEFAULT_PORTS[parts.scheme]

    @property
    def server(self) -> str:
        """The broker as people read it in errors: ``host:port``."""
        return host_port(self.host, self.port)

    @property
    def vhost(self) -> str:
        if self.config.vhost is not None:
            return self.config.vhost
        path = urlsplit(self.config.url).path
        return unquote(path[1:]) if len(path) > 1 else "/"

    @property
    def username(self) -> str:
        if self.config.username is not None:
            return self.config.username
        return unquote(urlsplit(self.config.url).username or "") or "guest"

    def parameters(self, node_id: str) -> Any:
        """pika's connection parameters for the connection of node ``node_id``."""
        import pika

        cfg = self.config
        params = pika.URLParameters(cfg.url)
        parts = urlsplit(cfg.url)
        password = cfg.password
        if password is None:
            password = unquote(parts.password or "") or "guest"
        params.credentials = pika.PlainCredentials(self.username, password)
        params.virtual_host = self.vhost
        params.heartbeat = cfg.heartbeat
        params.connection_attempts = 1
        params.retry_delay = 0
        params.socket_timeout = cfg.connect_timeout
        params.stack_timeout = cfg.connect_timeout + 5
        params.blocked_connection_timeout = 60
        params.client_properties = {"connection_name": f"{cfg.connection_name}/{node_id}"}
        params.ssl_options = self._tls() if parts.scheme == "amqps" else None
        return params

    def _tls(self) -> Any:
        import ssl

        import pika

        cfg = self.config
        try:
            context = ssl.create_default_context(cafile=cfg.ca_file)
            if cfg.cert_file:
                context.load_cert_chain(cfg.cert_file, cfg.key_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"cannot load the TLS files of AMQP connection '{self.id}': {exc}: check "
                "`ca_file`, `cert_file` and `key_file`"
            ) from exc
        if not cfg.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return pika.SSLOptions(context, server_hostname=self.host)

    async def client(
        self, node_id: str, on_lost: Callable[[NodeError], None] | None = None
    ) -> AmqpClient:
        """A new connection with one channel for node ``node_id``; ``on_lost`` is told when
        it drops. Raises AuthFailed (refused login or vhost) or NotConnected."""
        return await AmqpClient.open(
            self.parameters(node_id),
            server=self.server,
            user=self.username,
            vhost=self.vhost,
            on_lost=on_lost,
        )
