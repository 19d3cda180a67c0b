"""`flowrt keys`: API keys for http-in and websocket endpoints with `auth: key`.

``add`` prints a new key once, on standard output (nothing else goes there, so it can be piped
into a device's provisioning); the keys file keeps only its hash (:mod:`flowrt.secrets.keys`).
``list`` shows names, scopes, state, expiry and last use, never a key. ``revoke`` takes effect
on the next request a running ``flowrt run`` or ``flowrt serve`` receives.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import NoReturn

import click

from flowrt.cli.common import EXIT_USAGE
from flowrt.errors import ConfigError

KEYS_OPTION = click.option(
    "--keys", "keys_file", type=click.Path(dir_okay=False), metavar="FILE", envvar="FLOWRT_KEYS",
    help="The API keys file (made by `flowrt keys add`) that endpoints with `auth: key` check "
         "keys against [env: FLOWRT_KEYS].")


def _fail(exc: Exception) -> NoReturn:
    click.echo(f"flowrt: error: {exc}", err=True)
    sys.exit(EXIT_USAGE)


FILE_OPTION = click.option(
    "--keys", "keys_file", type=click.Path(dir_okay=False), metavar="FILE",
    envvar="FLOWRT_KEYS", required=True,
    help="The keys file (created when missing) [env: FLOWRT_KEYS].")


@click.group("keys")
def keys_cli() -> None:
    """Make, list and revoke API keys (the keys file holds their hashes, never a key).

    Give the same file to `flowrt run --keys FILE` (or `flowrt serve`, or FLOWRT_KEYS);
    endpoints with `auth: key` then take the keys in it.
    """


@keys_cli.command("add")
@click.argument("name")
@click.option("--scopes", default="", metavar="A,B",
              help="Scopes of the key, separated by commas (an endpoint's `scopes` must all be "
                   "among them).")
@click.option("--expires", metavar="DURATION",
              help="The key stops working after this long: 30d, 12h, 90m, 2w.")
@FILE_OPTION
def add(name: str, scopes: str, expires: str | None, keys_file: str) -> None:
    """Make a key named NAME and print it (the only time it is shown)."""
    from flowrt.secrets.keys import add_key, parse_duration

    try:
        wanted = [s.strip() for s in scopes.split(",") if s.strip()]
        key = add_key(keys_file, name, wanted, parse_duration(expires) if expires else None)
    except ConfigError as exc:
        _fail(exc)
    click.echo(key)
    click.echo(f"flowrt: added key {name!r} to {keys_file}; this is the only time it is shown: "
               "give it to its client now", err=True)


@keys_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@FILE_OPTION
def list_keys(as_json: bool, keys_file: str) -> None:
    """Print each key's name, scopes, state, expiry and last use (never the key)."""
    from flowrt.secrets.keys import read_keys

    try:
        keys = read_keys(keys_file)
    except ConfigError as exc:
        _fail(exc)
    now = datetime.now(UTC)

    def when(moment: datetime | None) -> str | None:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None

    rows = [{"name": r.name, "scopes": list(r.scopes), "state": r.state(now),
             "created": when(r.created), "expires": when(r.expires),
             "last_used": when(r.last_used)} for r in sorted(keys.values(),
                                                               key=lambda r: r.name)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = [("NAME", "SCOPES", "STATE", "EXPIRES", "LAST USED")] + [
        (r.name, ",".join(r.scopes) or "-", r.state(now), when(r.expires) or "never",
         when(r.last_used) or "never") for r in sorted(keys.values(), key=lambda r: r.name)]
    widths = [max(len(str(row[i])) for row in table) for i in range(5)]
    for row in table:
        click.echo("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


@keys_cli.command("revoke")
@click.argument("name")
@click.option("--forget", is_flag=True,
              help="Remove the key from the file instead of keeping it listed as revoked.")
@FILE_OPTION
def revoke(name: str, forget: bool, keys_file: str) -> None:
    """Revoke the key NAME: refused from the next request on."""
    from flowrt.secrets.keys import revoke_key

    try:
        revoke_key(keys_file, name, forget)
    except ConfigError as exc:
        _fail(exc)
    click.echo(f"flowrt: {'removed' if forget else 'revoked'} key {name!r} in {keys_file}",
               err=True)


@keys_cli.command("hash-password")
def hash_password_command() -> None:
    """Print a password hash for `auth: basic` users (the password is read from standard
    input, or asked for without echo); store the hash as a secret and reference it."""
    from flowrt.run.access import hash_password

    if sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True, err=True)
    else:
        password = sys.stdin.read()
        password = password[:-2] if password.endswith("\r\n") else password.removesuffix("\n")
    if not password:
        _fail(ConfigError("no password: give it on standard input"))
    click.echo(hash_password(password))
