"""The journal of an acknowledging source (flowrt/run/journal.py): which nodes get one, its
node key, its file, and, against the test broker, replay of what an earlier run left, and a
failed message fed again. The attack itself (a stock Mosquitto, a slow sink, kill -9) is
tests/faults/test_mqtt_journal.py."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.check import check
from flowrt.compile import build_plan
from flowrt.load import Project, load_project, load_text
from flowrt.run.journal_file import (
    JournalFile,
    JournalSettings,
    configure,
    decode,
    encode,
    journal_path,
    settings,
)
from flowrt.testing import Harness
from tests.nodes.mqtt.mqtt_kit import URL, Probe, eventually, unique, until_connected

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    """Journals under ``tmp_path/state`` for this test (as ``--state-dir`` sets it)."""
    before = settings()
    configure(JournalSettings(state_dir=tmp_path / "state"))
    try:
        yield tmp_path / "state"
    finally:
        configure(before)


def flow(source: str, extra: str = "") -> str:
    return f"""
flowrt: 1
id: j
connections:
  mq: {{type: mqtt-broker, url: "{URL}", client_id: j-{unique('x').split('/')[-1]}}}
  rb: {{type: amqp-broker, url: "amqp://127.0.0.1:5672/", username: guest,
        password: "${{P}}"}}
