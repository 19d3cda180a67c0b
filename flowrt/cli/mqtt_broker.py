"""The embedded MQTT broker options of `flowrt run` and `flowrt serve`: ``--mqtt-broker``,
``--mqtt-user`` and ``--mqtt-acl``, and the broker they describe (docs/mqtt-broker.md).

Without ``--mqtt-acl`` every user may use every topic, as before the option existed; with it,
each user may do what the file's lines for it and its ``pattern`` lines grant, and nothing
else. The file is read once, when the command starts: an error in it stops the command with its
file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

from flowrt.cli.common import AddressOption, parse_address

if TYPE_CHECKING:
    from flowrt.broker.embedded import EmbeddedBroker

MQTT_BROKER_OPTION = click.option(
    "--mqtt-broker", "mqtt_broker", cls=AddressOption, metavar="[HOST:PORT]", is_flag=False,
    flag_value="127.0.0.1:1883",
    help="Start the embedded MQTT 3.1.1 broker, on 127.0.0.1:1883 unless an address follows "
         "(HOST:PORT or PORT, or --mqtt-broker=HOST:PORT); a flow file is never taken for it.")
MQTT_USER_OPTION = click.option(
    "--mqtt-user", "mqtt_users", multiple=True, metavar="NAME=SECRET",
    help="A user of the embedded MQTT broker (repeatable): NAME=SECRET names the secret (in "
         "--secrets or the environment) holding its password or Argon2 hash. With users the "
         "broker asks every client to log in, and may listen on any address.")
MQTT_ACL_OPTION = click.option(
    "--mqtt-acl", "mqtt_acl", type=click.Path(dir_okay=False), metavar="FILE",
    envvar="FLOWRT_MQTT_ACL",
    help="Topic ACLs of the embedded MQTT broker's users, in Mosquitto's acl_file format "
         "(user, topic and pattern lines, %u and %c); a user may then do only what the file "
         "grants it. Without it every user may use every topic [env: FLOWRT_MQTT_ACL].")


def embedded_broker(text: str | None, users: tuple[str, ...], env: Mapping[str, str],
                    acl_file: str | None = None) -> EmbeddedBroker | None:
    """The embedded broker --mqtt-broker asks for, with the --mqtt-user users (their passwords
    from the secrets) and the --mqtt-acl topic ACLs; ConfigError off loopback without users,
    for a secret not set, or for an ACL file that cannot be taken (with its file and line)."""
    from flowrt.broker.acl_file import read_acl_file
    from flowrt.broker.embedded import EmbeddedBroker, check_broker_host
    from flowrt.errors import ConfigError

    if not text:
        for given, option in ((users, "--mqtt-user gives a user"),
                              (acl_file, "--mqtt-acl (or FLOWRT_MQTT_ACL) gives topic ACLs")):
            if given:
                raise ConfigError(f"{option} to the embedded MQTT broker: add --mqtt-broker "
                                  "[HOST:PORT] to start it")
        return None
    host, port = parse_address(text, "--mqtt-broker")
    passwords: dict[str, str] = {}
    for given in users:
        name, sep, secret = given.partition("=")
        if not sep or not name or not secret:
            raise ConfigError(f"--mqtt-user expects NAME=SECRET (the name of the secret "
                              f"holding the password), got {given!r}")
        if not env.get(secret):
            raise ConfigError(f"--mqtt-user {name}={secret}: no secret {secret} is set; put "
                              "it in the --secrets file (or the environment)")
        passwords[name] = env[secret]
    check_broker_host(host, port, users=bool(passwords))
    acl = None
    if acl_file:
        if not passwords:
            raise ConfigError(
                f"--mqtt-acl {acl_file}: topic ACLs are per user, and without users every "
                "client gets in anonymously under any user name it likes: give the broker "
                "users with --mqtt-user NAME=SECRET")
        read = read_acl_file(acl_file)
        notes = list(read.notes)
        notes += [f"{acl_file}:{line}: user {name!r} is not a --mqtt-user: its lines grant "
                  "nothing" for name, line in read.users.items() if name not in passwords]
        for note in notes:
            click.echo(f"flowrt: warning: {note}", err=True)
        acl = read.acl
    return EmbeddedBroker(host, port, users=passwords, acl=acl)

