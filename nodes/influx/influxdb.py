"""influxdb: the connection to an InfluxDB server (2.x API or 1.x API) shared by influx nodes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, WithJsonSchema

from flowrt.api import Connection, NodeConfig, field

from .influx_v1 import V1Api
from .influx_v2 import V2Api

Version = Annotated[
    Literal["1", "2"],
    BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
    WithJsonSchema({"enum": ["1", "2", 1, 2]}),
]
"""`version: 2` and `version: "2"` are the same in a flow file."""


class Influxdb(Connection):
    """An InfluxDB server: its address, API version, credentials and default bucket or database.

    ### Details

    `version: 2` (the default) uses the InfluxDB 2.x API through influxdb-client: points go to
    `/api/v2/write` in `org` / `bucket`, authenticated by `token`; queries are Flux. This is
    also what InfluxDB 3, InfluxDB Cloud, InfluxDB 1.8+ (bucket `database/retention_policy`,
    token `username:password`) and VictoriaMetrics accept for writes.

    `version: 1` uses the 1.x API that every InfluxDB 1.x has: line protocol to
    `/write?db=database`, InfluxQL to `/query`, with `username` / `password` when the server
    has authentication on. `create_database: true` creates a missing database on the first
    write (the user needs the right to).

    Give the token and the password as `${VAR}` references (environment, or
    `flowrt run --secrets FILE`), never inline.

    ```yaml
    connections:
      tsdb:
        type: influxdb
        url: http://127.0.0.1:8086
        org: plant
        bucket: sensors
        token: ${INFLUX_TOKEN}
      legacy:
        type: influxdb
        version: 1
        url: http://127.0.0.1:8086
        database: telegraf
    ```
    """

    type = "influxdb"

    class Config(NodeConfig):
        version: Version = field(
            "2", description="The API: `2` (influxdb-client, `/api/v2`) or `1` (`/write`, "
            "`/query` with InfluxQL)."
        )
        url: str = field(
            "http://127.0.0.1:8086", description="The server's base URL.",
            examples=["http://127.0.0.1:8086", "https://eu-central-1-1.aws.cloud2.influxdata.com"],
            pattern=r"^https?://",
        )
        org: str = field("", description="2.x: the organisation (name or id).",
                         examples=["plant"])
        token: str | None = field(None, secret=True, description="2.x: the API token.")
        bucket: str = field("", description="2.x: the bucket nodes write to unless they name "
                            "another.", examples=["sensors"])
        database: str = field("", description="1.x: the database written to and queried.",
                              examples=["telegraf"])
        username: str | None = field(None, description="1.x: the user, when authentication "
                                     "is on.")
        password: str | None = field(None, secret=True, description="1.x: the user's password.")
        retention_policy: str = field(
            "", description="1.x: the retention policy to write to (default: the database's).",
            advanced=True,
        )
        create_database: bool = field(
            False, description="1.x: create the database on the first write when it is missing.",
        )
        timeout: float = field(10.0, gt=0, description="Seconds to wait for the server's "
                               "answer to one request.", advanced=True)
        verify_ssl: bool = field(True, description="Check the server's TLS certificate "
                                 "(https).", advanced=True)
    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        cfg: Influxdb.Config = config
        self.server = server_of(cfg.url)
        """host:port, for messages (never the credentials)."""
        self.api: V1Api | V2Api
        if cfg.version == "1":
            self.api = V1Api(
                cfg.url, self.server, database=cfg.database,
                retention_policy=cfg.retention_policy, username=cfg.username,
                password=cfg.password, timeout=cfg.timeout, verify_ssl=cfg.verify_ssl,
                create_database=cfg.create_database,
            )
        else:
            self.api = V2Api(
                cfg.url, self.server, org=cfg.org, token=cfg.token, bucket=cfg.bucket,
                timeout=cfg.timeout, verify_ssl=cfg.verify_ssl,
            )

    @property
    def version(self) -> str:
        return self.api.api

    def target(self, override: str | None = None) -> str:
        """Where writes go: the node's ``override`` if given, else the 2.x bucket or the 1.x
        ``database`` (``database/retention_policy`` with a retention policy)."""
        return self.api.target(override)

    async def write(self, lines: list[str], precision: str, target: str, org: str = "") -> None:
        """Write lines of line protocol in one request (2.x: in ``org``, else the connection's
        organisation). Raises NotConnected / ConnectionLost (retry), AuthFailed, WriteRejected
        (the points are refused) or NodeError."""
        await self.api.write("\n".join(lines).encode("utf-8"), precision, target, org)

    async def query(
        self, text: str, params: Mapping[str, Any], epoch: str | None, org: str = ""
    ) -> list[list[dict[str, Any]]]:
        """Run a query (InfluxQL on 1.x, Flux on 2.x in ``org``, else the connection's
        organisation) with bound parameters: a list of rows per statement."""
        return await self.api.query(text, params, epoch, org)

    async def open(self) -> None:
        await self.api.prepare()

    async def close(self) -> None:
        await self.api.close()


def server_of(url: str) -> str:
    """``host:port`` of a URL, without credentials."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or "?"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
