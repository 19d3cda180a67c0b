"""HTTP nodes: serve endpoints from a flow (http-in answered by http-response) and call other
services (http-request).

http-in routes are served by the engine (``flowrt run --http HOST:PORT``, 127.0.0.1:1880 by
default). A request becomes a message whose ``res`` names the waiting request; http-response
answers it. Starlette and httpx are imported when a node starts, never with the registry.
"""
