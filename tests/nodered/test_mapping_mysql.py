"""node-red-node-mysql: `MySQLdatabase` becomes a `mysql` connection (the password a secret
reference, never in the flow), `mysql` a `mysql-query` that takes its SQL from msg.topic; the
import runs against the real MariaDB; the export gives back the same Node-RED types."""

from __future__ import annotations

from pathlib import Path

import yaml

from flowrt.nodered.export import export_project
from tests.nodered.helpers import entry, errors, node, nr_import, run_imported, tab, texts
from tests.nodes.mysql.my_testing import SERVER

DB = {"id": "dd00dd00dd00dd00", "type": "MySQLdatabase", "name": "Plant DB", "host": "db.lan",
      "port": "3307", "db": "plant", "tz": "+02:00", "charset": "UTF8MB4_UNICODE_CI"}


def test_mysql_nodes_and_their_login() -> None:
    conversion = nr_import([
        tab(), DB,
        {"id": "q", "type": "mysql", "z": "t1", "mydb": DB["id"], "name": "", "wires": [[]]},
    ], credentials={DB["id"]: {"user": "app", "password": "pa'ss"}})
    assert not errors(conversion), errors(conversion)
    assert conversion.flows[0].connections["plant-db"].data() == {
        "type": "mysql", "label": "Plant DB", "host": "db.lan", "port": 3307,
        "database": "plant", "user": "app", "password": "${PLANT_DB_PASSWORD}",
        "timezone": "+02:00", "charset": "UTF8MB4_UNICODE_CI"}
    assert conversion.secrets == {"PLANT_DB_PASSWORD": "pa'ss"}
    assert "pa'ss" not in "".join(texts(conversion).values())
    assert node(conversion, "q") == {"type": "mysql-query", "connection": "plant-db",
                                     "allow_msg_topic": True}
    assert entry(conversion, "q").reason == ""


def test_defaults_of_an_unset_config_node() -> None:
    bare = {"id": "d2", "type": "MySQLdatabase", "host": "", "port": "", "db": "", "tz": "",
            "charset": ""}
    conversion = nr_import([tab(), bare, {"id": "q", "type": "mysql", "z": "t1",
                                          "mydb": "d2", "wires": [[]]}])
    assert [c.data() for c in conversion.flows[0].connections.values()] == [
        {"type": "mysql", "host": "127.0.0.1", "port": 3306, "timezone": "local",
         "charset": "UTF8_GENERAL_CI"}]


def test_an_imported_flow_runs_against_the_server() -> None:
    server = DB | {"host": SERVER["host"], "port": str(SERVER["port"]), "db": SERVER["database"],
                   "tz": ""}
    conversion = nr_import([
        tab(), server,
        {"id": "q", "type": "mysql", "z": "t1", "mydb": DB["id"], "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ], credentials={DB["id"]: {"user": SERVER["user"]}})
    result = run_imported(conversion, [{"topic": "SELECT ? + 1 AS n", "payload": [41]}],
                          into="q")
    assert result.payloads("q") == [[{"n": 42}]]
    named = run_imported(conversion, [{"topic": "SELECT :x AS x", "payload": {"x": "it's"}}],
                         into="q")
    assert named.payloads("q") == [[{"x": "it's"}]]


def test_export_gives_back_the_node_red_types(tmp_path: Path) -> None:
    flow = {"flowrt": 1, "id": "main",
            "connections": {"plant": {"type": "mysql", "host": "db.lan", "port": 3307,
                                      "database": "plant", "user": "app",
                                      "password": "${MYSQL_PW}", "timezone": "Z"}},
            "nodes": {"q": {"type": "mysql-query", "connection": "plant",
                            "allow_msg_topic": True},
                      "fixed": {"type": "mysql-query", "connection": "plant",
                                "query": "SELECT 1"}}}
    (tmp_path / "main.yaml").write_text(yaml.safe_dump(flow), encoding="utf-8")
    nodes, notes = export_project([str(tmp_path)])
    by_id = {n["id"]: n for n in nodes}
    assert {k: by_id["plant"][k] for k in ("type", "host", "port", "db", "tz", "charset",
                                           "credentials")} == {
        "type": "MySQLdatabase", "host": "db.lan", "port": "3307", "db": "plant", "tz": "Z",
        "charset": "UTF8MB4", "credentials": {"user": "app", "password": "${MYSQL_PW}"}}
    assert by_id["q"]["type"] == "mysql" and by_id["q"]["mydb"] == "plant"
    assert by_id["fixed"]["type"] != "mysql"
    assert any("msg.topic" in str(item) for item in notes.items)
