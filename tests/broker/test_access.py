"""Attacks on the embedded broker's users and topic ACLs, with real paho clients: a wrong
password, no user name, a publish or a subscription outside the user's ACL; and no password
in the logs or the broker's configuration."""

from __future__ import annotations

import logging

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from flowrt.broker.access import allows
from flowrt.broker.embedded import EmbeddedBroker
from flowrt.errors import ConfigError
from tests.broker.broker_kit import WAIT, Client, serving
from tests.support.servers import free_port
from tests.support.waiting import wait_until

SECRET = "s3cret-Horse-battery"
NOT_AUTHORISED = 135
"""CONNACK 5 (not authorised), as paho 2 reports it (its MQTT 5 reason code)."""
REFUSED = 128


def test_a_wrong_password_an_unknown_user_and_no_user_are_refused() -> None:
    port = free_port()
    with serving(EmbeddedBroker(port=port, users={"alice": SECRET})):
        for login in ({"username": "alice", "password": "guess"},
                      {"username": "mallory", "password": SECRET},
                      {"username": "alice"}, {}):
            client = Client(port, **login)
            assert client.code == NOT_AUTHORISED, login
            client.close()
        good = Client(port, username="alice", password=SECRET)
        assert good.code == 0
        good.close()


def test_a_stored_argon2_hash_is_a_password_too() -> None:
    port = free_port()
    hashed = PasswordHash((Argon2Hasher(),)).hash(SECRET)
    with serving(EmbeddedBroker(port=port, users={"alice": hashed})):
        assert Client(port, username="alice", password=SECRET).code == 0
        assert Client(port, username="alice", password=hashed).code == NOT_AUTHORISED


def test_a_publish_outside_the_acl_is_dropped_and_a_subscription_refused() -> None:
    port = free_port()
    acl = {"watcher": {"subscribe": ["#"]},
           "*": {"publish": ["devices/%u/#"], "subscribe": ["devices/%u/#", "cmd/%c"]}}
    with serving(EmbeddedBroker(port=port, users={"watcher": "w-pass", "dev1": "d-pass"},
                                acl=acl)):
        watcher = Client(port, username="watcher", password="w-pass")
        assert watcher.subscribe("#") == [1]
        dev = Client(port, client_id="box-7", username="dev1", password="d-pass")
        assert dev.subscribe("devices/dev2/#") == [REFUSED]
        assert dev.subscribe("#") == [REFUSED]
        assert dev.subscribe("cmd/box-7") == [1]
        assert dev.subscribe("devices/dev1/+") == [1]
        dev.publish("devices/dev2/temp", b"forged")
        dev.publish("cmd/box-7", b"not mine to publish")
        dev.publish("devices/dev1/temp", b"21.5")  # published after both: the marker
        wait_until(lambda: "devices/dev1/temp" in watcher.topics(), "dev1's own publish", WAIT)
        wait_until(lambda: "devices/dev1/temp" in dev.topics(), "dev1's publish back", WAIT)
        assert watcher.topics() == ["devices/dev1/temp"]
        assert dev.topics() == ["devices/dev1/temp"]
        watcher.close()
        dev.close()


def test_a_user_the_acl_does_not_name_may_do_nothing() -> None:
    acl = {"alice": {"publish": ["a/#"], "subscribe": ["a/#"]}}
    assert allows(acl, "alice", "c", "publish", "a/b")
    assert not allows(acl, "bob", "c", "publish", "a/b")
    assert not allows(acl, "bob", "c", "subscribe", "a/#")
    assert not allows(acl, "alice", "c", "subscribe", "#")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7"])
def test_a_public_address_without_users_is_refused(host: str) -> None:
    broker = EmbeddedBroker(host, free_port())
    with pytest.raises(ConfigError, match="no users"):
        import asyncio

        asyncio.run(broker.start())
    assert broker._broker is None


def test_no_password_reaches_the_logs_or_the_configuration(
        caplog: pytest.LogCaptureFixture) -> None:
    port = free_port()
    caplog.set_level(logging.DEBUG)
    broker = EmbeddedBroker(port=port, users={"alice": SECRET})
    with serving(broker):
        assert Client(port, username="alice", password=SECRET + "x").code == NOT_AUTHORISED
        assert Client(port, username="alice", password=SECRET).code == 0
    assert "alice" in caplog.text  # the refusal is logged, with the user name
    assert SECRET not in caplog.text
    assert SECRET not in repr(broker.config()) + repr(vars(broker))


def test_retained_messages_reach_later_subscribers() -> None:
    port = free_port()
    with serving(EmbeddedBroker(port=port)):
        first = Client(port)
        first.publish("plant/state", b"on", retain=True)
        later = Client(port)
        later.subscribe("plant/#")
        wait_until(lambda: later.seen, "the retained message", WAIT)
        assert later.seen == [("plant/state", b"on", True)]
        first.close()
        later.close()
