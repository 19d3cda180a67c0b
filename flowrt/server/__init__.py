"""`flowrt serve`: the admin API, the editor's files and the running flows, in one Starlette app.

Modules by area: :mod:`.app` builds the app, :mod:`.deploy` runs the flows (one runtime per
group of connected flows, so a deploy restarts only what changed), :mod:`.files` guards the flows
directory, :mod:`.roundtrip` saves editor documents into the YAML text, :mod:`.revisions` keeps
deployed revisions, :mod:`.auth` checks users, tokens and cross-site requests, :mod:`.events`
feeds the WebSocket.
"""

