"""`flowrt openapi`: the OpenAPI 3.1 document of the flows' http-in endpoints, and the
``--openapi/--no-openapi`` option of `flowrt run` and `flowrt serve` (see docs/openapi.md)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from flowrt.cli.common import EXIT_PROBLEMS, EXIT_USAGE, files_read, node_registry, use_colour

F = TypeVar("F", bound=Callable[..., Any])


def openapi_option(command: F) -> F:
    """Add ``--openapi/--no-openapi`` (env ``FLOWRT_OPENAPI``) to a command that serves
    flows; it sets what this process serves (:func:`flowrt.run.openapi_serve.configure`)."""

    def configure(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        from flowrt.run.openapi_serve import configure as serve_docs

        serve_docs(value)

    option = click.option(
        "--openapi/--no-openapi", default=True, show_default=True, envvar="FLOWRT_OPENAPI",
        expose_value=False, callback=configure,
        help="Serve the OpenAPI document of the http-in endpoints at /openapi.json and a page "
             "listing them at /openapi, beside the endpoints [env: FLOWRT_OPENAPI].")
    return option(command)


@click.command("openapi")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the document to FILE instead of standard output.")
@click.option("-e", "--env", "env_pairs", multiple=True, metavar="NAME=VALUE",
              help="Set a variable the flows use (over the process environment).")
@click.option("--title", default="flowrt flows", show_default=True,
              help="The document's info.title.")
def openapi(paths: tuple[str, ...], output: str | None, env_pairs: tuple[str, ...],
            title: str) -> None:
    """Print the OpenAPI 3.1 document of the http-in endpoints of flow files or directories:
    what `flowrt run --http` and `flowrt serve` serve at /openapi.json. No secret is needed:
    the document never holds a credential.

    Exit status: 0 printed, 1 the flows have errors or no http-in node, 2 unreadable input.
    """
    import os

    from flowrt.check.report import render_text
    from flowrt.compile import build_plan
    from flowrt.errors import CheckError
    from flowrt.load import load_project
    from flowrt.run.openapi_doc import document, has_endpoints

    env = dict(os.environ)
    for pair in env_pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--env")
        env[name] = value
    project = load_project(paths)
    try:
        plan, _ = build_plan(project, node_registry(), env=env)
    except CheckError as exc:
        click.echo(render_text(exc.diagnostics, files_read(project), use_colour(None)), err=True)
        sys.exit(EXIT_USAGE if project.unreadable else EXIT_PROBLEMS)
    if not has_endpoints(plan):
        click.echo(f"flowrt: no http-in node in {', '.join(paths)}: no API to describe",
                   err=True)
        sys.exit(EXIT_PROBLEMS)
    text = json.dumps(document(plan, title=title), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
