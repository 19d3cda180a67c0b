"""The `flowrt` command line: validate, fmt, schema, nodes, run.

Exit status everywhere: 0 success, 1 problems found (or a run that failed), 2 usage errors and
input that cannot be read.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from flowrt import __version__
from flowrt.errors import RegistryError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _registry() -> Any:
    from flowrt.registry import default_registry

    try:
        return default_registry()
    except RegistryError as exc:
        click.echo(f"flowrt: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _files_read(project: Any) -> int:
    """Flow files looked at: loaded, or refused for what they hold (not paths that were absent
    or directories with no flow files)."""
    refused = {d.file for d in project.diagnostics if d.file and d.code not in ("E003", "E012")}
    return len(project.documents) + len(refused)


def _use_colour(option: bool | None) -> bool:
    if option is not None:
        return option
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="flowrt")
def main() -> None:
    """flowrt: flows of nodes as YAML or JSON files, checked, compiled and run on asyncio."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1).")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text output.")
@click.option("--max-size", type=int, default=16, show_default=True, help="Largest file, in MiB.")
def validate(
    paths: tuple[str, ...], fmt: str, strict: bool, colour: bool | None, max_size: int
) -> None:
    """Check flow files and directories of flow files; report every problem found.

    Exit status: 0 clean, 1 errors (and warnings with --strict), 2 unreadable input.
    """
    from flowrt.check import check, has_errors
    from flowrt.load import load_project
    from flowrt.report import RENDERERS

    registry = _registry()
    project = load_project(paths, max_bytes=max_size * 1024 * 1024)
    diagnostics = check(project, registry, strict=strict)
    files = _files_read(project)
    click.echo(RENDERERS[fmt](diagnostics, files, _use_colour(colour) and fmt == "text"))
    if project.unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if has_errors(diagnostics) else EXIT_OK)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--until-idle", is_flag=True,
              help="Exit once every source is done and nothing is in flight (batch jobs).")
@click.option("--context-store", "context_url", metavar="URL",
              help="Persist context: sqlite:///path.db or postgresql://... (default: memory).")
@click.option("-e", "--env", "env_pairs", multiple=True, metavar="NAME=VALUE",
              help="Set an environment variable for the flows (repeatable).")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True)
@click.option("--close-timeout", type=float, default=15.0, show_default=True,
              help="Seconds to drain in-flight messages on shutdown.")
@click.option("--secrets", "secrets_file", type=click.Path(dir_okay=False), metavar="FILE",
              envvar="FLOWRT_SECRETS",
              help="YAML file of NAME: value for ${NAME} references [env: FLOWRT_SECRETS].")
@click.option("--http", "http_address", metavar="HOST:PORT", default="127.0.0.1:1880",
              show_default=True, help="Where http-in nodes are served (only if a flow has one).")
@click.option("--mqtt-broker", "mqtt_broker", metavar="HOST:PORT", is_flag=False,
              flag_value="127.0.0.1:1883",
              help="Start the embedded MQTT 3.1.1 broker (default address 127.0.0.1:1883).")
