"""The pipeline in real Node-RED (4.1, from the npm registry): its flow, settings and install.

Nodes: ``mqtt in`` (QoS 1, text) -> ``json`` -> ``function`` (the same JavaScript as flowrt's
function node) -> ``switch`` -> ``change`` (JSONata) -> the writes. Two ways to write:

- ``default``: one write per message, as the stock nodes do it: ``influxdb out`` of
  node-red-contrib-influxdb (one HTTP request per message), and one INSERT per message;
- ``batch``: a ``join`` node (500 messages or 0.2 s, as flowrt's postgres-out batches) before
  ``influxdb batch`` (one request per batch) and a multi-row INSERT (``unnest`` of arrays).

No PostgreSQL node package could be installed from the registry these machines reach
(node-red-contrib-postgresql is not there), so the writes to PostgreSQL are a function node on
node-postgres (``pg``), the library such nodes wrap, through a pool of 10 connections made in
the settings (``functionGlobalContext``); the function calls ``node.done()`` when the INSERT
returns, so Node-RED's completion matches the commit.

Node-RED's MQTT client acknowledges each QoS 1 message as it arrives, before the flow has
handled it: messages it held when it dies are lost, never redelivered.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

NR_HOME = Path(os.environ.get("NR_HOME", "/tmp/nrbench4"))
NR_VERSION = os.environ.get("NR_VERSION", "4.1.15")
PACKAGES = [f"node-red@{NR_VERSION}", "node-red-contrib-influxdb@0.7.0", "pg@8"]

CONVERT_JS = """const p = msg.payload;
p.celsius = Math.round((p.value - 32) * 500 / 9) / 100;
p.time = 1700000000000 + p.id;
return msg;
"""

COLUMNS = ["id", "sent", "device", "value", "celsius", "fahrenheit"]

INSERT_ONE_JS = """const p = msg.payload;
global.get("pgPool").query(
    "INSERT INTO %(table)s (%(columns)s) VALUES ($1, $2, $3, $4, $5, $6)",
    [p.id, p.sent, p.device, p.value, p.celsius, p.fahrenheit]
).then(() => node.done(), (err) => node.error(err, msg));
return null;
"""

INSERT_BATCH_JS = """const rows = msg.payload;
const col = (k) => rows.map((p) => p[k]);
global.get("pgPool").query(
    "INSERT INTO %(table)s (%(columns)s) SELECT * FROM unnest($1::bigint[], $2::float8[],"
    + " $3::text[], $4::float8[], $5::float8[], $6::float8[])",
    [col("id"), col("sent"), col("device"), col("value"), col("celsius"), col("fahrenheit")]
).then(() => node.done(), (err) => node.error(err, msg));
return null;
"""

POINTS_JS = """msg.payload = msg.payload.map((p) => ({
    measurement: "reading",
    fields: {id: p.id, sent: p.sent, device: p.device, value: p.value,
             celsius: p.celsius, fahrenheit: p.fahrenheit},
    timestamp: p.time,
}));
return msg;
"""

SETTINGS_JS = """// Headless Node-RED for the pipeline benchmark: no editor, no HTTP.
const { Pool } = require(process.env.NR_HOME + "/node_modules/pg");
module.exports = {
    uiHost: "127.0.0.1",
    uiPort: 0,
    httpAdminRoot: false,
    httpNodeRoot: false,
    flowFile: "flows.json",
    userDir: process.env.NR_USERDIR,
    credentialSecret: false,
    functionGlobalContext: {
        pgPool: new Pool({ connectionString: process.env.PG_DSN, max: 10 }),
    },
    logging: { console: { level: "warn", metrics: false, audit: false } },
    editorTheme: { tours: false },
};
"""


def installed(home: Path = NR_HOME) -> bool:
    modules = home / "node_modules"
    return all(
        (modules / name / "package.json").exists()
        for name in ("node-red", "node-red-contrib-influxdb", "pg")
    )


def install(home: Path = NR_HOME) -> None:
    """Install Node-RED and the packages the flow needs into ``home`` with npm."""
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "package.json").exists():
        subprocess.run(["npm", "init", "-y"], cwd=home, check=True, capture_output=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", *PACKAGES],
        cwd=home, check=True, capture_output=True, timeout=900,
    )


def version(home: Path = NR_HOME) -> str:
    data = json.loads((home / "node_modules" / "node-red" / "package.json").read_text())
    return str(data["version"])


def flow(
    *, mqtt_url: str, topic: str, client_id: str, influx_url: str, database: str, table: str,
    batch: bool,
) -> list[dict[str, Any]]:
    """The Node-RED export of the pipeline."""
    broker, influx = urlsplit(mqtt_url), urlsplit(influx_url)
    tab = "pipeline"

    def node(id_: str, type_: str, wires: list[list[str]], **config: Any) -> dict[str, Any]:
        return {"id": id_, "type": type_, "z": tab, "name": "", **config, "wires": wires}

    sql = {"table": table, "columns": ", ".join(COLUMNS)}
    sinks = ["batch"] if batch else ["points", "rows"]
    nodes: list[dict[str, Any]] = [
        {"id": tab, "type": "tab", "label": "pipeline"},
        {"id": "broker", "type": "mqtt-broker", "name": "", "broker": broker.hostname,
         "port": str(broker.port or 1883), "clientid": client_id, "autoConnect": True,
         "usetls": False, "protocolVersion": "4", "keepalive": "60", "cleansession": False,
         "autoUnsubscribe": False},
        {"id": "tsdb", "type": "influxdb", "hostname": influx.hostname,
         "port": str(influx.port or 8086), "protocol": "http", "database": database,
         "name": "", "usetls": False, "tls": "", "influxdbVersion": "1.x"},
        node("readings", "mqtt in", [["parse"]], topic=topic, qos="1", datatype="utf8",
             broker="broker", nl=False, rap=True, rh=0, inputs=0),
        node("parse", "json", [["convert"]], property="payload", action="obj", pretty=False),
        node("convert", "function", [["check"]], func=CONVERT_JS, outputs=1, timeout=0,
             noerr=0, initialize="", finalize="", libs=[]),
        node("check", "switch", [["enrich"], []], property="payload.celsius",
             propertyType="msg", rules=[{"t": "istype", "v": "number", "vt": "number"},
                                        {"t": "else"}], checkall="true", repair=False,
             outputs=2),
        node("enrich", "change", [sinks], rules=[{
            "t": "set", "p": "payload.fahrenheit", "pt": "msg",
            "to": "payload.celsius * 9 / 5 + 32", "tot": "jsonata"}]),
    ]
    if batch:
        nodes += [
            node("batch", "join", [["topoints", "rows"]], mode="custom", build="array",
                 property="payload", propertyType="msg", key="topic", joiner="\\n",
                 joinerType="str", accumulate=False, timeout="0.2", count="500",
                 reduceRight=False, useparts=False),
            node("topoints", "function", [["points"]], func=POINTS_JS, outputs=1, timeout=0,
                 noerr=0, initialize="", finalize="", libs=[]),
            node("points", "influxdb batch", [], influxdb="tsdb", precision="ms",
                 retentionPolicy="", database="", precisionV18FluxV20="ms",
                 retentionPolicyV18Flux="", org="", bucket=""),
            node("rows", "function", [], func=INSERT_BATCH_JS % sql, outputs=0, timeout=0,
                 noerr=0, initialize="", finalize="", libs=[]),
        ]
    else:
        nodes += [
            node("points", "influxdb out", [], influxdb="tsdb", measurement="reading",
                 precision="ms", retentionPolicy="", database="", precisionV18FluxV20="ms",
                 retentionPolicyV18Flux="", org="", bucket=""),
            node("rows", "function", [], func=INSERT_ONE_JS % sql, outputs=0, timeout=0,
                 noerr=0, initialize="", finalize="", libs=[]),
        ]
    return nodes


def prepare(user_dir: Path, nodes: list[dict[str, Any]]) -> list[str]:
    """Write the flow and settings into ``user_dir``; return the command that runs it."""
    (user_dir / "flows.json").write_text(json.dumps(nodes, indent=1))
    (user_dir / "flows_cred.json").write_text(json.dumps({"tsdb": {"username": "",
                                                                   "password": ""}}))
    (user_dir / "settings.js").write_text(SETTINGS_JS)
    return ["node", str(NR_HOME / "node_modules" / "node-red" / "red.js"),
            "--settings", str(user_dir / "settings.js"), "--userDir", str(user_dir)]
