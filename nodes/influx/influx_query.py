"""influx-query: run an InfluxQL (1.x) or Flux (2.x) query with bound parameters."""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import (
    MISSING,
    AsyncTransform,
    Message,
    NodeConfig,
    NodeError,
    Value,
    compile_value,
    field,
)

from .influxdb import Influxdb


class InfluxQuery(AsyncTransform):
    """Query InfluxDB and send the rows found: InfluxQL on a 1.x connection, Flux on 2.x.

    ### Inputs

    - `query` (text, optional): the query, when the node sets none.
    - `params` (object, optional): bound parameters, over the node's `params`.

    ### Outputs

    The message with `payload` set to the rows: a list of objects with `time`, the
    `measurement`, the tags and the fields of each point. An InfluxQL text of several
    statements gives a list of such lists, one per statement.

    ### Details

    Values reach the query only as bound parameters, never pasted into its text, so a value
    cannot change what the query does. InfluxQL names them `$name`
    (`SELECT * FROM temp WHERE room = $room AND time > now() - $since`); Flux reads them as
    `params.name`. On 2.x, each Flux record becomes a row: `_time` is `time`, `_measurement`
    is `measurement`, a `_field` / `_value` pair becomes one field, and the `result`, `table`,
    `_start` and `_stop` columns are left out.

    Times are RFC 3339 texts, or numbers in `epoch` units when it is set. A query the server
    refuses fails the message with the server's reason.

    ```yaml
    recent:
      type: influx-query
      connection: legacy
      query: SELECT mean(value) FROM temperature WHERE room = $room AND time > now() - 1h
      params: {room: {type: msg, value: payload.room}}
    ```
    """

    type = "influx-query"
    icon = "database"
    evaluates = {
        "influxql": ("query", "msg.query"),
        "flux": ("query", "msg.query"),
        "jsonata": ("params",),
    }

    class Config(NodeConfig):
        connection: str = field(description="The influxdb connection.", connection="influxdb")
        query: str | None = field(
            None, format="multiline",
            description="The query (InfluxQL for a 1.x connection, Flux for 2.x); when not "
            "set, `msg.query`.",
            examples=["SELECT last(value) FROM temperature WHERE room = $room"],
        )
        params: dict[str, Value] = field(
            default_factory=dict,
            description="Bound parameters: name -> value (a literal or a typed value); "
            "`msg.params` wins over them.",
            examples=[{"room": {"type": "msg", "value": "payload.room"}}],
        )
        epoch: Literal["ns", "us", "ms", "s"] | None = field(
            None, description="Give times as numbers in this unit instead of RFC 3339 texts.",
        )
        org: str = field(
            "", description="2.x: the organisation to query in instead of the connection's.",
        )

    config: Config

    async def start(self) -> None:
        conn = self.ctx.connection(self.config.connection, Influxdb)
        self.conn = conn
        self.params = {k: compile_value(v, self.ctx) for k, v in self.config.params.items()}

    async def receive(self, msg: Message) -> None:
        text = self.config.query or msg.get("query")
        if not isinstance(text, str) or not text.strip():
            raise NodeError("no query: set the node's `query`, or msg.query to a text")
        params: dict[str, Any] = {}
        for key, value in self.params.items():
            found = value(msg)
            if found is not MISSING:
                params[key] = found
        own = msg.get("params")
        if isinstance(own, dict):
            params.update(own)
        elif own is not None:
            raise NodeError(f"msg.params must be an object of parameter values; got {own!r}")
        results = await self.conn.query(text, params, self.config.epoch, self.config.org)
        msg["payload"] = results[0] if len(results) == 1 else results
        self.ctx.send(msg)
