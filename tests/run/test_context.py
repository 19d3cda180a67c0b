"""The node context: ``ctx.connection(name, Type)`` gives a node its connection, typed."""

from __future__ import annotations

from typing import Any

from flowrt.api import ConfigError, Connection, Message, NodeConfig, Output, Transform, field
from flowrt.testing import run_flow


class AlphaServer(Connection):
    """A connection of one type."""

    type = "alpha-server"
    Config = NodeConfig


class BetaServer(Connection):
    """A connection of another type."""

    type = "beta-server"
    Config = NodeConfig


class UsesAlpha(Transform):
    """Sends the type of its connection, asked for as an AlphaServer (or untyped), or the
    ConfigError that refused it."""

    type = "uses-alpha"

    class Config(NodeConfig):
        connection: str = field(description="An alpha-server connection.")
        typed: bool = field(True, description="Ask for the connection's type.")

    def process(self, msg: Message) -> Output:
        name = self.config.connection
        try:
            conn: Any = (
                self.ctx.connection(name, AlphaServer)
                if self.config.typed
                else self.ctx.connection(name)
            )
        except ConfigError as exc:
            msg["payload"] = f"ConfigError: {exc}"
        else:
            msg["payload"] = conn.type
        return msg


NODES = (AlphaServer, BetaServer, UsesAlpha)


def flow(server: str, typed: bool = True) -> str:
    return (
        "flowrt: 1\n"
        f"connections:\n  server: {{type: {server}}}\n"
        f"nodes:\n  use: {{type: uses-alpha, connection: server, typed: {str(typed).lower()}}}\n"
    )


def test_a_connection_of_the_asked_type_is_given() -> None:
    result = run_flow(flow("alpha-server"), inputs=[{"payload": 0}], nodes=NODES)
    assert result.payloads("use") == ["alpha-server"]


def test_a_connection_of_another_type_is_a_config_error() -> None:
    result = run_flow(flow("beta-server"), inputs=[{"payload": 0}], nodes=NODES)
    [refused] = result.payloads("use")
    assert refused.startswith("ConfigError: connection 'server' is of type beta-server, not ")
    assert refused.endswith("alpha-server")


def test_without_a_type_any_connection_is_given() -> None:
    result = run_flow(flow("beta-server", typed=False), inputs=[{"payload": 0}], nodes=NODES)
    assert result.payloads("use") == ["beta-server"]

