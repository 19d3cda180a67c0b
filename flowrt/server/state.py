"""What the routes of `flowrt serve` share: the :class:`Server` they reach through
``request.app.state.server`` (:func:`server_of`)."""

from __future__ import annotations

from typing import Any

from flowrt.group.revisions import snapshot_hash
from flowrt.registry.discover import default_registry
from flowrt.server.deploy import Engine
from flowrt.server.events import Hub
from flowrt.server.files import FlowFiles
from flowrt.server.flow_cache import FlowCache
from flowrt.server.revisions import Revisions
from flowrt.server.settings import ServerSettings, default_state_dir


class Server:
    """What the routes share (``request.app.state.server``)."""

    def __init__(self, settings: ServerSettings) -> None:
        self.settings = settings
        self.registry = settings.registry or default_registry()
        self.files = FlowFiles(settings.flows)
        self.flow_cache = FlowCache(self.files)
        self.hub = Hub()
        self.engine = Engine(settings.flows, self.registry, settings.env, self.hub,
                             settings.close_timeout, settings.context_url, settings.group,
                             settings.scripts)
        state = settings.state_dir or default_state_dir(settings.flows)
        self.revisions = Revisions(settings.db_url, state, settings.keep_revisions,
                                   settings.keep_revisions_days)
        self.auth = settings.auth
        self.started_problem: str | None = None
        self.catalog: list[dict[str, Any]] | None = None
        self.follower: Any = None
        """The :class:`flowrt.group.follow.Follower` of a group with a database, or None."""

    def record_start(self) -> None:
        """Record what runs after start-up as a revision, unless the latest holds just that."""
        files = self.files.snapshot()
        latest = self.revisions.list()[:1]
        if not latest or latest[0].hash != snapshot_hash(files):
            self.revisions.add("local", files, "start")

    def close(self) -> None:
        """Close the revisions database and the flow cache (once the flows have stopped)."""
        self.revisions.close()
        self.flow_cache.close()


def server_of(request: Any) -> Server:
    """The :class:`Server` of the app a request (or WebSocket) came to."""
    server: Server = request.app.state.server
    return server
