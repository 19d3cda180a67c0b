"""postgres-query: run one SQL statement per message, its parameters bound from the message."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import AfterValidator

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

from .postgres import Postgres
from .postgres_errors import use_error
from .postgres_sql import json_like, named_parameters
from .postgres_text import compile_param

if TYPE_CHECKING:
    from psycopg import AsyncConnection

QUERY_CACHE = 256
"""Converted query texts kept (queries from messages vary; configured ones do not)."""


def _text_template(template: str) -> str:
    compile_param(template)  # raises ValueError saying what is wrong
    return template


class PostgresQuery(AsyncTransform):
    """Run a SQL statement for each message, with parameters from the message; send the rows.

    ### Inputs

    - any message property named in `params`;
    - `params` (object, optional): more parameter values, by name;
    - `query` (string, optional): the statement, used only when `allow_msg_query` is true.

    ### Outputs

    - `payload`: the rows, a list of objects (column -> value); with `single: true`, the first
      row, or null when there is none. A statement that returns no rows sends an empty list.
    - `rowcount`: the rows the statement returned or changed (INSERT, UPDATE, DELETE).

    ### Details

    Parameters are written `:name` (or psycopg's `%(name)s`) in the query, and their values
    are always sent apart from the SQL text, never formatted into it, so a value cannot change
    the statement. A value comes from `params` (parameter -> message property; a property
    the message lacks is NULL), else from `msg.params`; an object is sent as JSON (jsonb), a
    list as an array (`WHERE id = ANY(:ids)`), or from `text_params` (parameter -> the SQL
    a node-red-contrib-postgresql query's mustache tags would have written there, sent as the
    value PostgreSQL would have read; `flowrt import nodered` writes these so that no message
    text becomes SQL). `::type` casts are not parameters.

    The statement runs alone in a transaction of its own, committed when it succeeds. A failing
    statement fails the message with the database's message and SQLSTATE; so does a server
    that is away (the node does not retry a statement that may have run). Values read are made
    message-friendly: numeric becomes a number, dates and times ISO 8601 text, UUIDs text,
    json and jsonb objects and lists.

    Taking the query from `msg.query` lets any message run any SQL with this connection's
    rights: it is refused unless `allow_msg_query` is true.

    ```yaml
    lookup:
      type: postgres-query
      connection: plant_db
      query: SELECT name, limit_c FROM devices WHERE id = :id
      params: {id: payload.device}
      single: true
    ```
    """

    type = "postgres-query"
    icon = "database"
    evaluates = {"sql": ("query", "msg.query"), "mustache": ("text_params",)}

    class Config(NodeConfig):
        connection: str = field(
            description="The `postgres` connection to run the statement on.",
            connection="postgres",
            examples=["plant_db"],
        )
        query: str | None = field(
            None,
            format="code:sql",
            description="The SQL statement, with `:name` parameters; when not set, `msg.query` "
            "(only if `allow_msg_query`).",
            examples=["SELECT * FROM readings WHERE device = :device ORDER BY at DESC LIMIT 10"],
        )
        params: dict[str, PropertyPath] = field(
            default_factory=dict,
            description="Parameter name -> the message property holding its value; others come "
            "from `msg.params`.",
            examples=[{"device": "payload.device"}],
        )
        text_params: dict[str, Annotated[str, AfterValidator(_text_template)]] = field(
            default_factory=dict,
            advanced=True,
            description="Parameter name -> the SQL a node-red-contrib-postgresql query's "
            "mustache tags would have written, `{{msg.path}}` HTML-escaped, `{{{msg.path}}}` "
            "as it is, a missing or null value empty; sent as the value PostgreSQL would have "
            "read there: a quoted literal's text, else a number when the text is one, else the "
            "text. `flowrt import nodered` writes these.",
            examples=[{"m1": "'{{{msg.payload.name}}}'", "m2": "{{msg.payload.id}}"}],
        )
        allow_msg_query: bool = field(
            False,
            description="Let `msg.query` give the statement. Any message could then run any "
            "SQL this connection may: only for trusted flows.",
        )
        single: bool = field(
            False, description="Send the first row (or null) as the payload, not a list."
        )
        timeout: float | None = field(
            None,
            gt=0,
            description="Seconds the statement may run before the server cancels it; when not "
            "set, the connection's `statement_timeout`.",
        )

    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        self._getters: dict[str, Callable[[Any], Any]] = {
            name: getter(path) for name, path in config.params.items()
        }
        self._texts = {name: compile_param(t) for name, t in config.text_params.items()}
        self._queries: dict[str, tuple[str, list[str]]] = {}
        self._connected = False

    def _connection(self) -> Postgres:
        return self.ctx.connection(self.config.connection, Postgres)

    def _query(self, msg: Message) -> tuple[str, list[str]]:
        cfg = self.config
        text = msg.get("query") if cfg.allow_msg_query else None
        if text is None:
            text = cfg.query
        if text is None:
            hint = (
                "set the node's `query`"
                if "query" in msg
                else "set the node's `query`, or send `msg.query` with `allow_msg_query: true`"
            )
            refused = " (msg.query is refused: allow_msg_query is false)" if "query" in msg else ""
            raise ConfigError(f"no query to run{refused}: {hint}", node=self.id)
        if not isinstance(text, str) or not text.strip():
            raise NodeError(f"msg.query must be SQL text, got {type(text).__name__}", node=self.id)
        found = self._queries.get(text)
        if found is None:
            if len(self._queries) >= QUERY_CACHE:
                self._queries.clear()
            found = self._queries[text] = named_parameters(text)
        return found

    def _params(self, msg: Message, names: list[str]) -> dict[str, Any]:
        from psycopg.types.json import Jsonb

        given = msg.get("params")
        values: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
        for name, get in self._getters.items():
            value = get(msg)
            values[name] = None if value is MISSING else value
        for name, text in self._texts.items():
            values[name] = text.value(msg)
        missing = [n for n in names if n not in values]
        if missing:
            raise NodeError(
                f"no value for parameter {', '.join(':' + n for n in missing)}: map it in "
                "`params`, or send it in `msg.params`",
                node=self.id,
            )
        return {n: Jsonb(values[n]) if isinstance(values[n], dict) else values[n] for n in names}

    async def receive(self, msg: Message) -> None:
        sql, names = self._query(msg)
        params = self._params(msg, names)
        conn = self._connection()
        try:
            async with conn.acquire(self.id) as pg:
                rows, count = await self._run(pg, sql, params, conn.server)
        except AuthFailed:
            self._show("red", "ring", "authentication failed")
            raise
        except (NotConnected, ConnectionLost):
            self._show("red", "ring", "disconnected")
            raise
        self._show("green", "dot", "connected")
        msg["payload"] = (rows[0] if rows else None) if self.config.single else rows
        msg["rowcount"] = count
        self.ctx.send(msg)

    async def _run(
        self, pg: AsyncConnection[Any], sql: str, params: dict[str, Any], server: str
    ) -> tuple[list[dict[str, Any]], int]:
        from psycopg.rows import dict_row

        timeout = self.config.timeout
        try:
            async with pg.cursor(row_factory=dict_row) as cur:
                if timeout:  # a setting local to a transaction around the statement
                    async with pg.transaction():
                        ms = str(max(1, round(timeout * 1000)))
                        await cur.execute("SELECT set_config('statement_timeout', %s, true)", (ms,))
                        found, count = await _execute(cur, sql, params)
                else:  # one statement in autocommit: a transaction of its own
                    found, count = await _execute(cur, sql, params)
        except Exception as exc:
            err = use_error(exc, pg, server, self.id, "the query")
            if err is exc:
                raise
            raise err from exc
        rows = [{k: json_like(v) for k, v in row.items()} for row in found]
        return rows, count

    def _show(self, fill: str, shape: str, text: str) -> None:
        connected = fill == "green"
        if connected != self._connected or not connected:
            self._connected = connected
            self.ctx.status(fill, shape, text)


async def _execute(cur: Any, sql: str, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    await cur.execute(sql, params)
    found = await cur.fetchall() if cur.description is not None else []
    return found, int(cur.rowcount)
