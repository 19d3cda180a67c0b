"""Mosquitto ACL files for the embedded broker: what a file grants, what it refuses (with its
line), and attacks with real paho clients on a broker given such a file: a user outside its
ACL, another user's %u subtree, a deny line, and client ids that would widen a %c pattern."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowrt.broker.access import allows
from flowrt.broker.acl_file import parse_acl, read_acl_file
from flowrt.broker.embedded import EmbeddedBroker
from flowrt.errors import ConfigError
from tests.broker.broker_kit import WAIT, Client, serving
from tests.support.servers import free_port
from tests.support.waiting import wait_until

REFUSED = 128
ACL = """\
# devices write their own subtree, and read their commands
pattern readwrite devices/%u/#
pattern read commands/%c

user dashboard
topic read devices/#
topic deny devices/secret/#
topic dashboard/state

user vault
\ttopic\treadwrite   devices/secret/#
"""
USERS = {"alice": "a-pass", "bob": "b-pass", "dashboard": "d-pass", "vault": "v-pass"}


def test_a_file_reads_into_users_and_patterns() -> None:
    read = parse_acl(ACL)
    assert read.acl == {
        "*": {"subscribe": ["devices/%u/#", "commands/%c"], "publish": ["devices/%u/#"]},
        "dashboard": {"subscribe": ["devices/#", "dashboard/state"], "deny": ["devices/secret/#"],
                      "publish": ["dashboard/state"]},
        "vault": {"subscribe": ["devices/secret/#"], "publish": ["devices/secret/#"]},
    }
    assert read.users == {"dashboard": 5, "vault": 10}
    assert read.notes == []


def test_rules_before_any_user_are_ignored_and_said_so() -> None:
    read = parse_acl("topic read $SYS/#\nuser alice\ntopic read a/#\n", "acl.conf")
    assert read.acl == {"alice": {"subscribe": ["a/#"]}}
    assert len(read.notes) == 1 and read.notes[0].startswith("acl.conf:1: ")


def test_deny_wins_and_names_that_would_widen_a_pattern_grant_nothing() -> None:
    acl = parse_acl(ACL).acl
    assert allows(acl, "dashboard", "d1", "subscribe", "devices/alice/t")
    assert not allows(acl, "dashboard", "d1", "subscribe", "devices/secret/k")
    assert not allows(acl, "dashboard", "d1", "publish", "devices/x")
    assert allows(acl, "alice", "c1", "publish", "devices/alice/t")
    assert not allows(acl, "alice", "c1", "publish", "devices/bob/t")
    for client_id in ("#", "+", "x/+", "box/7"):
        assert not allows(acl, "alice", client_id, "subscribe", "commands/#")
        assert not allows(acl, "alice", client_id, "subscribe", f"commands/{client_id}")
    for user in ("#", "+", "a/b"):
        assert not allows(acl, user, "c1", "subscribe", "devices/#")
        assert not allows(acl, user, "c1", "publish", f"devices/{user}/x")
    assert not allows({"*": {"deny": ["private/%c/#"], "subscribe": ["#"]}}, "u", "#",
                      "subscribe", "private/x/y")  # an unusable name in a deny: refused


@pytest.mark.parametrize(("text", "line", "said"), [
    ("user alice\ntopic read a/#\nallow a/b\n", 3, "unknown line `allow a/b`"),
    ("# only a comment\nuser\n", 2, "`user` needs a name"),
    ("user *\n", 1, "`pattern` lines"),
    ("user alice\n\ntopic read\n", 3, "`topic` needs a topic"),
    ("user alice\ntopic read a/#/b\n", 2, "`#` must be a whole level"),
    ("pattern write a/b+\n", 1, "`+` must be a whole level"),
    ("user alice\ntopic reed a/#\n", 2, "`reed` is not read, write, readwrite or deny"),
])
def test_a_bad_file_is_refused_with_its_line(tmp_path: Path, text: str, line: int,
                                             said: str) -> None:
    path = tmp_path / "acl.conf"
    path.write_text(text)
    with pytest.raises(ConfigError) as refused:
        read_acl_file(path)
    assert str(refused.value).startswith(f"{path}:{line}: ")
    assert said in str(refused.value)


def test_a_missing_or_binary_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the MQTT ACL file"):
        read_acl_file(tmp_path / "absent.conf")
    (tmp_path / "binary.conf").write_bytes(b"user \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_acl_file(tmp_path / "binary.conf")


def test_users_are_confined_by_the_file_on_a_real_broker() -> None:
    port = free_port()
    with serving(EmbeddedBroker(port=port, users=USERS, acl=parse_acl(ACL).acl)):
        dashboard = Client(port, "dash", "dashboard", "d-pass")
        vault = Client(port, "vault", "vault", "v-pass")
        alice = Client(port, "alice-1", "alice", "a-pass")
        bob = Client(port, "bob-1", "bob", "b-pass")
        assert dashboard.subscribe("devices/#") == [1]
        assert dashboard.subscribe("devices/secret/#") == [REFUSED]  # its deny line
        assert vault.subscribe("devices/secret/#") == [1]
        assert alice.subscribe("devices/bob/#") == [REFUSED]  # bob's %u subtree
        assert alice.subscribe("devices/#") == [REFUSED]
        assert alice.subscribe("#") == [REFUSED]
        assert alice.subscribe("commands/bob-1") == [REFUSED]  # bob's %c
        assert alice.subscribe("devices/alice/#") == [1]
        assert bob.subscribe("devices/bob/#") == [1]
        alice.publish("devices/bob/valve", b"forged by alice")
        alice.publish("dashboard/state", b"not alice's")
        dashboard.publish("devices/alice/valve", b"dashboard may only read devices/")
        vault.publish("devices/secret/key", b"k-123")
        wait_until(lambda: "devices/secret/key" in vault.topics(), "the vault's own", WAIT)
        alice.publish("devices/alice/temp", b"21.5")  # the marker, published after the rest
        wait_until(lambda: "devices/alice/temp" in dashboard.topics(), "the marker", WAIT)
        wait_until(lambda: "devices/alice/temp" in alice.topics(), "alice's own", WAIT)
        assert dashboard.topics() == ["devices/alice/temp"]  # no secret, no forgery
        assert alice.topics() == ["devices/alice/temp"]
        assert bob.topics() == []
        for client in (dashboard, vault, alice, bob):
            client.close()


@pytest.mark.parametrize(("client_id", "everyones"), [("#", "clients/#"),
                                                     ("+", "clients/+/#")])
def test_a_wildcard_client_id_does_not_widen_a_c_pattern(client_id: str,
                                                         everyones: str) -> None:
    port = free_port()
    acl = parse_acl("pattern readwrite clients/%c/#\n").acl
    with serving(EmbeddedBroker(port=port, users={"dev": "pw"}, acl=acl)):
        honest = Client(port, "box-1", "dev", "pw")
        assert honest.subscribe("clients/box-1/#") == [1]
        honest.publish("clients/box-1/state", b"mine")
        wait_until(lambda: honest.topics(), "box-1's own message", WAIT)
        attacker = Client(port, client_id, "dev", "pw")
        assert attacker.code == 0
        assert attacker.subscribe(everyones) == [REFUSED]
        assert attacker.subscribe("clients/box-1/#") == [REFUSED]
        honest.close()
        attacker.close()


def test_a_retained_message_is_not_handed_to_a_subscriber_its_acl_denies() -> None:
    port = free_port()
    with serving(EmbeddedBroker(port=port, users=USERS, acl=parse_acl(ACL).acl)):
        vault = Client(port, "vault", "vault", "v-pass")
        alice = Client(port, "alice-1", "alice", "a-pass")
        vault.publish("devices/secret/key", b"k-123", retain=True)
        alice.publish("devices/alice/temp", b"21.5", retain=True)
        dashboard = Client(port, "dash", "dashboard", "d-pass")
        assert dashboard.subscribe("devices/#") == [1]  # granted: the deny is narrower
        wait_until(lambda: dashboard.topics(), "the retained reading", WAIT)
        assert dashboard.subscribe("dashboard/state") == [1]  # its SUBACK follows the rest
        assert dashboard.topics() == ["devices/alice/temp"]
        for client in (vault, alice, dashboard):
            client.close()


def test_a_subtree_s_hash_covers_its_parent_level_as_mqtt_says() -> None:
    """``a/#`` matches the topic ``a`` itself (MQTT 3.1.1, 4.7.1.2; Mosquitto's ACLs match so):
    a deny line on a subtree refuses its parent level too, and a grant grants it."""
    acl = parse_acl(ACL).acl
    assert not allows(acl, "dashboard", "d1", "subscribe", "devices/secret")
    assert allows(acl, "vault", "v1", "publish", "devices/secret")
    assert allows(acl, "alice", "c1", "publish", "devices/alice")
    assert not allows(acl, "alice", "c1", "publish", "devices")
    assert not allows(acl, "alice", "c1", "publish", "devices/alicex")
    wild = {"*": {"deny": ["site/+/secret/#"], "subscribe": ["site/#"]}}
    assert not allows(wild, "u", "c", "subscribe", "site/a/secret")
    assert allows(wild, "u", "c", "subscribe", "site/a/open")


def test_a_deny_line_keeps_the_subtree_s_own_topic_on_a_real_broker() -> None:
    port = free_port()
    with serving(EmbeddedBroker(port=port, users=USERS, acl=parse_acl(ACL).acl)):
        dashboard = Client(port, "dash", "dashboard", "d-pass")
        vault = Client(port, "vault", "vault", "v-pass")
        assert dashboard.subscribe("devices/secret") == [REFUSED]
        assert dashboard.subscribe("devices/#") == [1]
        assert vault.subscribe("devices/secret") == [1]
        vault.publish("devices/secret", b"the vault's own level")
        wait_until(lambda: "devices/secret" in vault.topics(), "the vault's own", WAIT)
        alice = Client(port, "alice-1", "alice", "a-pass")
        alice.publish("devices/alice/temp", b"21.5")  # the marker, published after the rest
        wait_until(lambda: "devices/alice/temp" in dashboard.topics(), "the marker", WAIT)
        assert dashboard.topics() == ["devices/alice/temp"]  # not the secret level
        for client in (dashboard, vault, alice):
            client.close()
