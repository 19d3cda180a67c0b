"""The mysql connection against a real MariaDB: a pooled connection the server drops (KILL
from another session) is replaced before the next message, which is not lost; the timezone
and charset fields; the password only as a reference, and never in an error or a status."""

from __future__ import annotations

import json

import pytest
from flowrt_nodes.mysql.mysql_values import parse_timezone

from flowrt.errors import CheckError
from flowrt.testing import run_flow
from tests.nodes.mysql.my_testing import CATCH, QUERY, SERVER, Database, flow


def test_a_killed_connection_is_replaced_and_no_message_is_lost(db: Database) -> None:
    """`first` reads its connection's id; `killer`, on a second connection, KILLs it; the
    seven messages then queued for `after` (the same pool of one connection) all run on a new
    one."""
    conn2 = ", ".join(f"{k}: {v}" for k, v in SERVER.items())
    text = flow(
        "first: {type: mysql-query, connection: db, allow_msg_topic: true, to: kill}",
        "kill: {type: change, rules: [{set: topic, to: 'KILL ?'}, "
        "{set: payload, to: {type: jsonata, value: '[payload[0].id]'}}], to: killer}",
        "killer: {type: mysql-query, connection: other, allow_msg_topic: true, to: again}",
        "again: {type: split, to: ask}",  # a message per field of the result queue up
        "ask: {type: change, rules: [{set: topic, to: 'SELECT CONNECTION_ID() AS id'}], "
        "to: after}",
        "after: {type: mysql-query, connection: db, allow_msg_topic: true}",
        "oops: {type: catch}",
        pool_size=1,
    ).replace("connections:\n", f"connections:\n  other: {{type: mysql, {conn2}}}\n")
    result = run_flow(text, inputs=[{"topic": "SELECT CONNECTION_ID() AS id"}], into="first")
    assert [m["error"]["message"] for m in result.sent("oops")] == []
    [[killed]] = result.payloads("first")
    [done] = result.payloads("killer")
    assert done["affectedRows"] == 0
    ids = {rows[0]["id"] for rows in result.payloads("after")}
    assert len(result.payloads("after")) == len(done) == 7, "a message was lost"
    assert killed["id"] not in ids and len(ids) == 1


def test_timezones() -> None:
    assert parse_timezone("local") is None
    assert str(parse_timezone("Z")) == "UTC"
    assert str(parse_timezone("-05:30")) == "UTC-05:30"
    with pytest.raises(ValueError, match="not a time zone"):
        parse_timezone("Europe/Paris")


def test_a_collation_names_its_charset(db: Database) -> None:
    text = flow("q: {type: mysql-query, connection: db, allow_msg_topic: true}",
                charset="UTF8MB4_GENERAL_CI")
    result = run_flow(text, inputs=[{"topic": "SELECT @@character_set_client AS c"}], into="q")
    assert result.payloads("q") == [[{"c": "utf8mb4"}]]


def test_the_password_is_a_reference_and_never_shown(db: Database) -> None:
    with pytest.raises(CheckError, match="E039 node 'db' \\(mysql\\): password is a secret"):
        run_flow(flow(QUERY, CATCH, password="hunter2"), inputs=[{"topic": "SELECT 1"}])
    result = run_flow(flow(QUERY, CATCH, password="${PW}"), inputs=[{"topic": "SELECT 1"}],
                      into="q", env={"PW": "s3cret-x"})
    [error] = [m["error"] for m in result.sent("oops")]
    assert "refused the login" in error["message"]
    assert "s3cret-x" not in json.dumps(error) + json.dumps(result.statuses)
    assert result.statuses == [
        ("q", {"fill": "red", "shape": "ring", "text": "authentication failed"})]
