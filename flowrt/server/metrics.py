"""``/metrics`` in Prometheus' text format: messages in and out per node, errors per node,
deploys, and whether the flows are up."""

from __future__ import annotations

from typing import Any


def render(state: dict[str, Any], errors: dict[str, int], deploys: int, up: bool) -> str:
    lines = [
        "# HELP flowrt_up 1 while the flows run.",
        "# TYPE flowrt_up gauge",
        f"flowrt_up {int(up)}",
        "# HELP flowrt_deploys_total Deploys since the server started.",
        "# TYPE flowrt_deploys_total counter",
        f"flowrt_deploys_total {deploys}",
        "# HELP flowrt_node_messages_in_total Messages a node received (since its flow started).",
        "# TYPE flowrt_node_messages_in_total counter",
    ]
    nodes = state["nodes"]
    for node_id, info in sorted(nodes.items()):
        lines.append(f"flowrt_node_messages_in_total{{{_labels(node_id, info)}}} {info['in']}")
    lines += [
        "# HELP flowrt_node_messages_out_total Messages a source node produced.",
        "# TYPE flowrt_node_messages_out_total counter",
    ]
    for node_id, info in sorted(nodes.items()):
        lines.append(f"flowrt_node_messages_out_total{{{_labels(node_id, info)}}} {info['out']}")
    lines += [
        "# HELP flowrt_node_errors_total Errors raised by a node.",
        "# TYPE flowrt_node_errors_total counter",
    ]
    for node_id, count in sorted(errors.items()):
        info = nodes.get(node_id, {})
        lines.append(f"flowrt_node_errors_total{{{_labels(node_id, info)}}} {count}")
    return "\n".join(lines) + "\n"


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


def _labels(node_id: str, info: dict[str, Any]) -> str:
    pairs = [("node", node_id), ("type", str(info.get("type", ""))),
             ("flow", str(info.get("flow", "")))]
    return ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
