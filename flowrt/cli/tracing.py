"""The tracing options of `flowrt run` and `flowrt serve` (see flowrt.run.tracing).

They only set ``FLOWRT_TRACE`` and ``FLOWRT_TRACE_SAMPLE`` in the environment, where the
runtimes read them (and worker processes inherit them): the option and the variable are one
setting.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def _into_environment(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and param.envvar:
        os.environ[str(param.envvar)] = str(value)
    return value


_TRACE = click.option(
    "--trace", type=click.Choice(["otlp", "console", "off"]), envvar="FLOWRT_TRACE",
    expose_value=False, callback=_into_environment, metavar="otlp|console|off",
    help="Trace every message through the nodes as OpenTelemetry spans, exported over OTLP "
         "(to OTEL_EXPORTER_OTLP_ENDPOINT) or printed (console); off by default. Needs the "
         "`tracing` extra [env: FLOWRT_TRACE].")
_SAMPLE = click.option(
    "--trace-sample", type=click.FloatRange(0, 1), envvar="FLOWRT_TRACE_SAMPLE",
    expose_value=False, callback=_into_environment, metavar="RATIO",
    help="The share of messages whose trace is recorded, 0 to 1 (default: all, or as "
         "OTEL_TRACES_SAMPLER says) [env: FLOWRT_TRACE_SAMPLE].")


def trace_options(command: F) -> F:
    return _TRACE(_SAMPLE(command))
