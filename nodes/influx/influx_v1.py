"""The InfluxDB 1.x HTTP API over httpx: line protocol to `/write`, InfluxQL to `/query`.

influxdb-client speaks only the 2.x API, which InfluxDB 1.x has from 1.8 on (and then only as a
compatibility layer); `/write` and `/query` are in every 1.x release, so 1.x goes through them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flowrt.api import ConfigError, ConnectionLost, NodeError, NotConnected

from .influx_errors import MissingDatabase, query_failure, server_text, write_failure
from .influx_http import PlainHttp

if TYPE_CHECKING:
    import httpx

WRITE_PRECISION = {"ns": "n", "us": "u", "ms": "ms", "s": "s"}
"""1.x's names: it reads an unknown precision such as `us` as nanoseconds, silently."""
EPOCH = {"ns": "ns", "us": "u", "ms": "ms", "s": "s"}


class V1Api:
    """One httpx client for one 1.x server; safe to share between nodes."""

    api = "1"

    def __init__(
        self,
        url: str,
        server: str,
        *,
        database: str,
        retention_policy: str,
        username: str | None,
        password: str | None,
        timeout: float,
        verify_ssl: bool,
        create_database: bool,
    ) -> None:
        self.url = url.rstrip("/")
        self.server = server
        self.database = database
        self.retention_policy = retention_policy
        self.auth = (username, password or "") if username else None
        self.timeout = timeout
        self.verify_ssl = verify_ssl
        self.create_database = create_database
        self._client: httpx.AsyncClient | None = None
        self._plain = PlainHttp(url, self.auth, timeout) if PlainHttp.serves(url) else None
        """Writes over plain HTTP go through this small client (influx_http: a tenth of
        httpx's CPU a request); queries, and HTTPS, through httpx."""
        self._created: set[str] = set()

    def target(self, override: str | None) -> str:
        """``database`` or ``database/retention_policy``."""
        if override:
            return override
        if not self.database:
            raise ConfigError(
                "no database to write to: set `database` on the influxdb connection, or "
                "`bucket` on the node"
            )
        if self.retention_policy:
            return f"{self.database}/{self.retention_policy}"
        return self.database

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            self._client = httpx.AsyncClient(
                base_url=self.url, timeout=self.timeout, verify=self.verify_ssl, auth=self.auth
            )
        return self._client

    async def prepare(self) -> None:
        """Make the HTTP client and ask the server's /ping once, so the first write does not
        pay for importing and setting up the HTTP stack (about a second on a busy machine,
        while a burst of messages waits). A server that does not answer is left to the
        writes to report."""
        import httpx

        with contextlib.suppress(httpx.HTTPError, OSError):
            await self._http().get("/ping")

    async def close(self) -> None:
        if self._plain is not None:
            await self._plain.close()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def write(self, body: bytes, precision: str, target: str, org: str = "") -> None:
        """``org`` is a 2.x setting: a 1.x server has none."""
        db, _, rp = target.partition("/")
        params = {"db": db, "precision": WRITE_PRECISION[precision]}
        if rp:
            params["rp"] = rp
        status, text = await self._post("/write", params=params, content=body, plain=True)
        if status == 204:
            return
        reason = server_text(text)
        error = write_failure(status, reason, server=self.server, api=self.api, target=target)
        if isinstance(error, MissingDatabase) and self.create_database and db not in self._created:
            await self.query(f'CREATE DATABASE "{_ident(db)}"', {}, None, database="")
            self._created.add(db)
            await self.write(body, precision, target)
            return
        raise error

    async def query(
        self,
        text: str,
        params: Mapping[str, Any],
        epoch: str | None,
        org: str = "",
        *,
        database: str | None = None,
    ) -> list[list[dict[str, Any]]]:
        """Run InfluxQL with bound parameters (``$name`` in the text); one list of rows per
        statement. A statement the server refuses raises with its reason."""
        form: dict[str, str] = {"q": text}
        db = self.database if database is None else database
        if db:
            form["db"] = db
        if self.retention_policy:
            form["rp"] = self.retention_policy
        if params:
            form["params"] = json.dumps(dict(params), default=str)
        if epoch:
            form["epoch"] = EPOCH[epoch]
        status, body = await self._post("/query", data=form)
        if status != 200:
            raise query_failure(status, server_text(body), server=self.server, api=self.api)
        results = json.loads(body).get("results", [])
        out: list[list[dict[str, Any]]] = []
        for result in results:
            if "error" in result:
                raise NodeError(f"InfluxDB at {self.server} refused the query: {result['error']}")
            out.append(rows_of(result.get("series", [])))
        return out

    async def _post(self, path: str, plain: bool = False, **kwargs: Any) -> tuple[int, str]:
        import httpx

        try:
            if plain and self._plain is not None:
                return await self._plain.post(
                    path, kwargs["params"], kwargs["content"], "text/plain; charset=utf-8"
                )
            response = await self._http().post(path, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise NotConnected(f"cannot reach InfluxDB at {self.server}: {_reason(exc)}") from exc
        except httpx.TransportError as exc:
            raise ConnectionLost(
                f"lost the connection to InfluxDB at {self.server}: {_reason(exc)}"
            ) from exc
        return response.status_code, response.text


def rows_of(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """1.x series as rows: each row a dict of the columns (time, fields, grouped-by tags as
    columns), with the series' `tags` and its name as `measurement` (unless a column has it)."""
    rows: list[dict[str, Any]] = []
    for one in series:
        columns = one.get("columns", [])
        extra: dict[str, Any] = {"measurement": one.get("name")}
        extra.update(one.get("tags") or {})
        for values in one.get("values", []):
            row = dict(zip(columns, values, strict=False))
            for key, value in extra.items():
                row.setdefault(key, value)
            rows.append(row)
    return rows


def _ident(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