def run(
    paths: tuple[str, ...],
    until_idle: bool,
    context_url: str | None,
    env_pairs: tuple[str, ...],
    log_format: str,
    log_level: str,
    close_timeout: float,
    secrets_file: str | None,
    http_address: str,
    mqtt_broker: str | None,
) -> None:
    """Validate, compile and run flows until Ctrl-C or SIGTERM (or --until-idle), then drain
    in-flight messages, close, and print how many messages each node handled.

    Exit status: 0 ran and stopped cleanly, 1 the flows have errors (or, with --until-idle, a
    message failed with an error no catch node took), 2 unreadable input.
    """
    import asyncio

    from flowrt.compile import build_plan
    from flowrt.errors import CheckError, ConfigError
    from flowrt.load import load_project
    from flowrt.logs import setup_logging
    from flowrt.report import render_text
    from flowrt.run.main import render_summary, run_plan
    from flowrt.secrets import load_secrets, merged_env

    setup_logging(log_format, log_level)
    overrides = {}
    for pair in env_pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--env")
        overrides[name] = value
    secrets: dict[str, str] = {}
    if secrets_file:
        try:
            secrets, notes = load_secrets(secrets_file)
        except ConfigError as exc:
            click.echo(f"flowrt: error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        for note in notes:
            click.echo(f"flowrt: warning: {note}", err=True)
    env = merged_env(dict(os.environ), secrets, overrides)
    http = _address(http_address, "--http")
    broker = _address(mqtt_broker, "--mqtt-broker") if mqtt_broker else None
    from flowrt.compile.isolated import check_isolated

    registry = _registry()
    project = load_project(paths)
    diagnostics = check_isolated(project, registry, env)
    try:
        plan, warnings = build_plan(project, registry, env=env, diagnostics=diagnostics)
    except CheckError as exc:
        files = _files_read(project)
        click.echo(render_text(exc.diagnostics, files, _use_colour(None)), err=True)
        sys.exit(EXIT_USAGE if project.unreadable else EXIT_PROBLEMS)
    for warning in warnings:
        click.echo(str(warning), err=True)
    if not plan.nodes:
        click.echo("flowrt: nothing to run: no enabled nodes", err=True)
        sys.exit(EXIT_PROBLEMS)
    try:
        outcome = asyncio.run(
            run_plan(plan, env=env, until_idle=until_idle, context_url=context_url,
                     close_timeout=close_timeout, http=http, mqtt_broker=broker)
        )
    except (ConfigError, OSError) as exc:
        click.echo(f"flowrt: error: {exc}", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(render_summary(outcome.summary), err=True)
    if outcome.failed:
        click.echo(f"{outcome.failed} message(s) failed with errors no catch node took", err=True)
    sys.exit(EXIT_PROBLEMS if until_idle and outcome.failed else EXIT_OK)


@main.command()
@click.option("--flows", "flows_dir", type=click.Path(file_okay=False), default="flows",
              show_default=True, help="The directory of flow files to run and edit.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; other than loopback needs authentication.")
@click.option("--port", type=int, default=1880, show_default=True)
@click.option("--secrets", "secrets_file", type=click.Path(dir_okay=False), metavar="FILE",
              envvar="FLOWRT_SECRETS",
              help="YAML file of NAME: value for ${NAME} references [env: FLOWRT_SECRETS].")
@click.option("--auth-file", type=click.Path(dir_okay=False), metavar="FILE",
              envvar="FLOWRT_AUTH_FILE",
              help="YAML `users: {name: pbkdf2_sha256$...}` [env: FLOWRT_AUTH_FILE]; bearer "
                   "tokens come from FLOWRT_TOKENS.")
@click.option("--db", "db_url", metavar="URL",
              help="Database for revisions (default: SQLite in DIR/.flowrt/).")
@click.option("-e", "--env", "env_pairs", multiple=True, metavar="NAME=VALUE",
              help="Set an environment variable for the flows (repeatable).")
@click.option("--mqtt-broker", "mqtt_broker", metavar="HOST:PORT", is_flag=False,
              flag_value="127.0.0.1:1883",
              help="Start the embedded MQTT 3.1.1 broker (default address 127.0.0.1:1883).")
@click.option("--close-timeout", type=float, default=15.0, show_default=True,
              help="Seconds to drain in-flight messages on shutdown and redeploy.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True)
def serve(flows_dir: str, host: str, port: int, secrets_file: str | None,
          auth_file: str | None, db_url: str | None, env_pairs: tuple[str, ...],
          mqtt_broker: str | None, close_timeout: float, log_format: str,
          log_level: str) -> None:
    """Run the flows of a directory and serve the editor and the admin API (until Ctrl-C).

    Exit status: 0 served and stopped cleanly, 2 bad options (e.g. a public --host without
    authentication, or a port in use).
    """
    from flowrt.errors import ConfigError
    from flowrt.logs import setup_logging
    from flowrt.secrets import load_secrets, merged_env
    from flowrt.server.serve import Auth, ServerSettings
    from flowrt.server.serve import serve as run_server

    setup_logging(log_format, log_level)
    overrides = dict(pair.partition("=")[::2] for pair in env_pairs)
    try:
        secrets = load_secrets(secrets_file)[0] if secrets_file else {}
        auth = Auth.load(auth_file, os.environ.get("FLOWRT_TOKENS"))
        settings = ServerSettings(
            flows=Path(flows_dir), env=merged_env(dict(os.environ), secrets, overrides),
            auth=auth, db_url=db_url, close_timeout=close_timeout, registry=_registry(),
            mqtt_broker=_address(mqtt_broker, "--mqtt-broker") if mqtt_broker else None)
        run_server(settings, host, port, log_level)
    except ConfigError as exc:
        click.echo(f"flowrt: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _address(text: str, option: str) -> tuple[str, int]:
    """HOST:PORT (or just PORT, on 127.0.0.1) from a command-line option."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise click.BadParameter(f"expected HOST:PORT, got {text!r}", param_hint=option)
    return host, int(port)


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "junit", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Also write the report to this file (e.g. a JUnit XML file).")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text output.")
def test_command(paths: tuple[str, ...], fmt: str, output: str | None, colour: bool | None) -> None:
    """Run flow test files (*.test.yaml) on simulated time; see docs/testing.md.

    PATHS are test files or directories (default: flows/). Exit status: 0 every case passed,
    1 a case failed, 2 a test file is broken (with file:line:col) or none was found.
    """
    from flowrt.testing.report import RENDERERS
    from flowrt.testing.suite import default_paths, run_tests

    suite = run_tests(list(paths) or default_paths(), _registry())
    text = RENDERERS[fmt](suite, _use_colour(colour) and fmt == "text")
    click.echo(text)
    if output:
        Path(output).write_text(RENDERERS[fmt](suite, False) + "\n", encoding="utf-8")
    if suite.broken:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if suite.failed else EXIT_OK)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing; exit 1 if a file would be reformatted.",
)
def fmt(paths: tuple[str, ...], check_only: bool) -> None:
    """Format flow files canonically, keeping comments and key order."""
    from flowrt.codes import diagnostic
    from flowrt.errors import LoadError
    from flowrt.load.formatter import format_document
    from flowrt.load.project import find_flow_files, load

    files, problems = find_flow_files(paths)
    for problem in problems:
        click.echo(str(problem), err=True)
    changed = 0
    broken = 0
    for path in files:
        try:
            doc = load(path)
        except LoadError as exc:
            broken += 1
            for d in exc.diagnostics:
                click.echo(str(d), err=True)
            continue
        formatted = format_document(doc)
        if formatted == doc.text:
            continue
        changed += 1
        if check_only:
            click.echo(
                str(
                    diagnostic(
                        "W107",
                        "file is not formatted",
                        f"run `flowrt fmt {doc.file}`",
                        file=doc.file,
                    )
                )
            )
        else:
            Path(path).write_text(formatted, encoding="utf-8")
            click.echo(f"formatted {doc.file}")
    verb = "would be reformatted" if check_only else "reformatted"
    click.echo(f"{changed} of {len(files)} file{'s' if len(files) != 1 else ''} {verb}")
    if problems:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_PROBLEMS if broken or (check_only and changed) else EXIT_OK)


@main.group("import")
def import_group() -> None:
    """Convert flows from another tool into flowrt flow files."""


@import_group.command("nodered")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Directory for the flow files (and secrets.yaml).")
@click.option("--credentials", type=click.Path(dir_okay=False), metavar="FILE",
              help="Node-RED's flows_cred.json.")
@click.option("--credential-secret", envvar="NODE_RED_CREDENTIAL_SECRET", metavar="SECRET",
              help="The credentialSecret that encrypts it [env: NODE_RED_CREDENTIAL_SECRET].")
@click.option("--report", "report_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Format of the import report.")
def import_nodered(source: str, output: str, credentials: str | None,
                   credential_secret: str | None, report_format: str) -> None:
    """Import a Node-RED export (flows.json) as flow files, with a node-by-node report."""
    from flowrt.nodered.command import run_import

    sys.exit(run_import(source, output, credentials, credential_secret, report_format, click.echo))


@main.group("export")
def export_group() -> None:
    """Convert flowrt flow files for another tool."""


@export_group.command("nodered")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="-",
              show_default=True, help="The Node-RED JSON file to write (- for stdout).")
def export_nodered(paths: tuple[str, ...], output: str) -> None:
    """Export flow files as Node-RED JSON (the editor's Import dialog or flows.json)."""
    from flowrt.nodered.command import run_export

    sys.exit(run_export(list(paths), output, click.echo))


def source_schema_path() -> Path:
    """schemas/flow.schema.json in the source tree this flowrt runs from."""
    return Path(__file__).resolve().parent.parent / "schemas" / "flow.schema.json"


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file.")
@click.option("--write", is_flag=True, help="Write schemas/flow.schema.json of the source tree.")
def schema(output: str | None, write: bool) -> None:
    """Print the JSON Schema of flow files, assembled from the installed node types."""
    from flowrt.registry.catalog import build_flow_schema

    text = json.dumps(build_flow_schema(_registry()), indent=2) + "\n"
    target = source_schema_path() if write else Path(output) if output else None
    if target is None:
        click.echo(text, nl=False)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}", err=True)


@main.group(invoke_without_command=True)
@click.option(
    "--category",
    type=click.Choice(["source", "transform", "script", "sink", "connection"]),
    help="Only this category.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def nodes(ctx: click.Context, category: str | None, fmt: str) -> None:
    """List the installed node types by category (`flowrt nodes show TYPE` for one)."""
    if ctx.invoked_subcommand is not None:
        return
    from flowrt.registry.docs import render_listing

    specs = [s for s in _registry() if category is None or s.category == category]
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in specs], indent=2))
    else:
        click.echo(render_listing(specs))


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False), default="docs/nodes",
              show_default=True, help="Directory for the generated pages.")
def docs(output: str) -> None:
    """Write one Markdown page per node type, generated from the declarations."""
    from flowrt.registry.docs import render_index, render_markdown

    target = Path(output)
    target.mkdir(parents=True, exist_ok=True)
    specs = list(_registry())
    for spec in specs:
        (target / f"{spec.type}.md").write_text(render_markdown(spec) + "\n", encoding="utf-8")
    (target / "README.md").write_text(render_index(specs) + "\n", encoding="utf-8")
    click.echo(f"wrote {len(specs) + 1} pages to {target}", err=True)


@nodes.command("show")
@click.argument("type_name", metavar="TYPE")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
)
def nodes_show(type_name: str, fmt: str) -> None:
    """Print one node type's documentation and configuration schema."""
    from flowrt.check.schema import suggest
    from flowrt.registry.docs import render_markdown

    registry = _registry()
    spec = registry.get(type_name)
    if spec is None:
        hint = suggest(type_name, registry.types()) or "run `flowrt nodes` to list them"
        click.echo(f"flowrt: error: unknown node type '{type_name}'. Hint: {hint}", err=True)
        sys.exit(EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps(spec.to_dict(), indent=2))
    else:
        click.echo(render_markdown(spec))
