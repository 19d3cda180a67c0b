"""The dashboard benchmark's report: its goals (issue 16) and the table it prints."""

from __future__ import annotations

from typing import Any

CPU_GOAL = 3.0
"""node-red-dashboard's server CPU seconds per update over flowrt's, at least."""
P99_GOAL_MS = 100.0


def stall_bytes(run: dict[str, Any], stall: float) -> int:
    """The bytes a client is sent during the stall when it reads."""
    return round(float(run["bytes_per_s_per_client"]) * stall)


def goals(systems: dict[str, dict[str, Any]], stall: float) -> dict[str, Any]:
    ours = systems.get("flowrt")
    if ours is None:
        return {}
    backlog = ours["slow"]["backlog_bytes"]
    met: dict[str, Any] = {"p99_under_100_ms": ours["p99_ms"] < P99_GOAL_MS,
                           # not sent the stall's backlog: what it read before a current
                           # value is less than half of what the stall made for a client
                           "slow_client_coalesced": backlog is not None and backlog < stall_bytes(
                               ours, stall) / 2}
    theirs = systems.get("Node-RED")
    if theirs is not None:
        ratio = theirs["cpu_ms_per_1000_updates"] / max(ours["cpu_ms_per_1000_updates"], 1e-9)
        met["cpu_ratio"] = round(ratio, 2)
        met["cpu_3x_fewer"] = ratio >= CPU_GOAL
    return met


ROWS = [
    ("server CPU ms per 1,000 updates", "cpu_ms_per_1000_updates", ",.1f"),
    ("the same, no client connected", "baseline_cpu_ms_per_1000_updates", ",.1f"),
    ("server CPU, % of one core", "cpu_percent", ".0f"),
    ("updates made (of expected)", "updates", ",d"),
    ("latency p50 ms", "p50_ms", ",.1f"),
    ("latency p99 ms", "p99_ms", ",.1f"),
    ("values received per s per client", "values_per_s_per_client", ",.0f"),
    ("bytes per s per client", "bytes_per_s_per_client", ",d"),
    ("the clients' CPU, % of one core", "clients_cpu_percent", ".0f"),
]
SLOW_ROWS = [
    ("slow client: server RSS before stall MB", "rss_before_mb", ".1f"),
    ("slow client: server RSS peak in stall MB", "rss_peak_mb", ".1f"),
    ("slow client: kernel send queue, peak, bytes", "kernel_queue_bytes", ",d"),
    ("slow client: age of first value after ms", "first_age_ms", ",d"),
    ("slow client: time to a current value ms", "caught_up_ms", ",d"),
    ("slow client: bytes until current", "backlog_bytes", ",d"),
]
PAGE_ROWS = [
    ("Chromium: text values seen in the DOM", "dom_values", ",d"),
    ("Chromium: stamp to DOM p50 ms", "dom_p50_ms", ",.1f"),
    ("Chromium: stamp to DOM p99 ms", "dom_p99_ms", ",.1f"),
    ("Chromium: frame time p50 ms", "frame_p50_ms", ",.1f"),
    ("Chromium: frame time p99 ms", "frame_p99_ms", ",.1f"),
]


def table(report: dict[str, Any]) -> str:
    s, systems = report["settings"], report["systems"]
    names = list(systems)
    lines = [f"{s['widgets']} widgets x {s['hz']:g} Hz, {s['clients']} clients (+1 slow, "
             f"stalled {s['slow_seconds']:g} s), {s['seconds']:g} s"
             f"{'; flowrt clients acknowledge frames' if s.get('acks') else ''}; "
             f"commit {report['commit']}; "
             f"{report['machine']['cores']} cores, load {report['machine']['load_before']:.1f}"
             + (f"; node-red-dashboard {report['node_red_dashboard']}"
                if "node_red_dashboard" in report else ""), "",
             "| figure | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]

    def cell(value: Any, fmt: str) -> str:
        return "-" if value is None else format(value, fmt)

    for label, key, fmt in ROWS:
        row = [cell(systems[n][key], fmt) + (f" ({systems[n]['updates_expected']:,})"
                                             if key == "updates" else "") for n in names]
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    for label, key, fmt in SLOW_ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(systems[n]["slow"][key], fmt)
                                                  for n in names) + " |")
    for label, key, fmt in PAGE_ROWS if all("page" in systems[n] for n in names) else []:
        lines.append(f"| {label} | " + " | ".join(cell(systems[n]["page"][key], fmt)
                                                  for n in names) + " |")
    g = report["goals"]
    if g:
        lines.append("")
        if "cpu_ratio" in g:
            lines.append(f"goal: >= {CPU_GOAL:g}x fewer server CPU seconds per update than "
                         f"node-red-dashboard: {g['cpu_ratio']:.2f}x, "
                         f"{'met' if g['cpu_3x_fewer'] else 'NOT met'}")
        lines.append(f"goal: p99 under {P99_GOAL_MS:g} ms: {systems['flowrt']['p99_ms']:.1f} ms, "
                     f"{'met' if g['p99_under_100_ms'] else 'NOT met'}")
        backlog = systems["flowrt"]["slow"]["backlog_bytes"]
        made = stall_bytes(systems["flowrt"], s["slow_seconds"])
        lines.append(f"goal: the slow client gets the latest values, not the stall's backlog: "
                     f"{cell(backlog, ',d')} bytes before a current value, of {made:,} sent "
                     f"to a reading client meanwhile, "
                     f"{'met' if g['slow_client_coalesced'] else 'NOT met'}")
    return "\n".join(lines)
