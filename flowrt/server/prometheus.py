"""Prometheus' text format (version 0.0.4): a family's HELP and TYPE lines, its samples, labels
and histograms, so that the renderers of ``/metrics`` (:mod:`flowrt.server.metrics`) only say
what to show."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

Labels = Sequence[tuple[str, str]]


def family(name: str, kind: str, help_text: str,
           samples: Iterable[tuple[Labels, float | int]] = ()) -> list[str]:
    """The lines of one metric family: HELP, TYPE, then ``name{labels} value`` for each
    sample (HELP and TYPE alone when there is none)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{braces(labels)} {number(value)}" for labels, value in samples]
    return lines


def histograms(name: str, help_text: str,
               samples: Iterable[tuple[Labels, dict[str, Any]]]) -> list[str]:
    """A histogram family; each sample is a :meth:`flowrt.run.metrics.Histogram.snapshot`
    (cumulative ``le`` buckets, ``sum``, ``count``)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    for labels, snap in samples:
        for bound, count in snap["le"]:
            le = bound if isinstance(bound, str) else number(bound)
            lines.append(f"{name}_bucket{braces([*labels, ('le', le)])} {count}")
        lines.append(f"{name}_sum{braces(labels)} {number(snap['sum'])}")
        lines.append(f"{name}_count{braces(labels)} {snap['count']}")
    return lines


def braces(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in labels) + "}"


def number(value: float | int) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
