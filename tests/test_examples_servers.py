"""The examples that talk to servers, run for real: `flowrt run` as a process against
PostgreSQL and InfluxDB, with its embedded MQTT broker, fed by an MQTT client."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
import psycopg

from tests.support.servers import free_port, url
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent


def test_sensor_readings_reach_both_databases_and_alerts_come_back(tmp_path: Path) -> None:
    pg, influx, port = url("pg"), url("influx"), free_port()
    database = "flowrt_example_" + uuid.uuid4().hex[:8]
    sensor = "s" + uuid.uuid4().hex[:8]
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute((ROOT / "flows/data/sensors.sql").read_text())
    env = {**os.environ, "MQTT_URL": f"mqtt://127.0.0.1:{port}", "INFLUX_URL": influx,
           "INFLUX_DB": database, "PG_DSN": pg, "THRESHOLD": "30"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", "--mqtt-broker", f"127.0.0.1:{port}",
         "flows/sensors.yaml"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    received: list[tuple[str, Any]] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="example-" + sensor)
    client.on_message = lambda c, u, m: received.append((m.topic, json.loads(m.payload)))
    try:
        wait_until(lambda: client.connect("127.0.0.1", port) == 0 if _open(port) else False,
                 "the embedded broker")
        client.loop_start()
        client.subscribe([(f"plant/{sensor}/alert", 1), ("plant/rejected", 1)])
        time.sleep(1.0)  # the flow's own subscription is made at start; give it a moment
        readings = [
            {"celsius": 35.5, "humidity": 40, "time": "2026-11-25T06:00:00Z"},
            {"celsius": 21.0, "time": "2026-11-25T06:01:00Z"},
            {"celsius": "hot", "time": "2026-11-25T06:02:00Z"},
        ]
        for reading in readings:
            sent = client.publish(f"plant/{sensor}/reading", json.dumps(reading), qos=1)
            sent.wait_for_publish(10)

        def rows() -> list[tuple[Any, ...]]:
            with psycopg.connect(pg) as conn:
                return conn.execute(
                    "SELECT celsius, humidity FROM sensor_readings WHERE sensor = %s ORDER BY at",
                    (sensor,),
                ).fetchall()

        stored = wait_until(lambda: len(rows()) == 2 and rows(), "two rows")
        assert stored == [(35.5, 40.0), (21.0, None)]

        def points() -> list[list[Any]]:
            query = f"SELECT celsius FROM reading WHERE sensor = '{sensor}'"
            answer = httpx.post(f"{influx}/query", params={"db": database}, data={"q": query})
            series = answer.json()["results"][0].get("series") or [{"values": []}]
            return list(series[0]["values"])

        assert [v for _, v in wait_until(lambda: len(points()) == 2 and points(), "two points")] \
            == [35.5, 21.0]
        wait_until(lambda: len(received) == 2, "an alert and a rejection")
        by_topic = dict(received)
        assert by_topic[f"plant/{sensor}/alert"]["celsius"] == 35.5
        assert by_topic["plant/rejected"]["reading"]["celsius"] == "hot"
    finally:
        client.loop_stop()
        client.disconnect()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        httpx.post(f"{influx}/query", data={"q": f'DROP DATABASE "{database}"'})
        with psycopg.connect(pg, autocommit=True) as conn:
            conn.execute("DELETE FROM sensor_readings WHERE sensor = %s", (sensor,))
    assert proc.returncode == 0, err
    summary = err[err.index("\nnode ") + 1 :]
    assert "sensor-readings" in summary and "publish-alert" in summary


def _open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0
