"""mysql-query: run the SQL of each message on MySQL or MariaDB, as Node-RED's `mysql` node."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flowrt.api import (
    MISSING,
    AsyncTransform,
    AuthFailed,
    ConfigError,
    ConnectionLost,
    Message,
    NodeConfig,
    NodeError,
    NotConnected,
    PropertyPath,
    field,
    getter,
)

from .mysql import Mysql
from .mysql_errors import use_error
from .mysql_sql import bind
from .mysql_values import message_value

if TYPE_CHECKING:
    from aiomysql import Connection as AioConnection

_CHANGED = re.compile(r"\schanged:\s*(\d+)", re.IGNORECASE)


class MysqlQuery(AsyncTransform):
    """Run a SQL statement for each message on MySQL or MariaDB; send the rows or the outcome.

    ### Inputs

    - `topic` (string): the SQL, when the node has no `query` and `allow_msg_topic` is true
      (Node-RED's `mysql` node always takes it from there);
    - `payload`: the values, a list for `?` placeholders or an object for `:name` ones.

    ### Outputs

    - `payload`: for a statement that reads (SELECT, SHOW...), the rows, a list of objects
      (column -> value); for one that changes (INSERT, UPDATE, DELETE...), an object with
      `affectedRows`, `insertId`, `changedRows`, `info`, `serverStatus`, `warningStatus` and
      `fieldCount`, as Node-RED's OkPacket; for several statements, a list of those, one each.

    ### Details

    The values are bound as node-red-node-mysql binds them: a list fills the `?`
    placeholders in order, an object the `:name` placeholders named by its keys; other
    payloads bind nothing. flowrt never writes a value into the SQL text: the driver
    quotes each one, so a value cannot change the statement. A list value is a list
    (`WHERE id IN (?)`), a list of lists a list of rows (`INSERT ... VALUES ?`), an object a
    list of assignments (`UPDATE t SET ? WHERE id = ?`).

    Values read come as Node-RED gives them: DECIMAL a number, DATETIME and DATE the instant
    as ISO text in UTC (read in the connection's `timezone`), TIME its text, BLOB bytes.
    Each statement commits itself. A failing statement fails the message, with the server's
    message, code name and number (`ER_NO_SUCH_TABLE`, errno 1146), to a `catch` node. The
    node runs one statement at a time, in the order messages arrive.

    Taking the SQL from `msg.topic` lets any message run any SQL with this connection's
    rights (a topic from MQTT, say): it is refused unless `allow_msg_topic` is true, which
    the Node-RED import sets.

    ```yaml
    store:
      type: mysql-query
      connection: plant_db
      query: INSERT INTO readings (device, celsius) VALUES (:device, :celsius)
    ```
    """

    type = "mysql-query"
    icon = "database"
    evaluates = {"sql": ("query", "msg.topic")}

    class Config(NodeConfig):
        connection: str = field(
            description="The `mysql` connection to run the statement on.",
            connection="mysql",
            examples=["plant_db"],
        )
        query: str | None = field(
            None,
            format="code:sql",
            description="The SQL, with `?` or `:name` placeholders; when not set, `msg.topic` "
            "(only if `allow_msg_topic`).",
            examples=["SELECT * FROM readings WHERE device = :device ORDER BY at DESC LIMIT 10"],
        )
        allow_msg_topic: bool = field(
            False,
            description="Let `msg.topic` give the SQL, as Node-RED's `mysql` node does. Any "
            "message could then run any SQL this connection may: only for trusted flows.",
        )
        values: PropertyPath = field(
            "payload",
            description="The message property holding the values: a list for `?`, an object "
            "for `:name`.",
        )

    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        self._values: Callable[[Any], Any] = getter(config.values)
        self._shown = ""

    def _sql(self, msg: Message) -> str:
        cfg = self.config
        if cfg.query is not None:
            return cfg.query
        if not cfg.allow_msg_topic:
            raise ConfigError(
                "no query to run: set the node's `query`, or take the SQL from msg.topic with "
                "`allow_msg_topic: true`",
                node=self.id,
            )
        topic = msg.get("topic")
        if not isinstance(topic, str) or not topic.strip():
            raise NodeError(
                f"msg.topic must be the SQL to run, as text; got {type(topic).__name__}",
                node=self.id,
            )
        return topic

    async def receive(self, msg: Message) -> None:
        values = self._values(msg)
        sql, args = bind(self._sql(msg), None if values is MISSING else values)
        conn = self.ctx.connection(self.config.connection, Mysql)
        try:
            async with conn.acquire(self.id) as db:
                results = await self._run(db, sql, args, conn.server)
        except AuthFailed:
            self._show("red", "ring", "authentication failed")
            raise
        except (NotConnected, ConnectionLost):
            self._show("red", "ring", "not connected")
            raise
        except NodeError as exc:
            self._show("red", "ring", f"Error: {_code(str(exc))}")
            raise
        self._show("green", "dot", "OK")
        msg["payload"] = results[0] if len(results) == 1 else results
        self.ctx.send(msg)

    async def _run(
        self, db: AioConnection, sql: str, args: tuple[Any, ...] | None, server: str
    ) -> list[Any]:
        results: list[Any] = []
        try:
            async with db.cursor() as cur:
                await cur.execute(sql, args)
                while True:
                    results.append(await _result(cur))
                    if not await cur.nextset():
                        break
        except Exception as exc:
            err = use_error(exc, db.closed, server, self.id)
            if err is exc:
                raise
            raise err from exc
        return results

    def _show(self, fill: str, shape: str, text: str) -> None:
        if text != self._shown:
            self._shown = text
            self.ctx.status(fill, shape, text)


async def _result(cur: Any) -> Any:
    """One statement's result: its rows, or what it changed (mysql2's ResultSetHeader)."""
    if cur.description is not None:
        names = [d[0] for d in cur.description]
        rows = await cur.fetchall()
        return [{k: message_value(v) for k, v in zip(names, row, strict=True)} for row in rows]
    done = cur._result  # aiomysql keeps the OK packet's fields there only
    info = getattr(done, "message", b"") or b""
    info = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    if info and ord(info[0]) == len(info) - 1:  # the server sent it length-prefixed
        info = info[1:]
    changed = _CHANGED.search(info)
    return {
        "fieldCount": 0,
        "affectedRows": cur.rowcount,
        "insertId": cur.lastrowid or 0,
        "info": info,
        "serverStatus": getattr(done, "server_status", 0),
        "warningStatus": getattr(done, "warning_count", 0),
        "changedRows": int(changed.group(1)) if changed else 0,
    }


def _code(text: str) -> str:
    found = re.search(r"\((ER_\w+|CR_\w+)", text)
    return found.group(1) if found else "query failed"
