"""``/metrics`` in Prometheus' text format: whether the flows are up, deploys, and per node what
the runtime measures (:mod:`flowrt.run.metrics`): messages in and out, errors, processing time
(sampled), queue depths, sources' unacknowledged messages, sinks' batches, and each connection's
state and reconnects; requests to endpoints with access settings per key
(:mod:`flowrt.run.usage`); a group's view (:func:`render_group`). The text format itself is
:mod:`flowrt.server.prometheus`; every name here is in ``deploy/grafana/flowrt.json``'s panels
or may be (``tests/server/test_metrics.py`` checks the dashboard against a running flow)."""

from __future__ import annotations

from typing import Any

from flowrt.run.usage import render as render_usage
from flowrt.server.prometheus import Labels, family, histograms
from flowrt.server.prometheus import escape as _escape

TIMED = ("a synchronous transform times the first message it gets after each tick of "
         "FLOWRT_METRICS_SAMPLE seconds (default 0.1), an asynchronous one every message; its "
         "own processing, not what later nodes do")


def render(state: dict[str, Any], errors: dict[str, int], deploys: int, up: bool) -> str:
    nodes: dict[str, Any] = state["nodes"]
    rows = sorted(nodes.items())

    def each(key: str) -> list[tuple[Labels, Any]]:
        return [(_labels(n, info), info[key]) for n, info in rows if key in info]

    def sub(key: str, field: str) -> list[tuple[Labels, Any]]:
        return [(_labels(n, info), info[key][field]) for n, info in rows if key in info]

    lines = [
        *family("flowrt_up", "gauge", "1 while the flows run.", [((), int(up))]),
        *family("flowrt_deploys_total", "counter", "Deploys since the server started.",
                [((), deploys)]),
        *family("flowrt_node_messages_in_total", "counter",
                "Messages a node received (since its flow started).", each("in")),
        *family("flowrt_node_messages_out_total", "counter",
                "Messages a node sent on (a source: read or made; a sink: written), since its "
                "flow started.", each("out")),
        *family("flowrt_node_errors_total", "counter",
                "Errors raised by a node (since the server started).",
                [(_labels(n, nodes.get(n, {})), c) for n, c in sorted(errors.items())]),
        *histograms("flowrt_node_processing_seconds", f"Processing time, sampled: {TIMED}.",
                    each("timing")),
        *family("flowrt_node_queue_depth", "gauge",
                "Messages waiting in the queue of a sink or asynchronous transform.",
                sub("queue", "depth")),
        *family("flowrt_node_queue_limit", "gauge",
                "The bound of that queue (a sink's buffer): over it, sources pause or "
                "messages are dropped (overflow).", sub("queue", "limit")),
        *family("flowrt_source_unacked", "gauge",
                "Messages of a source with an acknowledgement window (AMQP prefetch, MQTT "
                "receive maximum) in the flow, not yet acknowledged; sources of one connection "
                "share a window.", sub("unacked", "count")),
        *family("flowrt_source_unacked_limit", "gauge", "That window's size.",
                sub("unacked", "limit")),
        *family("flowrt_source_journal_messages", "gauge",
                "Messages a journaled source stored (and acknowledged to its broker) that the "
                "flow has not finished.", sub("journal", "count")),
        *family("flowrt_source_journal_limit", "gauge",
                "The most messages that journal holds before its source stops reading ahead.",
                sub("journal", "limit")),
        *histograms("flowrt_sink_write_seconds",
                    "Time a sink took to write each batch, retries while its server was away "
                    "included.", each("write")),
        *histograms("flowrt_sink_batch_size", "Messages in each batch a sink wrote.",
                    each("batch_size")),
        *family("flowrt_sink_batches_total", "counter",
                "A sink's batches by how they ended: full, idle (no more input on its way) or "
                "interval (waited batch_interval).",
                [([*_labels(n, info), ("ended", how)], count) for n, info in rows
                 for how, count in sorted(info.get("batch_ends", {}).items())]),
    ]
    links = sorted(state.get("connections", {}).items())
    lines += [
        *family("flowrt_connection_connected", "gauge",
                "1 while a connection (or a source or sink owning one) is connected.",
                [(_labels(c, info, "connection"), int(info["connected"])) for c, info in links]),
        *family("flowrt_connection_reconnects_total", "counter",
                "Times a connection was connected again after being connected.",
                [(_labels(c, info, "connection"), info["reconnects"]) for c, info in links]),
    ]
    return "\n".join(lines) + "\n" + render_usage()


def render_group(group: Any) -> str:
    """The group's view from this worker: members alive, messages per worker, singletons held."""
    alive = [m for m in group.members if m.alive]
    g = _escape(group.name)
    lines = [
        "# HELP flowrt_group_connected 1 while this worker reaches the group's database.",
        "# TYPE flowrt_group_connected gauge",
        f'flowrt_group_connected{{group="{g}"}} {int(group.connected)}',
        "# HELP flowrt_group_workers Workers of the group seen alive.",
        "# TYPE flowrt_group_workers gauge",
        f'flowrt_group_workers{{group="{g}"}} {len(alive)}',
        "# HELP flowrt_group_worker_messages_total Messages the sources of each worker read.",
        "# TYPE flowrt_group_worker_messages_total counter",
    ]
    for m in alive:
        lines.append(f'flowrt_group_worker_messages_total{{group="{g}",'
                     f'worker="{_escape(m.worker)}"}} {m.messages}')
    lines += [
        "# HELP flowrt_group_singleton_held 1 for each singleton source this worker runs.",
        "# TYPE flowrt_group_singleton_held gauge",
    ]
    for key in sorted(group.leases.held):
        lines.append(f'flowrt_group_singleton_held{{group="{g}",node="{_escape(key)}"}} 1')
    return "\n".join(lines) + "\n"


def _labels(node_id: str, info: dict[str, Any], key: str = "node") -> Labels:
    return ((key, node_id), ("type", str(info.get("type", ""))),
            ("flow", str(info.get("flow", ""))))
