"""What `flowrt serve` is started with (:class:`ServerSettings`), and where the editor is."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowrt.broker.embedded import EmbeddedBroker
from flowrt.check.policy import ScriptPolicy
from flowrt.registry.discover import Registry
from flowrt.run.paths import Sample, sample_setting
from flowrt.server.auth import Auth
from flowrt.server.protocol import BODY_TIMEOUT, HEADER_TIMEOUT
from flowrt.server.revisions import KEEP_REVISIONS

MAX_BODY = 2 * 1024 * 1024
"""Bytes a request's body may have (``ServerSettings.max_body``)."""


def _ui_dir() -> Path:
    """The editor's files: ui/ in a source checkout, else the copy bundled into the wheel."""
    source = Path(__file__).resolve().parent.parent.parent / "ui"
    if (source / "index.html").is_file():
        return source
    return Path(__file__).resolve().parent.parent / "_bundled" / "ui"


UI_DIR = _ui_dir()


def default_state_dir(flows: Path) -> Path:
    """Where `flowrt serve` keeps its state without ``--state-dir``: ``.flowrt`` beside the flows
    directory, never in it (nothing of the server's lands among the files a repository holds)."""
    return Path(flows).resolve().parent / ".flowrt"


@dataclass
class ServerSettings:
    flows: Path
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    auth: Auth = field(default_factory=Auth)
    db_url: str | None = None
    state_dir: Path | None = None
    """Where the server keeps its state, such as the revisions database (``--state-dir``);
    None: :func:`default_state_dir`."""
    max_body: int = MAX_BODY
    ui: Path = UI_DIR
    deploy_on_start: bool = True
    close_timeout: float = 15.0
    registry: Registry | None = None
    mqtt_broker: EmbeddedBroker | None = None
    """Start this embedded MQTT broker before the flows."""
    context_url: str | None = None
    """Persist context (sqlite:///... or postgresql://...); None keeps it in memory."""
    group: Any = None
    """A :class:`flowrt.group.Group` to run the flows as one of its workers, or None."""
    scripts: ScriptPolicy = "allow"
    """Which nodes that run a flow author's code deploy accepts (see :mod:`flowrt.check.policy`)."""
    allowed_hosts: tuple[str, ...] = ()
    """Host names served besides loopback and the local address (``--allowed-host``)."""
    public_urls: tuple[str, ...] = ()
    """The URLs browsers reach the server at behind a proxy (``--public-url``)."""
    secrets_file: Path | None = None
    """The ``--secrets`` file; a Node-RED import writes credentials into it when it is an
    encrypted store (or does not exist yet) and FLOWRT_SECRETS_KEY is set."""
    keep_revisions: int = KEEP_REVISIONS
    """Revisions kept (the newest); the current one and the one before are always kept."""
    keep_revisions_days: float | None = None
    """Also delete revisions older than this many days (None: no age limit)."""
    header_timeout: float = HEADER_TIMEOUT
    """Seconds a client has to send a request's headers (see :mod:`flowrt.server.protocol`)."""
    body_timeout: float = BODY_TIMEOUT
    """Seconds a client has to send a request's body, once its headers are in."""
    path_sample: Sample = field(default_factory=sample_setting)
    """Which messages' paths are recorded for the editor (``--path-sample``, see
    :mod:`flowrt.run.paths`)."""
