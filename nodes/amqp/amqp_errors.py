"""pika's exceptions, translated into flowrt's at the boundary, with the server and what to do.

A person reads these: each names the broker as ``host:port`` (never the password), the virtual
host, the queue or exchange concerned, and the fix. The pika exception stays the ``__cause__``.
"""

from __future__ import annotations

from flowrt.api import AuthFailed, ConfigError, ConnectionLost, NodeError, NotConnected


class ChannelRefused(NodeError):
    """The broker closed the channel with a reply code (404 NOT_FOUND, 406 PRECONDITION_FAILED,
    403 ACCESS_REFUSED...) in answer to something the node asked; the caller knows what it
    asked and turns it into a message that says so (:func:`refusal`)."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"({code}) {text}")
        self.code = code
        self.text = text


def open_failure(exc: BaseException, server: str, user: str, vhost: str) -> NodeError:
    """The error for a connection that could not be opened."""
    import pika.exceptions as pe

    if isinstance(exc, pe.ProbableAuthenticationError | pe.AuthenticationError):
        return AuthFailed(
            f"the AMQP broker at {server} refused the login of user '{user}' "
            "(ACCESS_REFUSED): check `username` and `password` of the connection"
        )
    if isinstance(exc, pe.ProbableAccessDeniedError):
        return AuthFailed(
            f"the AMQP broker at {server} refused access to virtual host '{vhost}' for user "
            f"'{user}' (it does not exist, or the user has no permission on it): check `vhost`, "
            "or grant the user access with `rabbitmqctl set_permissions`"
        )
    if isinstance(exc, pe.ConnectionClosedByBroker) and exc.reply_code in (403, 530):
        return AuthFailed(f"the AMQP broker at {server} refused the connection: {exc.reply_text}")
    return NotConnected(f"the AMQP broker at {server} cannot be reached: {describe(exc)}")


def lost(reason: BaseException | None, server: str) -> ConnectionLost:
    """The error for a connection or channel that closed while in use."""
    return ConnectionLost(f"the connection to the AMQP broker at {server} was lost: "
                          f"{describe(reason)}")


def describe(exc: BaseException | None) -> str:
    """A short reason: pika nests the interesting exception inside workflow errors."""
    if exc is None:
        return "closed"
    inner = getattr(exc, "exceptions", None)
    if isinstance(inner, list | tuple) and inner:
        return describe(inner[-1])
    for attr in ("exception", "_exception"):
        nested = getattr(exc, attr, None)
        if isinstance(nested, BaseException):
            return describe(nested)
    args: tuple[object, ...] = exc.args
    if len(args) == 1 and isinstance(args[0], BaseException):
        return describe(args[0])
    code = getattr(exc, "reply_code", None)
    if code is not None:
        return f"({code}) {getattr(exc, 'reply_text', '')}"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def refusal(exc: ChannelRefused, kind: str, name: str, vhost: str, server: str) -> NodeError:
    """The error for the broker refusing an operation on the queue or exchange ``name``.

    ``kind`` is ``queue`` or ``exchange``. Configuration problems (missing, declared with other
    settings, no permission) are ConfigErrors; a queue held exclusively by another connection
    may come free, so it is NotConnected (retried)."""
    where = f"{kind} '{name}' in virtual host '{vhost}' on {server}"
    if exc.code == 404:
        return ConfigError(
            f"the {where} does not exist ({exc.text}): declare it, or set `declare: true`"
        )
    if exc.code == 406:
        return ConfigError(
            f"the {where} exists with other settings ({exc.text}): make `durable`, "
            "`exclusive`, `auto_delete`, `arguments` (or the exchange type) match it, or delete "
            "it so it is declared again"
        )
    if exc.code == 405:
        return NotConnected(f"the {where} is in use by another connection ({exc.text})")
    if exc.code == 403:
        return ConfigError(
            f"the broker refused access to the {where} ({exc.text}): grant the user "
            "permissions on it, or use another name"
        )
    return ConfigError(f"the broker refused an operation on the {where}: {exc.text}")