nodes:
  src: {{{source}, to: out}}
  out: {{type: debug}}
{extra}"""


MQTT = "type: mqtt-in, connection: mq, topic: a/b"
AMQP = "type: amqp-in, connection: rb, queue: q"


@pytest.mark.parametrize(("source", "journaled"), [
    (MQTT, True),
    (MQTT + ", journal: false", False),
    (MQTT + ", qos: 0", False),
    (MQTT + ", qos: 2", False),
    (MQTT + ", guarantee: at-most-once", False),
    (AMQP, False),
    (AMQP + ", journal: true", True),
])
def test_which_sources_read_through_a_journal(source: str, journaled: bool) -> None:
    plan, _ = build_plan(Project(documents=[load_text(flow(source))]), env={"P": "guest"})
    assert plan.nodes["src"].journal is journaled


def test_journal_key_is_for_sources_only_and_takes_no_variable() -> None:
    text = flow(MQTT + ', journal: "${J}"', "  other: {type: debug, journal: true}")
    found = check(Project(documents=[load_text(text)]), env={"P": "guest", "J": "false"})
    codes = {(d.code, d.node) for d in found}
    assert ("E024", "src") in codes
    assert ("E043", "other") in codes


def test_codec_keeps_bytes_and_refuses_what_json_cannot_carry() -> None:
    msg = {"payload": b"\x00\xff", "properties": {"correlation_data": b"id"}, "n": [1, 2.5]}
    assert decode(encode(msg)) == msg
    with pytest.raises(TypeError):
        encode({"payload": {1, 2}})
    looped: dict[str, Any] = {"payload": {}}
    looped["payload"]["back"] = looped
    with pytest.raises(RecursionError):  # Journal.take sends it on unjournaled
        encode(looped)
    plain = {"topic": "a/b", "payload": {"x": [1, 2.5, None, True, "é\t"]}, "qos": 1}
    assert encode(plain) == json.dumps(plain, separators=(",", ":")).encode()


def test_a_commit_deletes_exactly_the_finished_rows(tmp_path: Path) -> None:
    file = JournalFile(tmp_path / "j.sqlite3")
    file.open()
    try:
        file.commit([(i, encode({"payload": i})) for i in range(1, 21)], [])
        file.commit([(21, b"{}")], [9, 3, 4, 5, 17, 18, 1, 20, 7])  # runs, gaps, out of order
        assert file.ids() == [2, 6, 8, 10, 11, 12, 13, 14, 15, 16, 19, 21]
    finally:
        file.close()


def test_rows_an_earlier_version_wrote_read_the_same() -> None:
    # bodies as json.dumps(msg, separators=(",", ":"), default=...) wrote them before decode
    # read plain bodies without the bytes hook: what a journal left before an upgrade
    plain = b'{"topic":"a/b","payload":"{\\"id\\":1}","qos":1,"retain":false,"s":"\\u00e9"}'
    with_bytes = (b'{"payload":{"\\u0000bytes":"AP8="},"properties":{"correlation_data":'
                  b'{"\\u0000bytes":"aWQ="}},"t":"\\u0000bytes"}')
    assert decode(plain) == {"topic": "a/b", "payload": '{"id":1}', "qos": 1, "retain": False,
                             "s": "\u00e9"}
    assert decode(with_bytes) == {"payload": b"\x00\xff",
                                  "properties": {"correlation_data": b"id"}, "t": "\x00bytes"}
    assert encode(decode(plain)) == plain
    assert encode(decode(with_bytes)) == with_bytes
    for broken in (b'{"payload":', b"\xff\xfe"):
        with pytest.raises(ValueError):
            decode(broken)


def test_a_second_process_takes_the_next_file(tmp_path: Path) -> None:
    base = tmp_path / "f.src.sqlite3"
    first, second = JournalFile(base), JournalFile(base)
    try:
        assert first.open() == (0, 0, 0)
        assert second.open() == (0, 0, 0)
        assert first.path == base
        assert second.path == tmp_path / "f.src.1.sqlite3"
        assert (base.stat().st_mode & 0o777) == 0o600
    finally:
        first.close()
        second.close()


def test_a_flow_given_as_text_has_no_journal_path() -> None:
    assert journal_path("<flow>.yaml", "f", "src") is None
    assert journal_path("", "f", "src") is None


def test_rows_left_by_an_earlier_run_are_fed_first(tmp_path: Path, state: Path) -> None:
    topic = unique()
    path = tmp_path / "j.yaml"
    path.write_text(flow(f"type: mqtt-in, connection: mq, topic: {topic}/#"))
    left = JournalFile(journal_path(str(path), "j", "src") or tmp_path)
    left.open()
    left.commit([(i, encode({"topic": f"{topic}/old", "payload": {"n": i}})) for i in (1, 2, 3)],
                [])
    left.close()

    async def scenario() -> None:
        harness = _harness(path)
        await harness.start()
        try:
            out = harness.result
            await eventually(lambda: len(out.received("out")) >= 3, "the 3 rows left")
            await until_connected(harness, "src")
            await asyncio.to_thread(_publish, f"{topic}/new", {"n": 4})
            await eventually(lambda: len(out.received("out")) >= 4, "the new message")
            assert [m["payload"]["n"] for m in out.received("out")] == [1, 2, 3, 4]
            assert any("earlier run left" in text for _, _, text in out.logs)
        finally:
            await harness.stop()

    asyncio.run(scenario())
    files = list(state.rglob("*.sqlite3"))
    reopened = JournalFile(files[0])
    try:
        assert reopened.open()[0] == 0, "finished rows are deleted by a graceful stop"
    finally:
        reopened.close()


def test_a_failed_message_stays_and_is_fed_again(tmp_path: Path, state: Path) -> None:
    topic = unique()
    path = tmp_path / "j.yaml"
    text = flow(f"type: mqtt-in, connection: mq, topic: {topic}")
    once = ("if context.get('seen') is None:\n    context.set('seen', 1)\n"
            "    raise ValueError('once')\nreturn msg")
    text = text.replace("out: {type: debug}", f"out: {{type: script, code: {json.dumps(once)}}}")
    path.write_text(text)

    async def scenario() -> None:
        harness = _harness(path)
        await harness.start()
        try:
            out = harness.result
            await until_connected(harness, "src")
            await asyncio.to_thread(_publish, topic, {"n": 1})
            await eventually(lambda: len(out.received("out")) >= 2, "the message fed again")
            assert [m["payload"] for m in out.received("out")] == [{"n": 1}, {"n": 1}]
            assert len(out.errors) == 1
        finally:
            await harness.stop()

    asyncio.run(scenario())


def _harness(path: Path) -> Harness:
    plan, _ = build_plan(load_project([path]), env={"P": "guest"})
    return Harness(plan, env={"P": "guest"}, virtual_time=False, timeout=60)


def _publish(topic: str, payload: object) -> None:
    probe = Probe()
    try:
        probe.publish(topic, json.dumps(payload), 1)
    finally:
        probe.close()


def test_docs_journal_example_validates() -> None:
    """The YAML of docs/delivery.md's journal section, completed with its connection and
    sink, passes `flowrt validate`'s checks with no error."""
    text = (ROOT / "docs" / "delivery.md").read_text(encoding="utf-8")
    section = text[text.index("## The journal"):text.index("## Sinks that confirm")]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    doc = ("flowrt: 1\nid: docs\nconnections:\n  plant: {type: mqtt-broker, "
           "url: 'mqtt://127.0.0.1:1883', client_id: plant}\n" + block.group(1)
           + "  store: {type: debug}\n")
    found = check(Project(documents=[load_text(doc)]), env={})
    assert [d for d in found if d.severity == "error"] == []
    plan, _ = build_plan(Project(documents=[load_text(doc)]), env={})
    assert plan.nodes["readings"].journal and not plan.nodes["commands"].journal


