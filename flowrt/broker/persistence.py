"""What the embedded MQTT broker keeps across a restart, in an SQLite file: retained messages,
and the persistent sessions of users (``clean_session: false``): their subscriptions and the
QoS 1 and 2 messages queued for them while they were away.

amqtt 0.12's own ``SessionDBPlugin`` was not used: it never forgets an unsubscribed topic, nor
a queued message once delivered (each restart would send them all again), and it stores queued
payloads as text (a binary payload fails). This plugin answers the same amqtt events and
restores through amqtt's ``BrokerContext`` (``add_subscription``, ``retained_messages``), so no
protocol code is written here.

Sessions of anonymous clients (a broker without users) are not kept, as amqtt keeps none for
them in memory either. A message queued for a client is removed from the file when the client
comes back and the broker hands it the queue: one that the broker had not sent when it stopped
is lost (at most once for queued messages, as amqtt's memory gives). The file is written with
the standard library's sqlite3 in the event loop, one small transaction per event, in order.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from amqtt.broker import BrokerContext, RetainedApplicationMessage
from amqtt.plugins.base import BasePlugin
from amqtt.session import Session

SCHEMA = """
CREATE TABLE IF NOT EXISTS retained (topic TEXT PRIMARY KEY, data BLOB NOT NULL, qos INTEGER);
CREATE TABLE IF NOT EXISTS subscriptions (client_id TEXT, topic TEXT, qos INTEGER,
                                          PRIMARY KEY (client_id, topic));
CREATE TABLE IF NOT EXISTS sessions (client_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS queued (id INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT,
                                   topic TEXT, data BLOB NOT NULL, qos INTEGER);
"""


class SessionStorePlugin(BasePlugin[BrokerContext]):  # type: ignore[misc]
    """Keeps retained messages and users' persistent sessions in ``file`` (module docstring)."""

    @dataclass
    class Config:
        file: str = "broker.db"
        """The SQLite file."""

    def __init__(self, context: BrokerContext) -> None:
        super().__init__(context)
        self._db = sqlite3.connect(self.config.file, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def _write(self, *statements: tuple[str, tuple[Any, ...]]) -> None:
        with self._db:
            self._db.execute("BEGIN")
            for sql, args in statements:
                self._db.execute(sql, args)

    async def on_broker_post_start(self) -> None:
        db, context = self._db, self.context
        for topic, data, qos in db.execute("SELECT topic, data, qos FROM retained"):
            context.retained_messages[topic] = RetainedApplicationMessage(None, topic, data, qos)
        for (client_id,) in db.execute("SELECT client_id FROM sessions").fetchall():
            await context.add_subscription(client_id, None, None)
            session = context.get_session(client_id)
            if session is None:
                continue
            session.clean_session = False
            for topic, qos in db.execute(
                    "SELECT topic, qos FROM subscriptions WHERE client_id = ?", (client_id,)):
                await context.add_subscription(client_id, topic, qos)
            for topic, data, qos in db.execute(
                    "SELECT topic, data, qos FROM queued WHERE client_id = ? ORDER BY id",
                    (client_id,)).fetchall():
                await session.retained_messages.put(
                    RetainedApplicationMessage(None, topic, data, qos))

    async def on_broker_client_connected(self, client_id: str, client_session: Session) -> None:
        forget = [("DELETE FROM queued WHERE client_id = ?", (client_id,))]
        if client_session.clean_session or client_session.is_anonymous:
            forget += [("DELETE FROM subscriptions WHERE client_id = ?", (client_id,)),
                       ("DELETE FROM sessions WHERE client_id = ?", (client_id,))]
            self._write(*forget)
            return
        self._write(*forget, ("INSERT OR IGNORE INTO sessions VALUES (?)", (client_id,)))

    def _kept(self, client_id: str) -> bool:
        session = self.context.get_session(client_id)
        return session is not None and not session.clean_session and not session.is_anonymous

    async def on_broker_client_subscribed(self, client_id: str, topic: str, qos: int) -> None:
        if self._kept(client_id):
            self._write(("INSERT OR REPLACE INTO subscriptions VALUES (?, ?, ?)",
                         (client_id, topic, qos)))

    async def on_broker_client_unsubscribed(self, client_id: str, topic: str) -> None:
        self._write(("DELETE FROM subscriptions WHERE client_id = ? AND topic = ?",
                     (client_id, topic)))

    async def on_broker_retained_message(self, *, client_id: str | None,
                                         retained_message: RetainedApplicationMessage) -> None:
        message = retained_message
        data = bytes(message.data or b"")
        if client_id is not None:
            if self._kept(client_id):
                self._write(("INSERT INTO queued (client_id, topic, data, qos) "
                             "VALUES (?, ?, ?, ?)", (client_id, message.topic, data,
                                                     message.qos or 0)))
        elif data:
            self._write(("INSERT OR REPLACE INTO retained VALUES (?, ?, ?)",
                         (message.topic, data, message.qos or 0)))
        else:
            self._write(("DELETE FROM retained WHERE topic = ?", (message.topic,)))

    async def close(self) -> None:
        self._db.close()
