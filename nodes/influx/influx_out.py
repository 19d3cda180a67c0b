"""influx-out: write messages as points to InfluxDB, in batches."""

from __future__ import annotations

from typing import Any

from flowrt.api import (
    ConnectionLost,
    Message,
    NotConnected,
    Sink,
    SinkConfig,
    Value,
    compile_value,
    field,
)

from .influx_errors import WriteRejected, conflicting
from .influx_points import MappedPoint, PointError, PointMapper, Precision
from .influxdb import Influxdb

Mapped = tuple[list[list[MappedPoint]], list[int], dict[int, Exception]]
"""A batch's points: those of each message that maps, their messages' indexes, and the
failure of each message that does not map."""


class InfluxOut(Sink):
    """Write each message as one or more points to InfluxDB, in batches.

    ### Inputs

    - `payload`: a number, text or boolean (the field `value`); an object of fields;
      `[fields, tags]`; a list of `[fields, tags]` pairs (several points); or a list of point
      objects `{measurement, fields, tags, timestamp}`. A `time` field is the point's time.
    - `measurement` (text, optional): the measurement, when the node sets none; else `topic`.
    - `tags` (object, optional): tags for every point of the message, over the node's `tags`.
    - `timestamp` (optional): the time of points without a `time` field: a number in the
      node's `precision`, an ISO 8601 text or a datetime. Without one, the node stamps the
      point (see Details).

    ### Details

    Messages are written in batches of up to `batch_size` messages, each batch in one request.
    A batch waits for more messages only while more are coming, and at most `batch_interval`
    seconds: when the flow has nothing more at hand, what arrived is written at once. While a
    batch is written the next one, once full, is made into points, so that work overlaps the
    server's; requests stay one at a time and in order. While the server is away the batch is
    kept and written again with back-off (the status shows it), and later messages wait in the
    node's buffer: nothing is lost.

    A message that cannot be made into points (no measurement, a nested object as a field, a
    non-finite number, a newline or a misplaced backslash in a name or tag value, which line
    protocol cannot carry) fails alone, with the reason. A point the server refuses (a field type
    conflict: a field written as a number once and as a text later) fails only the message it
    came from, with the server's reason; the other messages of the batch are written. Wrong
    credentials, a missing database or bucket fail the batch with what to do.

    A time in the message is stored as given, in the node's `precision` (a text or a datetime
    is cut to it). A point without one gets the node's stamp, taken when its batch is made into
    points: in nanoseconds whatever the `precision`, and always later than the node's stamp
    before it (one that would equal or precede it becomes that one plus a nanosecond). InfluxDB
    keeps one point per series and time, so points of a series stamped in the same millisecond
    would otherwise leave only the last. Requests are therefore written at nanosecond
    precision, times in messages multiplied out exactly. A batch written again after an outage
    keeps its stamps. VictoriaMetrics stores milliseconds: it keeps every point of a series
    stamped in the same millisecond (its export and `count_over_time` see each), but not their
    order within it, and a query shows one value per timestamp; with `-dedup.minScrapeInterval`
    set it keeps only one. There, give such points their own time, or a tag that tells them
    apart. (Node-RED's influxdb out node leaves the time out of such a point on the 1.x API, for
    the server to stamp, one request per message; on the 2.x API its client library stamps it
    in the write precision.)

    Numbers are written as floats, as Node-RED does, so a field sent as `21` then `21.5` keeps
    one type; `integer_fields: true` writes whole numbers as integers (`21i`) instead.

    ```yaml
    store:
      type: influx-out
      connection: tsdb
      measurement: temperature
      tags: {site: plant-1, sensor: {type: msg, value: topic}}
    ```
    """

    type = "influx-out"
    icon = "database"
    evaluates = {"jsonata": ("tags",)}

    class Config(SinkConfig):
        connection: str = field(description="The influxdb connection.", connection="influxdb")
        measurement: str | None = field(
            None, description="The measurement; when not set, `msg.measurement`, else "
            "`msg.topic`.", examples=["temperature"],
        )
        bucket: str | None = field(
            None, description="Where to write instead of the connection's default: a 2.x "
            "bucket, or on 1.x `database` or `database/retention_policy`.",
        )
        org: str = field(
            "", description="2.x: the organisation to write in instead of the connection's.",
        )
        tags: dict[str, Value] = field(
            default_factory=dict,
            description="Tags added to every point: name -> value (a literal or a typed value); "
            "`msg.tags` wins over them.",
            examples=[{"site": "plant-1", "sensor": {"type": "msg", "value": "topic"}}],
        )
        precision: Precision = field(
            "ms", description="The unit of the times messages give: a number is read in it, a "
            "text or date is cut to it. Points go out in nanoseconds; one without a time gets the "
            "node's own stamp, each later than the one before.",
        )
        integer_fields: bool = field(
            False, description="Write whole numbers as integer fields (`42i`) rather than floats.",
        )
        batch_size: int = field(
            1000, ge=1, le=100_000, description="Most messages written in one request.",
        )
        batch_interval: float = field(
            1.0, ge=0, le=3600,
            description="Most seconds a batch waits to fill while messages keep coming; it is "
            "written at once when no more are on their way.",
        )

    config: Config

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.config.batch_size

    @property
    def batch_interval(self) -> float:  # type: ignore[override]
        return self.config.batch_interval

    async def start(self) -> None:
        conn = self.ctx.connection(self.config.connection, Influxdb)
        self.conn = conn
        self.target = conn.target(self.config.bucket)
        tags = {key: compile_value(value, self.ctx) for key, value in self.config.tags.items()}
        cfg = self.config
        self.mapper = PointMapper(cfg.measurement, tags, cfg.precision, cfg.integer_fields)
        self.writes = 0
        """Write requests that wrote points (all of them, or all but those refused)."""
        self.points = 0
        """Points in those requests."""
        self._mapped: dict[int, tuple[list[Message], Mapped]] = {}
        """Batches mapped to points and not yet written, by the id of their list: the next one
        (``prepare``), and one being retried, whose points keep the times they were given."""
        self._state = ""
        self._last_stamp = 0
        """The node's latest stamp, in nanoseconds: the next is later."""

    def prepare(self, batch: list[Message]) -> None:
        """Map the next batch to points while the one before is being written."""
        self._mapped[id(batch)] = (batch, self._map(batch))

    def _map(self, batch: list[Message]) -> Mapped:
        """The points of each message that maps (with its index), and the failure of each
        message that does not."""
        failures: dict[int, Exception] = {}
        groups: list[list[MappedPoint]] = []
        owners: list[int] = []
        points, now = self.mapper.points, self._stamp
        for index, msg in enumerate(batch):
            try:
                groups.append(points(msg, now))
            except PointError as exc:
                failures[index] = exc
                continue
            owners.append(index)
        return groups, owners, failures

    async def write(self, batch: list[Message]) -> None:
        mapped = self._mapped.get(id(batch))
        if mapped is None or mapped[0] is not batch:
            mapped = (batch, self._map(batch))
            self._mapped[id(batch)] = mapped
        groups, owners, failures = mapped[1]
        try:
            if groups:
                rejected = await self._commit(groups, list(range(len(groups))))
                failures = {**failures, **{owners[g]: exc for g, exc in rejected.items()}}
        except (NotConnected, ConnectionLost):
            self._show("red", "ring", "disconnected")
            raise  # the engine writes this batch again: its points keep their times
        except BaseException:
            del self._mapped[id(batch)]  # the batch is given up: its messages fail
            self._show("red", "ring", "write failed")
            raise
        del self._mapped[id(batch)]
        if groups:
            self._show("green", "dot", "connected")
        for index, error in failures.items():
            self.ctx.error(error, batch[index])

    def _stamp(self) -> int:
        """The time of a point that carries none, in nanoseconds: when its message was mapped
        (kept while the batch is retried, so a point written twice is the same point), and
        always after the node's stamp before it, so no two share a time."""
        stamp = int(self.ctx.now() * 1_000_000_000)
        if stamp <= self._last_stamp:
            stamp = self._last_stamp + 1
        self._last_stamp = stamp
        return stamp

    async def _commit(
        self, groups: list[list[MappedPoint]], indexes: list[int]
    ) -> dict[int, Exception]:
        """Write the groups at ``indexes``; those whose points the server refuses are returned
        with the reason. A refused request is narrowed down by the server's text when it names
        the culprits, else by halves (rewriting a point 1.x already took is harmless: the same
        series and time hold one value)."""
        lines = [point.line for i in indexes for point in groups[i]]
        try:
            await self.conn.write(lines, "ns", self.target, self.config.org)
        except WriteRejected as exc:
            if len(indexes) == 1:
                return {indexes[0]: self._rejected(exc)}
            hits, dropped = conflicting(exc, [groups[i] for i in indexes])
            if hits:  # the server wrote the others (a 1.x partial write)
                self.writes += 1
                self.points += len(lines) - dropped
                return {indexes[h]: self._rejected(exc) for h in sorted(hits)}
            middle = len(indexes) // 2
            first = await self._commit(groups, indexes[:middle])
            return {**first, **await self._commit(groups, indexes[middle:])}
        self.writes += 1
        self.points += len(lines)
        return {}

    def _rejected(self, exc: WriteRejected) -> WriteRejected:
        return WriteRejected(
            f"InfluxDB at {self.conn.server} rejected this message's points: {exc.text}",
            status=exc.status, text=exc.text,
        )

    def _show(self, fill: str, shape: str, text: str) -> None:
        if text != self._state:
            self._state = text
            self.ctx.status(fill, shape, text)

    def stats(self) -> dict[str, Any]:
        """Counters for tests and benchmarks."""
        return {"writes": self.writes, "points": self.points}
