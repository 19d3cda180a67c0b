"""What the `flowrt` commands share: exit statuses, the registry, colour."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from flowrt.errors import RegistryError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def node_registry() -> Any:
    from flowrt.registry import default_registry

    try:
        return default_registry()
    except RegistryError as exc:
        click.echo(f"flowrt: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def files_read(project: Any) -> int:
    """Flow files looked at: loaded, or refused for what they hold (not paths that were absent
    or directories with no flow files)."""
    refused = {d.file for d in project.diagnostics if d.file and d.code not in ("E003", "E012")}
    return len(project.documents) + len(refused)


def use_colour(option: bool | None) -> bool:
    if option is not None:
        return option
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


_ADDRESS = re.compile(r"(\[[0-9A-Fa-f:.]*\]|[^\s:/\\\[\]]*):\d+|\d+")
"""HOST:PORT, [IPv6]:PORT or PORT: what an optional address option takes as its value."""


class AddressOption(click.Option):
    """An option whose HOST:PORT value may be left out (``--mqtt-broker``): given without a value
    it means its ``flag_value``. Used on an :class:`AddressCommand`, which decides what it takes."""


class AddressCommand(click.Command):
    """A command whose :class:`AddressOption` takes the next word as its value only when that
    word is an address (HOST:PORT or PORT) and not an existing path, or a value written with
    ``=``: ``flowrt run --mqtt-broker flows/sensors.yaml`` runs that file with the broker on
    its default address, as ``flowrt run --mqtt-broker 127.0.0.1:1884 FILE`` uses that address.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._with_values(args))

    def _with_values(self, args: list[str]) -> list[str]:
        defaults = {name: str(p.flag_value) for p in self.params
                    if isinstance(p, AddressOption) for name in p.opts}
        out: list[str] = []
        for i, word in enumerate(args):
            if word == "--":
                return out + args[i:]
            following = args[i + 1] if i + 1 < len(args) else None
            if word in defaults and not _is_address(following):
                word = f"{word}={defaults[word]}"
            out.append(word)
        return out


def _is_address(word: str | None) -> bool:
    return (word is not None and _ADDRESS.fullmatch(word) is not None
            and not Path(word).exists())


def parse_address(text: str, option: str) -> tuple[str, int]:
    """HOST:PORT (or just PORT, on 127.0.0.1) from a command-line option."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdecimal() or not 0 <= int(port) <= 65535:
        raise click.BadParameter(f"expected HOST:PORT, got {text!r}", param_hint=option)
    return host, int(port)
