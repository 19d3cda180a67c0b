"""What the `flowrt` commands share: exit statuses, the registry, colour."""

from __future__ import annotations

import os
import sys
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
