"""The InfluxDB 2.x API through influxdb-client: `/api/v2/write` and Flux `/api/v2/query`.

influxdb-client's synchronous API blocks, so each call runs in a worker thread; one call per
batch of points, never one per message. The client makes no retries of its own: a server that
is away raises NotConnected at once and the engine retries the batch with back-off.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flowrt.api import ConfigError, ConnectionLost, NotConnected

from .influx_errors import query_failure, server_text, write_failure
from .influx_points import NS_PER

DROPPED_COLUMNS = frozenset({"result", "table", "_start", "_stop"})


class V2Api:
    """One influxdb-client client for one server; safe to share between nodes."""

    api = "2"

    def __init__(
        self,
        url: str,
        server: str,
        *,
        org: str,
        token: str | None,
        bucket: str,
        timeout: float,
        verify_ssl: bool,
    ) -> None:
        self.url = url
        self.server = server
        self.org = org
        self.token = token
        self.bucket = bucket
        self.timeout = timeout
        self.verify_ssl = verify_ssl
        self._client: Any = None
        self._writer: Any = None

    def target(self, override: str | None) -> str:
        bucket = override or self.bucket
        if not bucket:
            raise ConfigError(
                "no bucket to write to: set `bucket` on the influxdb connection or on the node"
            )
        return bucket

    def _open(self) -> Any:
        if self._client is None:
            from influxdb_client.client.influxdb_client import InfluxDBClient
            from influxdb_client.client.write_api import SYNCHRONOUS

            make: Any = InfluxDBClient
            self._client = make(
                url=self.url,
                token=self.token or "",
                org=self.org,
                timeout=int(self.timeout * 1000),
                verify_ssl=self.verify_ssl,
            )
            self._writer = self._client.write_api(write_options=SYNCHRONOUS)
        return self._client

    async def prepare(self) -> None:
        """Make the client before the first write (importing it takes about a second on a
        busy machine, while a burst of messages waits)."""
        await asyncio.to_thread(self._open)

    async def close(self) -> None:
        client, self._client, self._writer = self._client, None, None
        if client is not None:
            await asyncio.to_thread(client.close)

    async def write(self, body: bytes, precision: str, target: str, org: str = "") -> None:
        """``org``: the organisation to write in, when not the connection's."""
        self._open()  # here, not in the worker threads: one client however many nodes share it
        await asyncio.to_thread(self._write, self._writer, body, precision, target,
                                org or self.org)

    def _write(self, writer: Any, body: bytes, precision: str, target: str, org: str) -> None:
        from influxdb_client.rest import ApiException

        try:
            with _transport_errors(self.server):
                writer.write(
                    bucket=target, org=org, record=body, write_precision=precision
                )
        except ApiException as exc:
            reason = server_text(_body(exc))
            raise write_failure(
                exc.status or 0, reason, server=self.server, api=self.api, target=target
            ) from exc

    async def query(
        self, text: str, params: Mapping[str, Any], epoch: str | None, org: str = ""
    ) -> list[list[dict[str, Any]]]:
        """Run Flux with ``params`` (read in the query as ``params.name``) in ``org`` (else
        the connection's); the rows of all tables, as one list (a Flux script yields one
        stream of tables)."""
        client = self._open()
        return [await asyncio.to_thread(self._query, client, text, dict(params), epoch,
                                        org or self.org)]

    def _query(
        self, client: Any, text: str, params: dict[str, Any], epoch: str | None, org: str
    ) -> list[dict[str, Any]]:
        from influxdb_client.rest import ApiException

        try:
            with _transport_errors(self.server):
                tables = client.query_api().query(text, org=org, params=params or None)
        except ApiException as exc:
            reason = server_text(_body(exc))
            raise query_failure(exc.status or 0, reason, server=self.server, api=self.api) from exc
        return flux_rows([t.records for t in tables], epoch)


def flux_rows(tables: list[list[Any]], epoch: str | None) -> list[dict[str, Any]]:
    """Flux records as rows like the 1.x ones: `time`, `measurement`, tags, and each
    `_field`/`_value` pair as one field (pivoted tables keep their field columns). The
    `result`, `table`, `_start` and `_stop` columns are left out."""
    rows: list[dict[str, Any]] = []
    for records in tables:
        for record in records:
            row: dict[str, Any] = {}
            values: dict[str, Any] = dict(record.values)
            if "_field" in values and "_value" in values:
                values[str(values.pop("_field"))] = values.pop("_value")
            for key, value in values.items():
                if key in DROPPED_COLUMNS:
                    continue
                name = {"_time": "time", "_measurement": "measurement"}.get(key, key)
                row[name] = _time_value(value, epoch) if isinstance(value, datetime) else value
            rows.append(row)
    return rows


def _time_value(when: datetime, epoch: str | None) -> str | int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if epoch is None:
        return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    ns = (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
    return ns // NS_PER[epoch]


def _body(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return str(body or getattr(exc, "reason", "") or exc)


@contextmanager
def _transport_errors(server: str) -> Iterator[None]:
    """urllib3's connection errors as NotConnected (could not connect) or ConnectionLost."""
    from urllib3.exceptions import HTTPError, NewConnectionError

    try:
        yield
    except (NewConnectionError, ConnectionRefusedError) as exc:
        raise NotConnected(f"cannot reach InfluxDB at {server}: {exc}") from exc
    except (HTTPError, OSError) as exc:
        raise ConnectionLost(f"lost the connection to InfluxDB at {server}: {exc}") from exc
