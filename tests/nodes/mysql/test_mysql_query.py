"""mysql-query against a real MariaDB, with Node-RED's rules: the SQL in msg.topic, values from
msg.payload (a list for `?`, an object for `:name`), rows or an OkPacket-like object out,
errors to catch; an injection attempt stays data; values read as Node-RED reads them."""

from __future__ import annotations

from typing import Any

from flowrt.testing import FlowResult, run_flow
from tests.nodes.mysql.my_testing import CATCH, QUERY, Database, flow


def query(inputs: list[dict[str, Any]], node: str = QUERY, **connection: Any) -> FlowResult:
    return run_flow(flow(node, CATCH, **connection), inputs=inputs, into="q")


def errors(result: FlowResult) -> list[str]:
    return [m["error"]["message"] for m in result.sent("oops")]


def readings(db: Database) -> str:
    table = db.table("id INT AUTO_INCREMENT PRIMARY KEY, device VARCHAR(40), celsius DOUBLE")
    db.rows(f"INSERT INTO {table} (device, celsius) VALUES ('d1', 20.5), ('d1', 21), ('d2', 5)")
    return table


def test_select_with_list_and_object_values(db: Database) -> None:
    table = readings(db)
    result = query([
        {"topic": f"SELECT device, celsius FROM {table} WHERE device = ? ORDER BY id",
         "payload": ["d1"]},
        {"topic": f"SELECT id FROM {table} WHERE device = :device AND celsius > :min",
         "payload": {"device": "d1", "min": 20.7}},
        {"topic": f"SELECT id FROM {table} WHERE id IN (?) ORDER BY id", "payload": [[1, 3]]},
        {"topic": f"SELECT id FROM {table} WHERE device = 'none'"},
    ])
    assert errors(result) == []
    assert result.payloads("q") == [
        [{"device": "d1", "celsius": 20.5}, {"device": "d1", "celsius": 21.0}],
        [{"id": 2}], [{"id": 1}, {"id": 3}], [],
    ]


def test_insert_and_update_send_what_changed(db: Database) -> None:
    table = readings(db)
    result = query([
        {"topic": f"INSERT INTO {table} (device, celsius) VALUES (?, ?)", "payload": ["d3", 1]},
        {"topic": f"INSERT INTO {table} (device, celsius) VALUES (:d, :c)",
         "payload": {"d": "d4", "c": 2}},
        {"topic": f"INSERT INTO {table} (device, celsius) VALUES ?",
         "payload": [[["d5", 3], ["d6", 4]]]},
        {"topic": f"UPDATE {table} SET ? WHERE device = ?",
         "payload": [{"celsius": 9}, "d1"]},
    ])
    assert errors(result) == []
    first, named, rows, update = result.payloads("q")
    assert (first["affectedRows"], first["insertId"], first["changedRows"]) == (1, 4, 0)
    assert (named["affectedRows"], named["insertId"]) == (1, 5)
    assert (rows["affectedRows"], rows["insertId"]) == (2, 6)
    assert (update["affectedRows"], update["changedRows"], update["insertId"]) == (2, 2, 0)
    assert update["info"] == "Rows matched: 2  Changed: 2  Warnings: 0"
    assert db.rows(f"SELECT device, celsius FROM {table} ORDER BY id") == [
        ("d1", 9.0), ("d1", 9.0), ("d2", 5.0), ("d3", 1.0), ("d4", 2.0), ("d5", 3.0),
        ("d6", 4.0)]


def test_an_injection_attempt_is_stored_as_data(db: Database) -> None:
    table = readings(db)
    attacks = [f"x'); DROP TABLE {table}; --", "' OR '1'='1", "back\\'slash", "it's % %s :d ?"]
    inputs: list[dict[str, Any]] = []
    for text in attacks:
        inputs.append({"topic": f"INSERT INTO {table} (device) VALUES (?)", "payload": [text]})
        inputs.append({"topic": f"INSERT INTO {table} (device) VALUES (:d)",
                       "payload": {"d": text}})
    inputs.append({"topic": f"SELECT id FROM {table} WHERE device = ?",
                   "payload": ["' OR '1'='1"]})
    result = query(inputs)
    assert errors(result) == []
    assert len(result.payloads("q")[-1]) == 2  # the two rows holding that text, no more
    stored = [r[0] for r in db.rows(f"SELECT device FROM {table} WHERE id > 3 ORDER BY id")]
    assert stored == [a for a in attacks for _ in (1, 2)]


