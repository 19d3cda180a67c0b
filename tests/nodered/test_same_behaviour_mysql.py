"""The same flow with node-red-node-mysql in real Node-RED 4 and, imported, in flowrt, against
the same MariaDB (FLOWRT_TEST_MYSQL): every debug node gets the same payloads. Each engine
works on a table of its own, made and filled the same way, so insert ids agree.

node-red-node-mysql (and its mysql2) is installed with npm on first use, into a folder of its
own beside Node-RED's (FLOWRT_NODERED_DIR), which the Node-RED user directory links to.
Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_mysql.py`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from flowrt.testing import run_flow
from tests.nodered.differential import isolate, run_nodered
from tests.nodered.helpers import NODERED_DIR, nodered_home
from tests.nodes.mysql.my_testing import SERVER, Database

PACKAGE = "node-red-node-mysql@3"
CONTRIB = NODERED_DIR.parent / f"{NODERED_DIR.name}-contrib" / "mysql"
COLUMNS = ("id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(80), price DECIMAL(10,2), "
           "at DATETIME(3), day DATE, tm TIME, data BLOB, big BIGINT, nothing INT NULL")
SEED = ("INSERT INTO {t} (name, price, at, day, tm, data, big) VALUES "
        "('a', 12.50, '2024-05-01 10:30:00.123', '2024-05-01', '10:30:00', x'00ff', 42), "
        "('b''s', 3.00, '1999-12-31 23:59:59', '2000-02-29', '-01:02:03', NULL, -7)")
STEPS: list[tuple[str, Any]] = [
    ("SELECT * FROM {t} WHERE id <= ? ORDER BY id", [2]),
    ("INSERT INTO {t} (name, price) VALUES (?, ?)", ["x'); DROP TABLE {t}; --", 1.25]),
    ("INSERT INTO {t} (name, price) VALUES (:name, :price)", {"name": "it's :price", "price": 2}),
    ("UPDATE {t} SET price = price + 1 WHERE id > ?", [2]),
    ("UPDATE {t} SET ? WHERE id = ?", [{"name": "set", "price": 0.5}, 1]),
    ("SELECT id, name, price FROM {t} WHERE name LIKE '%s%' OR id IN (?) ORDER BY id", [[3, 4]]),
    ("DELETE FROM {t} WHERE id = :id; SELECT count(*) AS n FROM {t}", {"id": 4}),
    ("SELECT * FROM {t}_nothing_here", None),
]
"""(SQL, payload) of each inject, in order; `{t}` is the engine's table."""


@pytest.fixture
def db() -> Iterator[Database]:
    found = Database()
    yield found
    found.drop_all()


def contrib_modules() -> Path:
    """node_modules holding node-red-node-mysql, installed with npm on first use."""
    modules = CONTRIB / "node_modules"
    if not (modules / "node-red-node-mysql" / "68-mysql.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install node-red-node-mysql")
        CONTRIB.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--prefix", str(CONTRIB), "--no-audit",
                               "--no-fund", PACKAGE], capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm install {PACKAGE} failed:\n{done.stderr[-2000:]}")
    return modules


def nodered_flow(table: str) -> list[dict[str, Any]]:
    """Node-RED's flow: an inject per step into one mysql node, its output and its errors
    (as the text `caught`) to debug nodes."""
    nodes: list[dict[str, Any]] = [
        {"id": "t", "type": "tab", "label": "mysql"},
        {"id": "cfg", "type": "MySQLdatabase", "name": "MariaDB", "host": SERVER["host"],
         "port": str(SERVER["port"]), "db": SERVER["database"], "tz": "", "charset": ""},
        {"id": "q", "type": "mysql", "z": "t", "mydb": "cfg", "name": "", "wires": [["rows"]]},
        {"id": "rows", "type": "debug", "z": "t", "wires": []},
        {"id": "c", "type": "catch", "z": "t", "scope": None, "uncaught": False,
         "wires": [["said"]]},
        {"id": "said", "type": "change", "z": "t", "rules": [
            {"t": "set", "p": "payload", "pt": "msg", "to": "caught", "tot": "str"}],
         "wires": [["errors"]]},
        {"id": "errors", "type": "debug", "z": "t", "wires": []},
    ]
    for n, (sql, payload) in enumerate(STEPS):
        value = json.loads(json.dumps(payload).replace("{t}", table))
        nodes.append({
            "id": f"i{n}", "type": "inject", "z": "t", "topic": sql.replace("{t}", table),
            "payload": "" if value is None else json.dumps(value),
            "payloadType": "date" if value is None else "json",
            "props": [{"p": "payload"}, {"p": "topic", "vt": "str"}],
            "once": True, "onceDelay": round(1.5 + 0.4 * n, 1), "repeat": "", "crontab": "",
            "wires": [["q"]]})
    return nodes


def in_json(value: Any) -> Any:
    """A flowrt value as Node-RED's JSON shows it (bytes as a Buffer)."""
    if isinstance(value, bytes):
        return {"type": "Buffer", "data": list(value)}
    if isinstance(value, list):
        return [in_json(v) for v in value]
    if isinstance(value, dict):
        return {k: in_json(v) for k, v in value.items()}
    return value


def run_in_flowrt(nodes: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Import the flow, with the config node's login, and run it; each debug node's payloads
    in order (as JSON shows them)."""
    conversion = convert(read_data(nodes), {"cfg": {"user": SERVER["user"]}}, "mysql.json")
    files = [render(flow) for flow in conversion.flows]
    result = run_flow(files[0], others=files[1:], until=30)
    got: dict[str, list[Any]] = {}
    for entry in conversion.report.entries:
        if entry.nr_type == "debug":
            got[entry.nr_id] = [in_json(m.get("payload"))
                                for m in result.received(entry.flowrt_id)]
    return got


def test_mysql_flow_gives_the_same_payloads(db: Database, tmp_path: Path) -> None:
    home, modules = nodered_home(), contrib_modules()
    tables = {side: db.table(COLUMNS, f"nr_{side}") for side in ("nodered", "flowrt")}
    for table in tables.values():
        db.rows(SEED.format(t=table))
    ours = run_in_flowrt(nodered_flow(tables["flowrt"]))

    user = tmp_path / "user"
    user.mkdir()
    (user / "node_modules").symlink_to(modules)
    (user / "flows_cred.json").write_text(json.dumps({"nr-cfg": {"user": SERVER["user"]}}))
    flows = {"mysql": isolate(nodered_flow(tables["nodered"]), "nr-")}
    theirs = run_nodered(flows, home, tmp_path, expected=len(STEPS))["mysql"]
    theirs = {k.removeprefix("nr-"): v for k, v in theirs.items()}

    def same_table(got: dict[str, list[Any]], table: str) -> dict[str, list[Any]]:
        same: dict[str, list[Any]] = json.loads(json.dumps(got).replace(table, "{t}"))
        return same

    assert same_table(ours, tables["flowrt"]) == same_table(theirs, tables["nodered"])
    assert len(ours["rows"]) == len(STEPS) - 1 and ours["errors"] == ["caught"]
    stored = {side: [str(r[0]).replace(table, "{t}")
                     for r in db.rows(f"SELECT name FROM {table} ORDER BY id")]
              for side, table in tables.items()}
    assert stored["flowrt"] == stored["nodered"]
    assert "x'); DROP TABLE {t}; --" in stored["flowrt"]
