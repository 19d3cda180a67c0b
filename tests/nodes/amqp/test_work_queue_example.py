"""flows/work-queue.yaml run for real: `flowrt run` as a process against RabbitMQ, fed jobs by a
pika client that also watches the `results` exchange."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pika

from tests.nodes.amqp.rabbit import Rabbit

ROOT = Path(__file__).resolve().parents[3]


def test_jobs_become_results_and_failures_and_the_queue_is_left_empty(rabbit: Rabbit) -> None:
    parts = urlsplit(rabbit.url)
    env = {**os.environ, "AMQP_URL": f"amqp://{parts.hostname}:{parts.port or 5672}/",
           "AMQP_USER": parts.username or "guest", "AMQP_PASSWORD": parts.password or "guest"}
    conn = pika.BlockingConnection(pika.URLParameters(rabbit.url))
    ch = conn.channel()
    ch.exchange_declare("results", "topic", durable=True)
    watch = ch.queue_declare("", exclusive=True).method.queue
    ch.queue_bind(watch, "results", "job.#")
    proc = subprocess.Popen([sys.executable, "-m", "flowrt", "run", "flows/work-queue.yaml"],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    got: list[tuple[str, Any, Any]] = []
    try:
        deadline = time.monotonic() + 60
        while not _queue_exists(conn, "jobs"):
            assert time.monotonic() < deadline, "the flow never declared the jobs queue"
            time.sleep(0.2)
        ch.confirm_delivery()
        for job in ({"id": 1, "numbers": [1, 2, 3]}, {"id": 2}, {"id": 3, "numbers": [10]}):
            ch.basic_publish("", "jobs", json.dumps(job).encode(), pika.BasicProperties(
                content_type="application/json", correlation_id=f"c{job['id']}"))
        while len(got) < 3 and time.monotonic() < deadline:
            method, props, body = ch.basic_get(watch, auto_ack=True)
            if method is None:
                time.sleep(0.1)
                continue
            got.append((method.routing_key, props.correlation_id, json.loads(body)))
        left = ch.queue_declare("jobs", passive=True).method.message_count
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        cleanup = conn.channel()
        cleanup.queue_delete("jobs")
        cleanup.exchange_delete("results")
        conn.close()
    assert proc.returncode == 0, err
    assert sorted(got, key=lambda g: g[1]) == [
        ("job.done", "c1", {"id": 1, "count": 3, "sum": 6.0, "mean": 2.0}),
        ("job.failed", "c2", {"job": {"id": 2}, "error":
                              "ValueError: job {'id': 2} has no numbers to add up (line 4)"}),
        ("job.done", "c3", {"id": 3, "count": 1, "sum": 10.0, "mean": 10.0}),
    ]
    assert left == 0
    assert "connected" in err and "jobs" in err[err.index("\nnode ") :]


def _queue_exists(conn: Any, queue: str) -> bool:
    ch = conn.channel()
    try:
        ch.queue_declare(queue, passive=True)
    except pika.exceptions.ChannelClosedByBroker:
        return False
    ch.close()
    return True
