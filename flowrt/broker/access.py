"""Who may use the embedded MQTT broker, and for what: amqtt plugins for users, topic ACLs and
the broker's events, loaded by :class:`flowrt.broker.embedded.EmbeddedBroker` (amqtt imported here
and there only).

- :class:`UsersPlugin`: a client must give a user name of ``users`` and its password; the
  passwords are kept as Argon2 hashes (pwdlib, as amqtt's own FileAuthPlugin does), hashed
  when the broker is configured unless the secret already is one (``$argon2...``). With no
  users, anyone gets in (the broker then listens on loopback only).
- :class:`TopicAclPlugin`: per-user ``publish`` and ``subscribe`` topic patterns (MQTT
  wildcards, ``%u`` for the user name and ``%c`` for the client id, as Mosquitto's
  ``pattern`` lines), and ``deny`` patterns that refuse both and win over every grant. A user
  with no rule (and no ``*`` rule for everyone) may do nothing. A refused subscription gets
  the 0x80 return code; a refused publish is dropped (MQTT 3.1.1 has no way to tell the
  publisher), and received messages are checked against the subscribe and deny patterns too.
  A user name or client id holding ``+``, ``#`` or ``/`` (or empty) is not put into a
  pattern: the pattern then grants nothing and a deny pattern refuses, so a client id such as
  ``#`` cannot widen ``clients/%c/#`` (Mosquitto refuses such names the same way). The
  matching is amqtt's (``TopicAccessControlListPlugin.topic_ac``), with MQTT's rule that a
  pattern ``a/#`` covers ``a`` itself, which it misses (a deny line on a subtree would have
  left its parent level open).
- :class:`EventsPlugin`: hands client, subscription and publish events to a callback (the
  ``mqtt-server`` node's outputs).

No password is ever logged: the plugins log user names and client ids only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from amqtt.contexts import Action
from amqtt.plugins.base import BaseAuthPlugin, BasePlugin, BaseTopicPlugin
from amqtt.plugins.topic_checking import TopicAccessControlListPlugin
from amqtt.session import Session
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

log = logging.getLogger("flowrt.broker")

Event = tuple[str, dict[str, Any]]
"""An event of the broker: its aedes name (``client``, ``clientReady``, ``clientDisconnect``,
``subscribe``, ``unsubscribe``, ``publish``) and what it carries."""

_HASHER = PasswordHash((Argon2Hasher(),))


def hash_passwords(users: Mapping[str, str]) -> dict[str, str]:
    """User name -> Argon2 hash, from user name -> password or hash."""
    return {name: secret if secret.startswith("$argon2") else _HASHER.hash(secret)
            for name, secret in users.items()}


class UsersPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Lets in the clients that give a known user name and its password (module docstring)."""

    @dataclass
    class Config:
        users: dict[str, str] = field(default_factory=dict)
        """User name -> Argon2 hash of its password; empty: anyone gets in."""
        listener: Any = None
        """Told of each refused login, as aedes's ``clientError`` (an :data:`Event`)."""

    async def authenticate(self, *, session: Session) -> bool | None:
        users: dict[str, str] = self.config.users
        if not users:
            session.is_anonymous = True
            return True
        name = session.username
        known = users.get(name) if name else None
        if known is not None and session.password is not None:
            try:
                if _HASHER.verify(session.password, known):
                    return True
            except ValueError:
                pass
        log.warning("MQTT client %r refused: %s", session.client_id,
                    "no user name given" if not name else f"wrong user name or password ({name!r})")
        if self.config.listener is not None:
            self.config.listener(("clientError", {
                "client": {"id": session.client_id, "clean": bool(session.clean_session)},
                "err": {"message": "not authorized", "errorCode": 5}}))
        return False


