"""Every error flowrt raises.

The exception tree::

    FlowrtError
    ├── LoadError              a flow file could not be read or parsed (carries diagnostics)
    ├── CheckError             a flow failed its checks (carries diagnostics)
    ├── RegistryError          node types could not be registered (duplicate type, bad declaration)
    ├── CompileError           a checked flow could not be turned into a plan
    └── NodeError              raised by a node while it handles a message
        ├── ConfigError        a node's configuration is unusable at run time
        ├── ConnectionError_   a server could not be reached or talked to
        │   ├── NotConnected   the connection is down; the engine reconnects with back-off
        │   ├── ConnectionLost the connection dropped while in use
        │   └── AuthFailed     the server refused the credentials (not retried)
        ├── EndOfInput         a source has nothing more to read (ends `--until-idle` runs)
        ├── BufferFull         a sink's full buffer dropped this message (overflow policy)
        └── ScriptError        user code in a script node failed (carries the script's line)

Foreign exceptions (ruamel, jsonschema, paho, pika, psycopg, ...) and servers' refusals are
translated where they are caught, into one of these with a message that names the server and
says what to do, and raised ``from`` the original so it stays the ``__cause__``. A node pack keeps
its translations in one module beside its nodes (``nodes/amqp/amqp_errors.py``,
``nodes/postgres/postgres_errors.py``, ``nodes/influx/influx_errors.py``; MQTT's in
``nodes/mqtt/mqtt_session.py``, which makes the connection): which error a failure
becomes depends on more than its class (a reply code, an HTTP status, the server's text, whether
the connection is still open), and its message on the server, the user and the queue or table
concerned, so each is a function, not a class-to-class table.

Problems in flow files are :class:`flowrt.diagnostics.Diagnostic` values, carried by
:class:`DiagnosticsError`.
"""

from __future__ import annotations

from flowrt.diagnostics import Diagnostic


class FlowrtError(Exception):
    """Base of every exception flowrt raises."""


class DiagnosticsError(FlowrtError):
    """An error that carries the diagnostics explaining it."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))


class LoadError(DiagnosticsError):
    """A flow file could not be read or parsed."""


class CheckError(DiagnosticsError):
    """A flow failed its checks."""


class RegistryError(FlowrtError):
    """Node types could not be registered."""


class CompileError(FlowrtError):
    """A checked flow could not be compiled into a plan."""


class NodeError(FlowrtError):
    """An error raised by a node; the engine adds the node id and the message id."""

    def __init__(self, message: str, *, node: str = "", msgid: str = "") -> None:
        super().__init__(message)
        self.node = node
        self.msgid = msgid


class ConfigError(NodeError):
    """A node's configuration is unusable at run time."""


class ConnectionError_(NodeError):  # noqa: N801 - the builtin name is taken
    """A server could not be reached or talked to."""


class NotConnected(ConnectionError_):
    """The connection is down; the engine reconnects with back-off."""


class ConnectionLost(ConnectionError_):
    """The connection dropped while in use."""


class AuthFailed(ConnectionError_):
    """The server refused the credentials; retrying will not help."""


class EndOfInput(NodeError):
    """A source has nothing more to read."""


class BufferFull(NodeError):
    """A sink's buffer was full and its overflow policy gave this message up."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"buffer full ({limit} messages waiting): message dropped by the overflow policy; "
            "raise `buffer`, or set `overflow: block` to pause the sources instead"
        )


class ScriptError(NodeError):
    """User code in a script node failed."""

    def __init__(self, message: str, *, node: str = "", msgid: str = "", line: int = 0) -> None:
        super().__init__(message, node=node, msgid=msgid)
        self.line = line

