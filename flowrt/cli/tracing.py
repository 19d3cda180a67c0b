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


def path_sample_option(command: F) -> F:
    """Add ``--path-sample`` (env ``FLOWRT_PATH_SAMPLE``) to `flowrt serve`: which messages'
    paths the editor can show (:mod:`flowrt.run.paths`)."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        from flowrt.run.paths import ENV, parse_sample

        if value is None:
            return
        try:
            parse_sample(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        os.environ[ENV] = value

    option = click.option(
        "--path-sample", envvar="FLOWRT_PATH_SAMPLE", expose_value=False, callback=check,
        metavar="N/s|RATIO|off",
        help="Record the path of these messages for the editor: the first N a second that "
             "sources read or make (default 10/s), a share of them from 0 to 1, or off "
             "[env: FLOWRT_PATH_SAMPLE].")
    return option(command)