class TopicAclPlugin(BaseTopicPlugin):  # type: ignore[misc]
    """Per-user publish and subscribe topic patterns (module docstring)."""

    @dataclass
    class Config:
        acl: dict[str, dict[str, list[str]]] | None = None
        """User name (or ``*``) -> {"publish": [...], "subscribe": [...], "deny": [...]}
        (each optional); None: no limits."""

    async def topic_filtering(self, *, session: Session | None = None, topic: str | None = None,
                              action: Action | None = None) -> bool | None:
        acl = self.config.acl
        if acl is None:
            return True
        if session is None or not topic:
            return False
        kind = "publish" if action == Action.PUBLISH else "subscribe"
        allowed = allows(acl, session.username or "", session.client_id or "", kind, topic)
        if not allowed and action != Action.RECEIVE:
            log.warning("MQTT client %r (user %r) may not %s %r: refused by the broker's acl",
                        session.client_id, session.username, kind, topic)
        return allowed


def allows(acl: Mapping[str, Mapping[str, list[str]]], user: str, client_id: str, kind: str,
           topic: str) -> bool:
    """True when no ``deny`` pattern of ``user`` (or ``*``) covers ``topic`` and one of their
    ``kind`` (``publish`` or ``subscribe``) patterns does."""
    rules = [acl.get(user, {}), acl.get("*", {})]
    if any(_covers(topic, pattern, user, client_id, unusable=True)
           for rule in rules for pattern in rule.get("deny", [])):
        return False
    return any(_covers(topic, pattern, user, client_id, unusable=False)
               for rule in rules for pattern in rule.get(kind, []))


_PLACEHOLDER = re.compile(r"%[uc]")


def _covers(topic: str, pattern: str, user: str, client_id: str, *, unusable: bool) -> bool:
    """Whether ``pattern``, with ``%u`` and ``%c`` put in (in one pass: a name holding ``%c``
    stays text), covers ``topic``; ``unusable`` when a name it needs cannot be put in."""
    names = {"%u": user, "%c": client_id}
    if any(not names[mark] or any(c in names[mark] for c in "+#/")
           for mark in set(_PLACEHOLDER.findall(pattern))):
        return unusable
    pattern = _PLACEHOLDER.sub(lambda m: names[m.group()], pattern)
    covers = TopicAccessControlListPlugin.topic_ac
    # `a/+/#` covers `a/b` too (MQTT 3.1.1 4.7.1.2: `#` matches the parent level), which
    # topic_ac misses
    return bool(covers(topic, pattern) or pattern.endswith("/#") and covers(topic, pattern[:-2]))


class EventsPlugin(BasePlugin[Any]):  # type: ignore[misc]
    """Hands the broker's client and message events to ``listener`` (module docstring)."""

    @dataclass
    class Config:
        listener: Any = None
        """A callable taking an :data:`Event`."""

    def _tell(self, name: str, data: dict[str, Any]) -> None:
        listener: Callable[[Event], None] | None = self.config.listener
        if listener is not None:
            listener((name, data))

    def _client(self, client_id: str) -> dict[str, Any]:
        session = self.context.get_session(client_id)
        client: dict[str, Any] = {"id": client_id}
        if session is not None:
            client["clean"] = bool(session.clean_session)
            if session.username and not session.is_anonymous:
                client["user"] = session.username
        return client

    async def on_broker_client_connected(self, client_id: str, client_session: Session) -> None:
        client = self._client(client_id)
        self._tell("client", {"client": client})
        self._tell("clientReady", {"client": client})

    async def on_broker_client_disconnected(self, client_id: str,
                                            client_session: Session) -> None:
        self._tell("clientDisconnect", {"client": self._client(client_id)})

    async def on_broker_client_subscribed(self, client_id: str, topic: str, qos: int) -> None:
        self._tell("subscribe", {"topic": topic, "qos": qos, "client": self._client(client_id)})

    async def on_broker_client_unsubscribed(self, client_id: str, topic: str) -> None:
        self._tell("unsubscribe", {"topic": topic, "client": self._client(client_id)})

    async def on_broker_message_broadcast(self, client_id: str, message: Any) -> None:
        packet = message.publish_packet
        self._tell("publish", {
            "packet": {"cmd": "publish", "topic": message.topic,
                       "payload": bytes(message.data or b""), "qos": message.qos or 0,
                       "retain": bool(packet and packet.retain_flag),
                       "dup": bool(packet and packet.dup_flag),
                       "messageId": message.packet_id or 0},
            "client": self._client(client_id),
        })
