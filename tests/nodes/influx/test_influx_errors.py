"""What servers' answers mean: the translation of status and text into flowrt errors, and the
reading of a 1.x partial write's text (the server's own words, as seen on InfluxDB 1.6 and as
InfluxDB 2.x words them). The servers' behaviour itself is tested in test_influx_out.py."""

from __future__ import annotations

import pytest
from flowrt_nodes.influx.influx_errors import (
    MissingDatabase,
    WriteRejected,
    conflicting,
    server_text,
    write_failure,
)
from flowrt_nodes.influx.influx_points import MappedPoint

from flowrt.api import AuthFailed, ConnectionLost, NodeError

CONFLICT_1X = (
    'partial write: field type conflict: input field "value" on measurement "m" is type '
    "string, already exists as type float dropped={n}"
)
CONFLICT_2X = "failure writing points to database: " + CONFLICT_1X


def rejected(text: str) -> WriteRejected:
    return WriteRejected(text, status=400, text=text)


def point(measurement: str, **types: str) -> MappedPoint:
    return MappedPoint(f"{measurement} ...", measurement, types)


GROUPS = [
    [point("m", value="float")],
    [point("m", value="string")],
    [point("other", value="string")],
    [point("m", value="float"), point("m", value="string")],
]


@pytest.mark.parametrize("template", [CONFLICT_1X, CONFLICT_2X])
def test_a_conflict_names_its_messages_when_it_accounts_for_every_drop(template: str) -> None:
    assert conflicting(rejected(template.format(n=2)), GROUPS) == ({1, 3}, 2)


def test_a_conflict_that_does_not_account_for_every_drop_names_none() -> None:
    assert conflicting(rejected(CONFLICT_1X.format(n=3)), GROUPS) == (set(), 0)


@pytest.mark.parametrize(
    "text",
    [
        "unable to parse 'm value= 1': missing field value",
        'partial write: invalid tag key: input tag "time" on measurement "m" is invalid dropped=1',
        "line 2: " + CONFLICT_1X.format(n=1).replace("partial write: ", ""),
    ],
)
def test_other_refusals_name_none(text: str) -> None:
    assert conflicting(rejected(text), GROUPS) == (set(), 0)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ('{"error":"database not found: \\"x\\""}', 'database not found: "x"'),
        ('{"code":"invalid","message":"bucket not found"}', "bucket not found"),
        ("404 page not found\n", "404 page not found"),
    ],
)
def test_the_server_s_reason_is_read_from_either_api(body: str, text: str) -> None:
    assert server_text(body) == text


@pytest.mark.parametrize(
    ("status", "text", "kind", "words"),
    [
        (401, "authorization failed", AuthFailed, "check the username and password"),
        (403, "forbidden", AuthFailed, "check the username and password"),
        (400, CONFLICT_1X.format(n=1), WriteRejected, "rejected the points: partial write"),
        (422, CONFLICT_2X.format(n=1), WriteRejected, "rejected the points: failure writing"),
        (413, "request too large", WriteRejected, "request too large"),
        (404, 'database not found: "db"', MissingDatabase, "has no database 'db'"),
        (500, "retention policy not found: rp", NodeError, "create the retention policy"),
        (404, "404 page not found", NodeError, "set its `version` to '2'"),
        (503, "engine: cache maximum memory size exceeded", ConnectionLost, "answered 503"),
        (429, "too many requests", ConnectionLost, "answered 429"),
    ],
)
def test_write_failures_of_the_1x_api(
    status: int, text: str, kind: type[Exception], words: str
) -> None:
    error = write_failure(status, text, server="db.example:8086", api="1", target="db/rp")
    assert type(error) is kind
    assert "InfluxDB at db.example:8086" in str(error) and words in str(error)


def test_write_failures_of_the_2x_api() -> None:
    auth = write_failure(401, "unauthorized access", server="s:8086", api="2", target="b")
    assert isinstance(auth, AuthFailed) and "check the token" in str(auth)
    bucket = write_failure(404, 'bucket "b" not found', server="s:8086", api="2", target="b")
    assert "create the bucket" in str(bucket)
    page = write_failure(404, "404 page not found", server="s:8086", api="2", target="b")
    assert "does not serve /api/v2/write" in str(page) and "set its `version` to '1'" in str(page)
