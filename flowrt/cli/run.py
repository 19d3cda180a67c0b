"""The `flowrt` commands that run flows: `run` (headless) and `serve` (with the editor)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from flowrt.cli import workers as cli_workers
from flowrt.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    AddressCommand,
    files_read,
    node_registry,
    parse_address,
    use_colour,
)
from flowrt.cli.dashboard import DASHBOARD_OPTION, dashboard_side
from flowrt.cli.group import following, group_options, make_group, take_revision
from flowrt.cli.journal import configure_journal, journal_options
from flowrt.cli.keys import KEYS_OPTION
from flowrt.cli.mqtt_broker import (
    MQTT_ACL_OPTION,
    MQTT_BROKER_OPTION,
    MQTT_USER_OPTION,
    embedded_broker,
)
from flowrt.cli.tracing import trace_options

SCRIPTS_HELP = ("Which nodes that run a flow author's code are accepted: allow, sandboxed "
                "(no unrestricted Python `script` nodes) or deny [env: FLOWRT_SCRIPTS]")
FILES_OPTION = click.option(
    "--files", "file_roots", multiple=True, metavar="DIR", envvar="FLOWRT_FILES",
    type=click.Path(exists=True, file_okay=False),
    help="A directory file nodes may read and write (repeatable); under --scripts sandboxed "
         "or deny no other file is usable [env: FLOWRT_FILES, separated by ':'].")

@click.command(cls=AddressCommand)
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
              help="Values for ${NAME} references: a YAML file of NAME: value, or a store of "
                   "`flowrt secrets` (key in FLOWRT_SECRETS_KEY) [env: FLOWRT_SECRETS].")
@KEYS_OPTION
@click.option("--http", "http_address", metavar="HOST:PORT", default="127.0.0.1:1880",
              show_default=True, help="Where http-in nodes are served (only if a flow has one).")
@DASHBOARD_OPTION
@MQTT_BROKER_OPTION
@MQTT_USER_OPTION
@MQTT_ACL_OPTION
@click.option("--check-ports", is_flag=True,
              help="Check each message a node with `in:` or `out:` takes or sends against its "
              "ontology; one that does not conform fails at the node (docs/ontologies.md).")
@click.option("--scripts", type=click.Choice(["allow", "sandboxed", "deny"]), default="allow",
              envvar="FLOWRT_SCRIPTS", show_default=True, help=SCRIPTS_HELP + ".")
@FILES_OPTION
@group_options
@cli_workers.WORKERS_OPTION
@journal_options
@trace_options
def run(
    paths: tuple[str, ...],
    until_idle: bool,
    context_url: str | None,
    env_pairs: tuple[str, ...],
    log_format: str,
    log_level: str,
    close_timeout: float,
    secrets_file: str | None,
    keys_file: str | None,
    http_address: str,
    dashboard_address: str | None,
    mqtt_broker: str | None,
    mqtt_users: tuple[str, ...],
    mqtt_acl: str | None,
    check_ports: bool,
    scripts: str,
    file_roots: tuple[str, ...],
    group_name: str | None,
    group_db: str | None,
    worker_name: str | None,
    group_poll: float,
    workers: int | None,
    state_dir: str | None,
    journal_max_messages: int,
    journal_max_bytes: int,
) -> None:
    """Validate, compile and run flows until Ctrl-C or SIGTERM (or --until-idle), then drain
    in-flight messages, close, and print how many messages each node handled. With --workers,
    supervise that many worker processes of the flows instead (see docs/workers.md).

    Exit status: 0 ran and stopped cleanly, 1 the flows have errors (or, with --until-idle, a
    message failed with an error no catch node took), 2 unreadable input.
    """
    import asyncio

    from flowrt.check.report import render_text
    from flowrt.cli.logs import setup_logging
    from flowrt.compile import build_plan
    from flowrt.errors import CheckError, CompileError, ConfigError
    from flowrt.load import load_project
    from flowrt.run.main import render_summary, run_plan
    from flowrt.secrets.references import start_secrets

    slot = cli_workers.worker_slot() if workers else None
    setup_logging(log_format, log_level, worker=slot.name if slot else None)
    if workers:
        cli_workers.refuse(workers, until_idle=until_idle, mqtt_broker=mqtt_broker,
                           context_url=context_url)
    overrides = {}
    for pair in env_pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--env")
        overrides[name] = value
    if workers and slot is None:  # the parent checks the flows as worker 0 will run them
        overrides.setdefault("FLOWRT_WORKER_INDEX", "0")
    try:
        env, own, notes = start_secrets(secrets_file, overrides, context_url, group_db)
    except ConfigError as exc:
        click.echo(f"flowrt: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    for note in notes:
        click.echo(f"flowrt: warning: {note}", err=True)
    _use_keys(keys_file)
    _confine_files(scripts, file_roots, secrets_file, keys_file, mqtt_acl)
    configure_journal(state_dir, journal_max_messages, journal_max_bytes)
    http = parse_address(http_address, "--http")
    try:
        broker = embedded_broker(mqtt_broker, mqtt_users, env, mqtt_acl)
    except ConfigError as exc:
        click.echo(f"flowrt: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    from flowrt.check.policy import parse_policy
    from flowrt.compile.isolated import check_isolated

    registry = node_registry()
    take_revision(group_name, group_db, paths)
    project = load_project(paths)
    diagnostics = check_isolated(project, registry, env, scripts=parse_policy(scripts),
                                 cache_options={"check_ports": check_ports})
    try:
        plan, warnings = build_plan(project, registry, env=env, diagnostics=diagnostics)
        if check_ports:
            from flowrt.compile.port_checks import with_port_checks

            plan = with_port_checks(plan, project, registry)
    except CheckError as exc:
        files = files_read(project)
        _say(render_text(exc.diagnostics, files, use_colour(None)))
        sys.exit(EXIT_USAGE if project.unreadable else EXIT_PROBLEMS)
    except CompileError as exc:  # a value only known now, such as an unset ${VAR}, is invalid
        for warning in (d for d in diagnostics if d.severity == "warning"):
            _say(str(warning))
        _say(f"flowrt: error: {exc}")
        sys.exit(EXIT_PROBLEMS)
    for warning in warnings:
        _say(str(warning))
    if not plan.nodes:
        click.echo("flowrt: nothing to run: no enabled nodes", err=True)
        sys.exit(EXIT_PROBLEMS)
    if workers and slot is None:
        cli_workers.run_parent(workers, paths, group_name, group_db, own)
    try:
        group = (cli_workers.worker_group(slot, group_name or "", group_db, worker_name,
                                          group_poll) if slot
                 else make_group(group_name, group_db, worker_name, group_poll))
        running = run_plan(plan, env=env, until_idle=until_idle, context_url=context_url,
                           close_timeout=close_timeout, http=http, mqtt_broker=broker,
                           group=group, reuse_port=slot is not None,
                           side=dashboard_side(dashboard_address, own),
                           following=following(group, paths, until_idle, check_ports))
        outcome = asyncio.run(cli_workers.supervised(slot, running) if slot else running)
    except (ConfigError, OSError) as exc:
        _say(f"flowrt: error: {exc}")
        sys.exit(EXIT_PROBLEMS)
    if slot is not None:
        cli_workers.leave_summary(slot, group.worker, outcome.summary, outcome.failed,
                                  group.messages)
    else:
        _say(render_summary(outcome.summary))
    if outcome.failed:
        click.echo(f"{outcome.failed} message(s) failed with errors no catch node took", err=True)
    sys.exit(EXIT_PROBLEMS if until_idle and outcome.failed else EXIT_OK)


@click.command(cls=AddressCommand)
@click.option("--flows", "flows_dir", type=click.Path(file_okay=False), default="flows",
              show_default=True, help="The directory of flow files to run and edit.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; other than loopback needs authentication.")
@click.option("--port", type=int, default=1880, show_default=True)
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              envvar="FLOWRT_ALLOWED_HOSTS",
              help="A Host name to answer besides loopback and the bound address (repeatable; "
                   "*.example.com for the names under it) [env: FLOWRT_ALLOWED_HOSTS, "
                   "space separated].")
@click.option("--public-url", "public_urls", multiple=True, metavar="URL",
              envvar="FLOWRT_PUBLIC_URL",
              help="The URL browsers use behind a proxy, such as https://flows.example.com: "
                   "its name is answered and its origin may change state (repeatable) "
                   "[env: FLOWRT_PUBLIC_URL, space separated].")
@click.option("--secrets", "secrets_file", type=click.Path(dir_okay=False), metavar="FILE",
              envvar="FLOWRT_SECRETS",
              help="Values for ${NAME} references: a YAML file of NAME: value, or a store of "
                   "`flowrt secrets` (key in FLOWRT_SECRETS_KEY) [env: FLOWRT_SECRETS].")
@KEYS_OPTION
@click.option("--auth-file", type=click.Path(dir_okay=False), metavar="FILE",
              envvar="FLOWRT_AUTH_FILE",
              help="YAML `users: {name: pbkdf2_sha256$...}` [env: FLOWRT_AUTH_FILE]; bearer "
                   "tokens come from FLOWRT_TOKENS.")
@click.option("--db", "db_url", metavar="URL",
              help="Database for revisions (default: SQLite in the --state-dir).")
@click.option("--context-store", "context_url", metavar="URL",
              help="Persist context: sqlite:///path.db or postgresql://... (default: memory).")
@click.option("-e", "--env", "env_pairs", multiple=True, metavar="NAME=VALUE",
              help="Set an environment variable for the flows (repeatable).")
@MQTT_BROKER_OPTION
@MQTT_USER_OPTION
@MQTT_ACL_OPTION
@click.option("--close-timeout", type=float, default=15.0, show_default=True,
              help="Seconds to drain in-flight messages on shutdown and redeploy.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]),
              default="info", show_default=True)
@click.option("--scripts", type=click.Choice(["allow", "sandboxed", "deny"]),
              envvar="FLOWRT_SCRIPTS",
              help=SCRIPTS_HELP + "; default: allow on loopback, sandboxed on other addresses "
                   "or with --public-url or --allowed-host.")
@click.option("--keep-revisions", type=click.IntRange(min=2), default=100, show_default=True,
              help="Deployed revisions kept (the newest); the current one and the one before "
                   "are never deleted.")
@click.option("--keep-revisions-days", type=click.FloatRange(min=0, min_open=True),
              metavar="DAYS", help="Also delete revisions older than this (default: no limit).")
@click.option("--header-timeout", type=click.FloatRange(min=0, min_open=True), default=20.0,
              show_default=True, help="Seconds a client has to send a request's headers.")
@click.option("--body-timeout", type=click.FloatRange(min=0, min_open=True), default=60.0,
              show_default=True, help="Seconds a client has to send a request's body.")
@FILES_OPTION
@group_options
@journal_options
@trace_options
def serve(flows_dir: str, host: str, port: int, allowed_hosts: tuple[str, ...],
          public_urls: tuple[str, ...], secrets_file: str | None, keys_file: str | None,
          auth_file: str | None, db_url: str | None, context_url: str | None,
          env_pairs: tuple[str, ...],
          mqtt_broker: str | None, mqtt_users: tuple[str, ...], mqtt_acl: str | None,
          close_timeout: float,
          log_format: str,
          log_level: str, scripts: str | None, keep_revisions: int,
          keep_revisions_days: float | None, header_timeout: float, body_timeout: float,
          file_roots: tuple[str, ...], group_name: str | None, group_db: str | None,
          worker_name: str | None, group_poll: float, state_dir: str | None,
          journal_max_messages: int, journal_max_bytes: int) -> None:
    """Run the flows of a directory and serve the editor and the admin API (until Ctrl-C).

    Exit status: 0 served and stopped cleanly, 2 bad options (e.g. a public --host without
    authentication, or a port in use).
    """
    from flowrt.check.policy import default_policy, parse_policy
    from flowrt.cli.logs import setup_logging
    from flowrt.errors import ConfigError
    from flowrt.netloc import host_port
    from flowrt.secrets.references import start_secrets
    from flowrt.server.serve import Auth, ServerSettings, is_loopback
    from flowrt.server.serve import serve as run_server
    from flowrt.server.settings import default_state_dir

    setup_logging(log_format, log_level)
    overrides = dict(pair.partition("=")[::2] for pair in env_pairs)
    try:
        env, own, notes = start_secrets(secrets_file, overrides, db_url, context_url, group_db)
        for note in notes:
            click.echo(f"flowrt: warning: {note}", err=True)
        auth = Auth.load(auth_file, own.get("FLOWRT_TOKENS"))
        # reached only from this machine: loopback, and no other name to be reached by
        local = is_loopback(host) and not (allowed_hosts or public_urls)
        policy = parse_policy(scripts) if scripts else default_policy(local)
        _use_keys(keys_file)
        _confine_files(policy, file_roots, secrets_file, auth_file, keys_file, mqtt_acl)
        state = Path(state_dir) if state_dir else default_state_dir(Path(flows_dir))
        configure_journal(str(state), journal_max_messages, journal_max_bytes)
        settings = ServerSettings(
            flows=Path(flows_dir), env=env, state_dir=state,
            auth=auth, db_url=db_url, context_url=context_url, close_timeout=close_timeout,
            registry=node_registry(),
            mqtt_broker=embedded_broker(mqtt_broker, mqtt_users, env, mqtt_acl),
            scripts=policy,
            secrets_file=Path(secrets_file) if secrets_file else None,
            allowed_hosts=(*allowed_hosts, *_named(host)), public_urls=public_urls,
            keep_revisions=keep_revisions, keep_revisions_days=keep_revisions_days,
            header_timeout=header_timeout, body_timeout=body_timeout,
            group=make_group(group_name, group_db, worker_name, group_poll,
                             address=f"http://{host_port(host, port)}"))
        run_server(settings, host, port, log_level)
    except ConfigError as exc:
        click.echo(f"flowrt: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _say(text: str) -> None:
    """Print for the operator, with every secret value hidden (see flowrt.secrets.redact)."""
    from flowrt.secrets.redact import redact

    click.echo(redact(text), err=True)


def _confine_files(policy: str, roots: tuple[str, ...], *private: str | None) -> None:
    """Set the policy flows run under, and which files they may use (see flowrt.check.policy and
    flowrt.file_access); say so when confined."""
    import logging

    from flowrt.check import policy as policies
    from flowrt.file_access import FileAccess, configure

    policies.configure(policies.parse_policy(policy))
    access = FileAccess.for_policy(policy, roots, private=private)
    configure(access)
    if access.confined:
        logging.getLogger("flowrt.run").info("%s", access.describe())


def _use_keys(keys_file: str | None) -> None:
    """Endpoints with `auth: key` check keys against ``keys_file`` (worker processes too)."""
    import os

    from flowrt.secrets.keys import KEYS_ENV, use_keys

    if keys_file:
        os.environ[KEYS_ENV] = str(Path(keys_file).resolve())
        use_keys(os.environ[KEYS_ENV])


def _named(host: str) -> tuple[str, ...]:
    """--host given as a name (not an address): a Host name to answer."""
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return (host,) if host else ()
    return ()
