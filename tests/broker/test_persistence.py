"""The embedded broker with a store survives a restart: retained messages, a user's persistent
session (its subscriptions, and the QoS 1 messages queued while it was away, binary ones too)
come back; a queued message is delivered once, not again at the next restart; an
unsubscribed topic stays unsubscribed; a clean session is forgotten."""

from __future__ import annotations

from pathlib import Path

from flowrt.broker.embedded import EmbeddedBroker
from tests.broker.broker_kit import WAIT, Client, serving
from tests.support.servers import free_port
from tests.support.waiting import wait_until

USERS = {"dev": "dev-pw", "sensor": "sensor-pw"}


def broker(port: int, store: Path) -> EmbeddedBroker:
    return EmbeddedBroker(port=port, users=USERS, store=str(store))


def dev(port: int) -> Client:
    return Client(port, "dev-1", "dev", "dev-pw", clean=False)


def sensor(port: int) -> Client:
    return Client(port, "sensor-1", "sensor", "sensor-pw")


def test_retained_messages_and_a_persistent_session_survive_a_restart(tmp_path: Path) -> None:
    port, store = free_port(), tmp_path / "broker.db"
    binary = bytes(range(256))
    with serving(broker(port, store)):
        away = dev(port)
        assert away.subscribe("q/#") == [1] and away.subscribe("gone/#") == [1]
        away.unsubscribe("gone/#")
        away.close()
        source = sensor(port)
        source.publish("r/state", b"on", retain=True)
        source.publish("q/1", binary, qos=1)
        source.publish("gone/1", b"unsubscribed", qos=1)
        source.close()

    with serving(broker(port, store)):
        back = dev(port)  # no new subscription: the session's own
        wait_until(lambda: back.seen, "the message queued while it was away", WAIT)
        later = sensor(port)
        later.subscribe("r/#")
        wait_until(lambda: later.seen, "the retained message", WAIT)
        assert later.seen == [("r/state", b"on", True)]
        later.publish("q/2", b"after the restart", qos=1)
        wait_until(lambda: len(back.seen) >= 2, "a message to the restored subscription", WAIT)
        assert [(t, p) for t, p, _ in back.seen] == [("q/1", binary), ("q/2", b"after the restart")]
        back.close()
        later.close()

    with serving(broker(port, store)):
        again = dev(port)
        source = sensor(port)
        source.publish("q/3", b"third run", qos=1)
        wait_until(lambda: again.seen, "the third run's message", WAIT)
        assert [t for t, _, _ in again.seen] == ["q/3"]  # q/1 is not delivered twice
        again.close()
        source.close()


def test_a_clean_session_and_anonymous_clients_are_not_kept(tmp_path: Path) -> None:
    port, store = free_port(), tmp_path / "broker.db"
    with serving(broker(port, store)):
        clean = Client(port, "dev-1", "dev", "dev-pw", clean=True)
        clean.subscribe("q/#")
        clean.close()
    with serving(broker(port, store)):
        source = sensor(port)
        source.publish("q/1", b"nobody is subscribed", qos=1)
        source.publish("marker", b"m", qos=1)
        back = dev(port)
        assert back.code == 0
        back.subscribe("marker")
        source.publish("marker", b"m2", qos=1)
        wait_until(lambda: back.seen, "the marker", WAIT)
        assert [t for t, _, _ in back.seen] == ["marker"]
        back.close()
        source.close()
