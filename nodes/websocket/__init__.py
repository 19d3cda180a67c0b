"""WebSocket nodes: serve a WebSocket path from a flow (a websocket-listener connection) or
connect to a WebSocket server (a websocket-client connection); websocket-in turns each frame
received into a message, websocket-out sends messages as frames.

Listener paths are served by the engine beside http-in routes (``flowrt run --http
HOST:PORT``, or under ``flowrt serve``). The client uses the ``websockets`` library, imported
when a node starts, never with the registry.
"""
