"""Tracing exported over OTLP/HTTP to a real receiver: `flowrt run` with FLOWRT_TRACE=otlp
sends its spans to OTEL_EXPORTER_OTLP_ENDPOINT, where a small OTLP receiver (an http.server on
127.0.0.1 decoding the protobuf ExportTraceServiceRequest) gets them; with FLOWRT_TRACE unset,
nothing is sent."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from tests.support.servers import free_port

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


def flowrt_run(tmp_path: Path, *options: str, **env: str) -> None:
    flow = tmp_path / "otlp.yaml"
    flow.write_text(FLOW)
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("FLOWRT_TRACE", "OTEL_"))}
    subprocess.run([str(Path(sys.executable).parent / "flowrt"), "run", "--until-idle",
                    *options, str(flow)], env={**base, **env}, check=True, capture_output=True,
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