def test_placeholders_in_literals_and_comments_are_text(db: Database) -> None:
    result = query([
        {"topic": "SELECT '?' AS q, ':a' AS a, ? AS v /* ? :a */ -- ?\n", "payload": [7]},
        {"topic": "SELECT '10:30' AS t, :a AS a, :b AS b # :a", "payload": {"a": 1, "b": "x"}},
    ])
    assert errors(result) == []
    assert result.payloads("q") == [[{"q": "?", "a": ":a", "v": 7}],
                                    [{"t": "10:30", "a": 1, "b": "x"}]]


def test_types_read_as_node_red_reads_them(db: Database) -> None:
    table = db.table(
        "at DATETIME(3), day DATE, ts TIMESTAMP NULL, tm TIME, price DECIMAL(10,2), "
        "whole DECIMAL(10,2), big BIGINT, ok TINYINT(1), f FLOAT, data BLOB, bits BIT(8), "
        "note TEXT, nothing INT NULL, doc JSON"
    )
    db.rows(
        f"INSERT INTO {table} VALUES ('2024-05-01 10:30:00.123', '2024-05-01', "
        "'2024-05-01 10:30:00', '-01:02:03', 12.50, 3.00, 9007199254740993, 1, 1.5, "
        "x'00ff', b'00000101', 'é', NULL, '{\"a\": [1, 2]}')"
    )
    result = query([{"topic": f"SELECT * FROM {table}"}])
    assert errors(result) == []
    assert result.payloads("q") == [[{
        "at": "2024-05-01T10:30:00.123Z", "day": "2024-05-01T00:00:00.000Z",
        "ts": "2024-05-01T10:30:00.000Z", "tm": "-01:02:03", "price": 12.5, "whole": 3,
        "big": 9007199254740993, "ok": 1, "f": 1.5, "data": b"\x00\xff", "bits": b"\x05",
        "note": "é", "nothing": None, "doc": '{"a": [1, 2]}',
    }]]
    shifted = query([{"topic": f"SELECT at, day FROM {table}"}], timezone="+02:00")
    assert shifted.payloads("q") == [[{"at": "2024-05-01T08:30:00.123Z",
                                       "day": "2024-04-30T22:00:00.000Z"}]]


def test_several_statements_send_a_result_each(db: Database) -> None:
    table = readings(db)
    result = query([{"topic": f"DELETE FROM {table} WHERE device = ?; SELECT count(*) AS n "
                     f"FROM {table}", "payload": ["d1"]}])
    assert errors(result) == []
    [[deleted, count]] = result.payloads("q")
    assert deleted["affectedRows"] == 2 and count == [{"n": 1}]


def test_errors_go_to_catch_with_the_server_code(db: Database) -> None:
    result = query([
        {"topic": "SELECT * FROM no_such_table_here"},
        {"topic": "SELEC 1"},
        {"topic": 42},
        {"topic": "SELECT 1 AS ok"},
    ])
    assert result.payloads("q") == [[{"ok": 1}]]
    assert errors(result) == [
        "Table 'test.no_such_table_here' doesn't exist (ER_NO_SUCH_TABLE, errno 1146)",
        errors(result)[1],
        "msg.topic must be the SQL to run, as text; got int",
    ]
    assert errors(result)[1].endswith("(ER_PARSE_ERROR, errno 1064)")
    assert [m["error"]["source"]["id"] for m in result.sent("oops")] == ["q", "q", "q"]


def test_msg_topic_is_not_sql_unless_allowed(db: Database) -> None:
    fixed = "q: {type: mysql-query, connection: db, query: 'SELECT ? AS v'}"
    refused = "q: {type: mysql-query, connection: db}"
    assert query([{"topic": "SELECT 2 AS v", "payload": [1]}], fixed).payloads("q") == [
        [{"v": 1}]]
    result = query([{"topic": "SELECT 2 AS v"}], refused)
    assert result.payloads("q") == []
    assert "allow_msg_topic" in errors(result)[0]


def test_a_refused_login_and_an_absent_server_are_errors(db: Database) -> None:
    login = query([{"topic": "SELECT 1"}], user="nobody_here", password="${PW}")
    assert "refused the login" in errors(login)[0]
    away = query([{"topic": "SELECT 1"}], port=1, connect_timeout=2)
    assert errors(away)[0].startswith("cannot connect to 127.0.0.1:1/test")
