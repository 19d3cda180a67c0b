"""Journal options shared by `flowrt run` and `flowrt serve` (see flowrt.run.journal)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def journal_options(command: F) -> F:
    """Add --state-dir, --journal-max-messages and --journal-max-bytes to a command."""
    options = [
        click.option("--state-dir", "state_dir", metavar="DIR", envvar="FLOWRT_STATE_DIR",
                     type=click.Path(file_okay=False),
                     help="Where sources keep their journals, and `serve` its revisions "
                          "[env: FLOWRT_STATE_DIR] (default: `run`: .flowrt beside the flow "
                          "files; `serve`: .flowrt beside the flows directory)."),
        click.option("--journal-max-messages", type=click.IntRange(min=1), default=250_000,
                     show_default=True, envvar="FLOWRT_JOURNAL_MAX_MESSAGES",
                     help="Most messages one source's journal holds; when full the source "
                          "stops reading ahead [env: FLOWRT_JOURNAL_MAX_MESSAGES]."),
        click.option("--journal-max-bytes", type=click.IntRange(min=1), default=1 << 30,
                     show_default=True, envvar="FLOWRT_JOURNAL_MAX_BYTES",
                     help="Most bytes of messages one source's journal holds "
                          "[env: FLOWRT_JOURNAL_MAX_BYTES]."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def configure_journal(state_dir: str | None, max_messages: int, max_bytes: int,
                      default: Path | None = None) -> None:
    """Set this process's journal settings; ``default``: the state directory when none is
    given (`flowrt run`: None, .flowrt beside each file)."""
    from flowrt.run.journal_file import JournalSettings, configure

    chosen = Path(state_dir) if state_dir else default
    configure(JournalSettings(chosen.resolve() if chosen else None, max_messages, max_bytes))
