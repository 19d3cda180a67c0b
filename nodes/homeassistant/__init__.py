"""Home Assistant nodes (Node-RED's node-red-contrib-home-assistant-websocket): a
homeassistant-server connection holds one WebSocket to Home Assistant's API; the nodes call
services, read states, and turn state changes and events into messages.

The client uses the ``websockets`` library, imported when a node starts, never with the
registry.
"""
