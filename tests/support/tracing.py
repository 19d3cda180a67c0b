"""Spans of a test's flows, kept in memory by the OpenTelemetry SDK (flowrt.run.tracing)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Sampler

from flowrt.run import tracing


@contextmanager
def recording(sampler: Sampler | None = None) -> Iterator[InMemorySpanExporter]:
    """Runtimes made inside trace into the exporter yielded (every span, as it ends)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(sampler=sampler)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        yield exporter
    finally:
        tracing.uninstall()
        provider.shutdown()


def of_node(spans: Any, node_id: str) -> list[ReadableSpan]:
    """The spans of one node's visits, in the order they ended."""
    return [s for s in spans if (s.attributes or {}).get("flowrt.node.id") == node_id]


def one(spans: Any, node_id: str) -> ReadableSpan:
    found = of_node(spans, node_id)
    assert len(found) == 1, (node_id, [s.name for s in spans])
    return found[0]


def parent_node(spans: Any, span: ReadableSpan) -> str | None:
    """The node id of ``span``'s parent among ``spans`` (None: a root, or not among them)."""
    if span.parent is None:
        return None
    for other in spans:
        if other.context.span_id == span.parent.span_id:
            return str((other.attributes or {}).get("flowrt.node.id"))
    return None


def everything(spans: Any) -> str:
    """All the text the spans would export (names, attributes, events, status, resource)."""
    return "\n".join(json.dumps(json.loads(s.to_json()), sort_keys=True) for s in spans)
