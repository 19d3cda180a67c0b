"""pika's exceptions and the broker's refusals, as the flowrt errors a person reads."""

from __future__ import annotations

import pika.exceptions as pe
import pytest
from flowrt_nodes.amqp.amqp_errors import ChannelRefused, describe, lost, open_failure, refusal

from flowrt.api import AuthFailed, ConfigError, ConnectionLost, NodeError, NotConnected

SERVER = "127.0.0.1:5672"


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    [
        (pe.ProbableAuthenticationError("x"), AuthFailed, "refused the login of user 'u'"),
        (pe.AuthenticationError("x"), AuthFailed, "refused the login of user 'u'"),
        (pe.ProbableAccessDeniedError("x"), AuthFailed, "refused access to virtual host 'v'"),
        (pe.ConnectionClosedByBroker(530, "NOT_ALLOWED"), AuthFailed, "NOT_ALLOWED"),
        (pe.ConnectionClosedByBroker(320, "SHUTDOWN"), NotConnected, "(320) SHUTDOWN"),
        (pe.AMQPConnectionError(OSError("refused")), NotConnected, "OSError: refused"),
    ],
)
def test_open_failure(exc: BaseException, kind: type[NodeError], words: str) -> None:
    error = open_failure(exc, SERVER, "u", "v")
    assert type(error) is kind
    assert SERVER in str(error) and words in str(error)


@pytest.mark.parametrize(
    ("code", "kind", "words"),
    [
        (404, ConfigError, "does not exist"),
        (406, ConfigError, "exists with other settings"),
        (405, NotConnected, "in use by another connection"),
        (403, ConfigError, "refused access"),
        (541, ConfigError, "refused an operation"),
    ],
)
def test_refusal(code: int, kind: type[NodeError], words: str) -> None:
    error = refusal(ChannelRefused(code, "TEXT"), "queue", "q", "v", SERVER)
    assert type(error) is kind
    assert "queue 'q' in virtual host 'v'" in str(error) and words in str(error)


def test_lost_names_the_innermost_reason() -> None:
    error = lost(pe.StreamLostError(ConnectionResetError("reset by peer")), SERVER)
    assert type(error) is ConnectionLost
    assert str(error).endswith("was lost: ConnectionResetError: reset by peer")
    assert describe(None) == "closed"