def test_a_full_disk_sends_messages_on_without_the_journal(
    tmp_path: Path, state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commit that fails (SQLite's "database or disk is full") loses nothing: its messages go
    to the flow directly, acknowledged to the broker once finished, and the node warns once."""
    topic = unique()
    path = tmp_path / "j.yaml"
    path.write_text(flow(f"type: mqtt-in, connection: mq, topic: {topic}"))

    def full(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    async def scenario() -> None:
        harness = _harness(path)
        await harness.start()
        try:
            out = harness.result
            await until_connected(harness, "src")
            monkeypatch.setattr(JournalFile, "commit", full)
            for n in range(3):
                await asyncio.to_thread(_publish, topic, {"n": n})
            await eventually(lambda: len(out.received("out")) >= 3, "the 3 messages")
            assert sorted(m["payload"]["n"] for m in out.received("out")) == [0, 1, 2]
            warned = [t for _, t in out.warnings if "could not be written" in t]
            assert len(warned) == 1 and "disk is full" in warned[0], out.warnings
        finally:
            await harness.stop()

    asyncio.run(scenario())


def test_a_full_journal_stops_reading_ahead_and_loses_nothing(tmp_path: Path) -> None:
    """With room for 5 messages, a flow that holds each for a while: the source stops reading
    ahead (the broker holds the rest), warns, and every message still arrives."""
    before = settings()
    configure(JournalSettings(state_dir=tmp_path / "state", max_messages=5))
    topic = unique()
    path = tmp_path / "j.yaml"
    text = flow(f"type: mqtt-in, connection: mq, topic: {topic}")
    path.write_text(text.replace("to: out}", "to: hold}").replace(
        "out: {type: debug}", "hold: {type: delay, delay: 0.05, to: out}\n  out: {type: debug}"))

    async def scenario() -> None:
        harness = _harness(path)
        await harness.start()
        try:
            out = harness.result
            await until_connected(harness, "src")
            await asyncio.to_thread(_publish_many, topic, 30)
            await eventually(lambda: len(out.received("out")) >= 30, "the 30 messages")
            assert sorted(m["payload"]["n"] for m in out.received("out")) == list(range(30))
            assert any("the journal is full" in t for _, t in out.warnings), out.warnings
        finally:
            await harness.stop()

    try:
        asyncio.run(scenario())
    finally:
        configure(before)


def _publish_many(topic: str, count: int) -> None:
    probe = Probe()
    try:
        infos = [probe.client.publish(topic, json.dumps({"n": n}), 1) for n in range(count)]
        for info in infos:
            info.wait_for_publish(30)
    finally:
        probe.close()


def test_rows_of_a_renamed_source_are_warned_about(tmp_path: Path, state: Path) -> None:
    """A source renamed (or removed) leaves its journal's rows to no one: the start says which
    file, how many, and what to do."""
    path = tmp_path / "j.yaml"
    path.write_text(flow(f"type: mqtt-in, connection: mq, topic: {unique()}"))
    old = JournalFile(journal_path(str(path), "j", "old.name") or tmp_path)
    old.open()
    old.commit([(1, encode({"payload": 1})), (2, encode({"payload": 2}))], [])
    old.close()

    async def scenario() -> None:
        harness = _harness(path)
        await harness.start()
        try:
            out = harness.result
            await eventually(lambda: any("no longer has" in t for _, t in out.warnings),
                             "the warning")
            warned = next(t for _, t in out.warnings if "no longer has" in t)
            assert "holds 2 message(s) of a source 'old.name'" in warned, warned
        finally:
            await harness.stop()

    asyncio.run(scenario())


def test_an_amqp_queue_read_through_a_journal(tmp_path: Path, state: Path) -> None:
    """amqp-in with `journal: true`: each message is acknowledged to RabbitMQ once journaled,
    and reaches the flow."""
    import pika

    queue = f"flowrt-journal-{unique('q').split('/')[-1]}"
    params = pika.URLParameters("amqp://guest:guest@127.0.0.1:5672/")
    path = tmp_path / "j.yaml"
    path.write_text(flow(f"type: amqp-in, connection: rb, queue: {queue}, declare: true, "
                         "journal: true"))

    def publish() -> None:
        conn = pika.BlockingConnection(params)
        try:
            channel = conn.channel()
            channel.queue_declare(queue, durable=True)
            for n in range(3):
                channel.basic_publish("", queue, json.dumps({"n": n}).encode())
        finally:
            conn.close()

    def depth() -> int:
        conn = pika.BlockingConnection(params)
        try:
            return int(conn.channel().queue_declare(queue, passive=True).method.message_count)
        finally:
            conn.close()

    async def scenario() -> None:
        harness = _harness(path)
        await harness.start()
        try:
            out = harness.result
            await until_connected(harness, "src")
            await asyncio.to_thread(publish)
            await eventually(lambda: len(out.received("out")) >= 3, "the 3 messages")
            assert sorted(m["payload"]["n"] for m in out.received("out")) == [0, 1, 2]
            assert await asyncio.to_thread(depth) == 0
        finally:
            await harness.stop()

    try:
        asyncio.run(scenario())
    finally:
        conn = pika.BlockingConnection(params)
        conn.channel().queue_delete(queue)
        conn.close()
    assert list(state.rglob("*.sqlite3")), "no journal file was made"
