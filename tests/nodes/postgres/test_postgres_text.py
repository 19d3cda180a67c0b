"""postgres-query's text parameters: the text is what mustache.js writes (checked against the
mustache.js Node-RED installs, the version node-red-contrib-postgresql renders with), and a
template holding anything but message-property tags is refused."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from flowrt_nodes.postgres.postgres_text import compile_param, compile_text, render_text

from flowrt.errors import CheckError
from flowrt.testing import run_flow
from tests.nodered.helpers import nodered_home
from tests.nodes.postgres.pg_testing import Database, flow, node

CASES: list[tuple[str, Any]] = [
    ("{{msg.payload}}", {"payload": "<a href='x'>&\"/`=</a>"}),
    ("{{{msg.payload}}}", {"payload": "<a href='x'>&\"/`=</a>"}),
    ("{{& msg.payload }}", {"payload": "it's"}),
    ("{{ msg.payload }}", {"payload": 2.0}),
    ("n={{msg.payload}}", {"payload": 0.1 + 0.2}),
    ("{{msg.payload}}", {"payload": 1e21}),
    ("{{msg.payload}}", {"payload": True}),
    ("[{{msg.payload}}]", {"payload": None}),
    ("[{{msg.missing}}]", {}),
    ("[{{msg.a.b.c}}]", {"a": {"b": None}}),
    ("{{msg.payload}}", {"payload": {"a": 1}}),
    ("{{{msg.payload}}}", {"payload": [1, None, "x", [2, 3], {"a": 1}]}),
    ("{{msg.payload.1}}", {"payload": ["a", "b"]}),
    ("{{msg.payload.length}}/{{msg.topic.length}}", {"payload": [1, 2, 3], "topic": "abcd"}),
    ("%{{msg.topic}}% and {{{msg.topic}}}", {"topic": "50%_off"}),
]


def test_text_is_what_mustache_js_writes() -> None:
    node_js = shutil.which("node")
    if node_js is None:
        pytest.fail("node (Node.js) is needed to run mustache.js")
    mustache = nodered_home() / "node_modules" / "mustache"
    script = (f"const M = require({json.dumps(str(mustache))});\n"
              f"const cases = {json.dumps(CASES)};\n"
              "console.log(JSON.stringify(cases.map(([t, m]) => M.render(t, {msg: m}))));\n")
    done = subprocess.run([node_js, "-e", script], capture_output=True, text=True, timeout=60,
                          check=True)
    theirs = json.loads(done.stdout)
    ours = [render_text(compile_text(t), m) for t, m in CASES]
    assert ours == theirs


@pytest.mark.parametrize("template", ["{{#msg.a}}x{{/msg.a}}", "{{payload}}", "{{> part}}",
                                      "{{msg.a", "{{!note}}", "{{msg}}"])
def test_a_template_of_anything_but_message_property_tags_is_refused(template: str) -> None:
    with pytest.raises(ValueError):
        compile_text(template)
    text = flow({"dsn": "postgresql://127.0.0.1/test"},
                node("q", "postgres-query", connection="db", query="SELECT :m1",
                     text_params={"m1": template}))
    with pytest.raises(CheckError) as info:
        run_flow(text)
    assert "text_params" in str(info.value)


def test_text_parameters_are_bound_never_written_into_the_statement(db: Database) -> None:
    table = db.table("name text, n int")
    text = flow(
        {"dsn": db.url},
        node("q", "postgres-query", connection="db",
             query=f"INSERT INTO {table} VALUES (:m1, :m2) RETURNING n",
             text_params={"m1": "'{{{msg.payload}}} ({{msg.topic}})'", "m2": "{{msg.n}}"}),
    )
    attack = f"x', 1); DROP TABLE {table}; --"
    result = run_flow(text, inputs=[{"payload": attack, "topic": "<t>", "n": 5}], into="q")
    assert result.payloads("q") == [[{"n": 5}]] and result.errors == []
    assert db.rows(f"SELECT name, n FROM {table}") == [(f"{attack} (&lt;t&gt;)", 5)]


@pytest.mark.parametrize(
    ("template", "msg", "value"),
    [
        ("'{{msg.n}}'", {"n": 42}, "42"),  # a quoted literal is text
        ("'it''s {{msg.n}}'", {"n": 1}, "it's 1"),
        ("'{{{msg.n}}}'", {"n": "a''b'c"}, "a'b'c"),  # as Node-RED's SQL reads ''
        ("{{msg.n}}", {"n": 42}, 42),  # as PostgreSQL reads 42 in a statement
        ("{{msg.n}}", {"n": "-1700000000123"}, -1700000000123),
        ("{{msg.n}}", {"n": 1.5}, Decimal("1.5")),
        ("{{msg.n}}", {"n": 1e21}, Decimal("1e+21")),
        ("{{msg.n}}", {"n": "now()"}, "now()"),  # never SQL: text
        ("{{msg.n}}", {}, ""),
    ],
)
def test_a_bare_value_is_a_number_when_its_text_is_one(template: str, msg: Any,
                                                      value: Any) -> None:
    found = compile_param(template).value(msg)
    assert found == value and type(found) is type(value)


def test_a_big_number_divided_works_as_in_a_statement(db: Database) -> None:
    """`to_timestamp({{msg.ts}} / 1000)` with a time in ms: text would be read as integer
    and overflow; a number is read as PostgreSQL reads the literal (bigint)."""
    text = flow({"dsn": db.url}, node(
        "q", "postgres-query", connection="db", single=True,
        query="SELECT :m1 / 1000 AS s, :m2 * 2 AS half", text_params={"m1": "{{msg.ts}}",
                                                                     "m2": "{{msg.f}}"}))
    result = run_flow(text, inputs=[{"ts": 1_700_000_000_123, "f": 0.25}], into="q")
    assert result.payloads("q") == [{"s": 1_700_000_000, "half": 0.5}], result.errors
