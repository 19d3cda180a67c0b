"""`flowrt secrets`: make a key, and keep an encrypted secrets store without ever showing a value.

Values go in through standard input or a hidden prompt, never through an argument (arguments
end up in shell history and in every user's process list), and nothing prints one: ``list``
shows names, ``check`` shows names and where the flows use them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from flowrt.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from flowrt.errors import ConfigError


def _fail(exc: Exception) -> NoReturn:
    click.echo(f"flowrt: error: {exc}", err=True)
    sys.exit(EXIT_USAGE)


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


@click.group("secrets")
def secrets_cli() -> None:
    """Keep secrets in a file encrypted with the key in FLOWRT_SECRETS_KEY.

    `flowrt run --secrets FILE` and `flowrt serve --secrets FILE` read such a store as they
    read a plain YAML secrets file.
    """


@secrets_cli.command("key")
def key() -> None:
    """Print a new random key (for FLOWRT_SECRETS_KEY)."""
    from flowrt.secrets.store import new_key

    click.echo(new_key())
    click.echo("flowrt: keep this key out of the flows and out of version control; give it to "
               "flowrt as FLOWRT_SECRETS_KEY", err=True)


@secrets_cli.command("set")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("name")
def set_secret(file: str, name: str) -> None:
    """Store NAME's value (read from standard input, or asked for without echo) in FILE,
    creating FILE when it does not exist."""
    from flowrt.secrets.store import check_name, merge_into_store

    try:
        check_name(name)
        if _stdin_is_tty():
            value = click.prompt(f"value of {name}", hide_input=True,
                                 confirmation_prompt=True, err=True)
        else:
            value = sys.stdin.read()
            value = value[:-2] if value.endswith("\r\n") else value.removesuffix("\n")
        if value == "":
            raise ConfigError(f"no value for {name}: give it on standard input")
        merge_into_store(file, {name: value})
    except ConfigError as exc:
        _fail(exc)
    click.echo(f"stored {name} in {file}", err=True)


@secrets_cli.command("list")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
def list_names(file: str) -> None:
    """Print the names FILE holds, one per line (never their values)."""
    for name in sorted(_load(file)):
        click.echo(name)


@secrets_cli.command("rm")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.argument("name")
def remove(file: str, name: str) -> None:
    """Remove NAME from FILE."""
    from flowrt.secrets.store import read_store, write_store

    try:
        secrets = read_store(file)
        if name not in secrets:
            click.echo(f"flowrt: {file} holds no {name}", err=True)
            sys.exit(EXIT_PROBLEMS)
        del secrets[name]
        write_store(file, secrets)
    except ConfigError as exc:
        _fail(exc)
    click.echo(f"removed {name} from {file}", err=True)


@secrets_cli.command("encrypt")
@click.argument("plain", type=click.Path(dir_okay=False, exists=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The encrypted store to write (it must not exist yet).")
def encrypt(plain: str, output: str) -> None:
    """Write the secrets of a plain YAML secrets file into a new encrypted store."""
    from flowrt.secrets.store import write_store

    if Path(output).exists():
        _fail(ConfigError(f"{output} exists; add to it with `flowrt secrets set {output} NAME`"))
    secrets = _load(plain)
    try:
        write_store(output, secrets)
    except ConfigError as exc:
        _fail(exc)
    click.echo(f"wrote {len(secrets)} secret(s) to {output}; once it works, delete {plain} "
               "(and any copy of it)", err=True)


@secrets_cli.command("check")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.argument("flows", nargs=-1, required=True, type=click.Path())
def check_references(file: str, flows: tuple[str, ...]) -> None:
    """Check that FILE (or the environment, or a flow's `env:`) gives a value to every secret
    reference of FLOWS; print each name that has none, and where it is used.

    Exit status: 0 every secret reference resolves, 1 some do not, 2 unreadable input.
    """
    import os

    from flowrt.cli.common import node_registry
    from flowrt.load import load_project
    from flowrt.secrets.store import KEY_ENV

    secrets = _load(file)
    project = load_project(flows)
    if project.unreadable:
        for d in project.diagnostics:
            click.echo(str(d), err=True)
        sys.exit(EXIT_USAGE)
    uses = secret_references(project, node_registry())
    missing = 0
    for name, places in sorted(uses.items()):
        if name in secrets or (name in os.environ and name != KEY_ENV):
            continue
        if all(flow_env for _, flow_env in places):
            continue
        missing += 1
        click.echo(f"{name}: no value; used by {', '.join(p for p, _ in places)}")
    if missing:
        click.echo(f"{missing} of {len(uses)} secret name(s) have no value; add them with "
                   f"`flowrt secrets set {file} NAME`", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"{len(uses)} secret name(s), every one has a value", err=True)
    sys.exit(EXIT_OK)


def _load(file: str) -> dict[str, str]:
    from flowrt.secrets.references import load_secrets

    try:
        secrets, warnings = load_secrets(file)
    except ConfigError as exc:
        _fail(exc)
    for warning in warnings:
        click.echo(f"flowrt: warning: {warning}", err=True)
    return secrets


def secret_references(project: Any, registry: Any) -> dict[str, list[tuple[str, bool]]]:
    """Name -> the places (``file:line:col node 'id' field``, and whether the flow's ``env:``
    gives it a value) of each ``${NAME}`` the flows use for a secret: in a field declared
    ``secret``, as the password of an address, or under a key named like a credential."""
    from flowrt.check.credentials import names_credential
    from flowrt.load.env import URL_PASSWORD, references

    found: dict[str, list[tuple[str, bool]]] = {}

    def walk(doc: Any, owner: str, path: tuple[Any, ...], key: Any, value: Any,
             secret: bool) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(doc, owner, (*path, k), k, v, secret or names_credential(k))
            return
        if isinstance(value, list):
            for i, v in enumerate(value):
                walk(doc, owner, (*path, i), key, v, secret)
            return
        if not isinstance(value, str):
            return
        text = value
        if not secret:
            match = URL_PASSWORD.match(value)
            if match is None:
                return
            text = match["password"]
        span = doc.span(path)
        for name, default in references(text):
            if default is None:
                place = f"{span.file}:{span.line}:{span.column} {owner} {path[-1]}"
                found.setdefault(name, []).append((place, name in doc.env))

    for doc in project.documents:
        for name, value in doc.env.items():
            walk(doc, "flow env", ("env", name), name, value, names_credential(name))
        for decl in [*doc.all_nodes(), *doc.connections.values()]:
            spec = registry.get(decl.type)
            secret_fields = spec.secret_fields if spec is not None else frozenset()
            for fname, value in decl.config.items():
                walk(doc, f"node '{decl.id}'", (*decl.path, fname), fname, value,
                     fname in secret_fields or names_credential(fname))
    return found
