"""Tracing exported over OTLP/HTTP to a real receiver: `flowrt run` with FLOWRT_TRACE=otlp
sends its spans to OTEL_EXPORTER_OTLP_ENDPOINT, where a small OTLP receiver (an http.server on
127.0.0.1 decoding the protobuf ExportTraceServiceRequest) gets them; with FLOWRT_TRACE unset,
nothing is sent. Two `flowrt run` processes joined by Mosquitto make one trace."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from paho.mqtt import publish

from tests.support.servers import free_port
from tests.support.waiting import eventually

MQTT = os.environ.get("FLOWRT_TEST_MQTT") or "mqtt://127.0.0.1:1883"
FLOW = """
flowrt: 1
id: otlp
nodes:
  go: {type: inject, once: true, payload: 1, to: step}
  step: {type: change, rules: [{set: topic, to: traced}], to: last}
  last: {type: change, rules: [{set: payload, to: 2}]}
"""


@contextmanager
def receiver() -> Iterator[tuple[str, list[ExportTraceServiceRequest]]]:
    """An OTLP/HTTP trace receiver on a free port of 127.0.0.1: (its endpoint, the requests)."""
    got: list[ExportTraceServiceRequest] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            request = ExportTraceServiceRequest()
            request.ParseFromString(body)
            if self.path == "/v1/traces":
                got.append(request)
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200 if self.path == "/v1/traces" else 404)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", got
    finally:
        server.shutdown()
        server.server_close()


def clean_env(**env: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("FLOWRT_TRACE", "OTEL_"))}
    return {**base, **env}


def spans_of(got: list[ExportTraceServiceRequest]) -> dict[str, list[Any]]:
    """Service name -> the spans it exported."""
    found: dict[str, list[Any]] = {}
    for request in got:
        for resource in request.resource_spans:
            service = next(a.value.string_value for a in resource.resource.attributes
                           if a.key == "service.name")
            for scope in resource.scope_spans:
                found.setdefault(service, []).extend(scope.spans)
    return found


def flowrt_run(tmp_path: Path, *options: str, **env: str) -> None:
    flow = tmp_path / "otlp.yaml"
    flow.write_text(FLOW)
    subprocess.run([str(Path(sys.executable).parent / "flowrt"), "run", "--until-idle",
                    *options, str(flow)], env=clean_env(**env), check=True, capture_output=True,
                   timeout=120, cwd=tmp_path)


def test_flowrt_run_exports_its_spans_to_an_otlp_receiver(tmp_path: Path) -> None:
    with receiver() as (endpoint, got):
        flowrt_run(tmp_path, FLOWRT_TRACE="otlp", OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
                   OTEL_SERVICE_NAME="plant-a")
    spans = [span for request in got for resource in request.resource_spans
             for scope in resource.scope_spans for span in scope.spans]
    services = {a.value.string_value for request in got for r in request.resource_spans
                for a in r.resource.attributes if a.key == "service.name"}
    assert services == {"plant-a"}
    named = {span.name: span for span in spans}
    assert set(named) == {"inject go", "change step", "change last"}
    go, step, last = named["inject go"], named["change step"], named["change last"]
    assert go.trace_id == step.trace_id == last.trace_id
    assert (step.parent_span_id, last.parent_span_id) == (go.span_id, step.span_id)
    attributes = {a.key: a.value.string_value for a in last.attributes}
    assert attributes["flowrt.node.id"] == "last"
    assert attributes["flowrt.flow.id"] == "otlp"


def test_nothing_is_sent_when_tracing_is_off(tmp_path: Path) -> None:
    with receiver() as (endpoint, got):
        flowrt_run(tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=endpoint)
    assert got == []


def test_the_trace_options_of_flowrt_run_turn_it_on_and_sample(tmp_path: Path) -> None:
    with receiver() as (endpoint, got):
        flowrt_run(tmp_path, "--trace", "otlp", OTEL_EXPORTER_OTLP_ENDPOINT=endpoint)
    assert len([s for r in got for rs in r.resource_spans for ss in rs.scope_spans
                for s in ss.spans]) == 3
    with receiver() as (endpoint, got):
        flowrt_run(tmp_path, "--trace", "otlp", "--trace-sample", "0",
                   OTEL_EXPORTER_OTLP_ENDPOINT=endpoint)
    assert got == []  # no trace recorded: nothing to send


def test_two_processes_joined_by_mqtt_make_one_trace(tmp_path: Path) -> None:
    topic = f"flowrt/test/{uuid.uuid4().hex[:10]}"
    broker = {"broker": {"type": "mqtt-broker", "url": MQTT, "protocol": "5"}}
    sender = {"flowrt": 1, "id": "sender", "connections": broker, "nodes": {
        "go": {"type": "inject", "once": True, "payload": 1, "to": "out"},
        "out": {"type": "mqtt-out", "connection": "broker", "topic": topic, "qos": 1,
                "retain": True}}}  # kept for the receiver, whenever it subscribes
    receiver_flow = {"flowrt": 1, "id": "receiver", "connections": broker, "nodes": {
        "in": {"type": "mqtt-in", "connection": "broker", "topic": topic, "qos": 1,
               "to": "step"},
        "step": {"type": "change", "rules": [{"set": "topic", "to": "got"}]}}}
    (tmp_path / "sender.yaml").write_text(json.dumps(sender))
    (tmp_path / "receiver.yaml").write_text(json.dumps(receiver_flow))
    flowrt = str(Path(sys.executable).parent / "flowrt")

    async def scenario(endpoint: str, got: list[ExportTraceServiceRequest]) -> None:
        env = {"FLOWRT_TRACE": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
               "OTEL_BSP_SCHEDULE_DELAY": "100"}
        subprocess.run([flowrt, "run", "--until-idle", "sender.yaml"], cwd=tmp_path,
                       env=clean_env(OTEL_SERVICE_NAME="a", **env), check=True,
                       capture_output=True, timeout=120)
        worker = subprocess.Popen([flowrt, "run", "receiver.yaml"], cwd=tmp_path,
                                  env=clean_env(OTEL_SERVICE_NAME="b", **env),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            await eventually(lambda: len(spans_of(got).get("b", [])) == 2, "b's two spans")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        parts = urlsplit(MQTT)  # take the retained message away
        publish.single(topic, None, retain=True, hostname=parts.hostname or "127.0.0.1",
                       port=parts.port or 1883)

    with receiver() as (endpoint, got):
        asyncio.run(scenario(endpoint, got))
    spans = spans_of(got)
    out = next(s for s in spans["a"] if s.name == "mqtt-out out")
    got_in = next(s for s in spans["b"] if s.name == "mqtt-in in")
    step = next(s for s in spans["b"] if s.name == "change step")
    assert got_in.trace_id == out.trace_id == step.trace_id
    assert (got_in.parent_span_id, step.parent_span_id) == (out.span_id, got_in.span_id)
