"""`flowrt serve`: the admin API, the editor's files and the running flows, in one Starlette app.

Modules by area: :mod:`.app` assembles the app (only :mod:`.serve` and the CLI import it) from
the ``routes_*`` modules, which share the :class:`~.state.Server` (:mod:`.state`, built from
:mod:`.settings`) and the JSON of :mod:`.json_api`, never one another; :mod:`.lifespan` runs the
flows while the app serves, :mod:`.deploy` runs them (one runtime per group of connected flows, so
a deploy restarts only what changed), :mod:`.files` guards the flows directory, :mod:`.roundtrip`
saves editor documents into the YAML text, :mod:`.revisions` keeps deployed revisions,
:mod:`.auth` checks users, tokens and cross-site requests, :mod:`.events` feeds the WebSocket.
"""

