"""benchmarks/bench_pipeline.py --quick against the real servers: the report it prints and what
it counts. How fast anything ran is the benchmark's business, never asserted here."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN_FIELDS = {
    "messages", "complete", "seconds", "msgs_per_s", "lost", "lost_rows", "lost_points",
    "duplicates", "peak_rss_mb", "exit_status",
}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_pipeline.py"), "--quick",
         "--systems", "flowrt", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def test_the_report_has_every_figure(report: dict[str, Any]) -> None:
    assert {"commit", "date", "machine", "settings", "systems", "ratios"} <= set(report)
    flowrt = report["systems"]["flowrt"]
    assert flowrt["engine"] == "flowrt"
    assert RUN_FIELDS | {"broker_dropped"} <= set(flowrt["throughput"])
    assert RUN_FIELDS | {"p50_ms", "p99_ms", "rate"} <= set(flowrt["latency"])
    assert flowrt["throughput"]["messages"] == report["settings"]["n"]
    assert flowrt["throughput"]["peak_rss_mb"] > 0
    assert 0 < flowrt["latency"]["p50_ms"] <= flowrt["latency"]["p99_ms"]


def test_the_table_shows_each_run(report: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_pipeline", ROOT / "benchmarks" / "bench_pipeline.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    text = module.table(report)
    assert "flowrt, MQTT, function (JavaScript)" in text
    assert f"{report['systems']['flowrt']['throughput']['lost']:,}" in text
    assert "flowrt / Node-RED" not in text  # no Node-RED run, no ratio


def test_a_steady_rate_loses_and_duplicates_nothing(report: dict[str, Any]) -> None:
    run = report["systems"]["flowrt"]["latency"]
    assert run["complete"], run.get("output")
    assert (run["lost"], run["duplicates"]) == (0, 0)
    assert run["exit_status"] == 0, run.get("output")


def test_the_throughput_run_s_burst_is_published_whole_by_mosquitto_pub() -> None:
    """The throughput run's burst comes from mosquitto_pub (installed by .ci/services.sh): every
    id once, acknowledged before it returns."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from pipeline.load import mosquitto_pub, publish_burst
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    assert mosquitto_pub() is not None
    got: list[int] = []
    subscribed = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_message = lambda _c, _u, m: got.append(json.loads(m.payload)["id"])
    client.connect("127.0.0.1", 1883)
    client.loop_start()
    try:
        client.subscribe("bench-test/burst", qos=1)
        assert subscribed.wait(10)
        first, done = publish_burst("mqtt://127.0.0.1:1883", "bench-test/burst", 500)
        assert first <= done
        deadline = time.monotonic() + 10
        while len(got) < 500 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.disconnect()
        client.loop_stop()
    assert sorted(got) == list(range(500))
