"""Raw TCP and UDP nodes: listen on or connect to a TCP port (tcp-in, tcp-out), ask a TCP
service and wait for its answer (tcp-request), receive and send UDP datagrams (udp-in,
udp-out).

They speak bytes on the wire, with Python's asyncio streams and datagram endpoints: no other
library. A listening node binds to 127.0.0.1 unless its `bind` says otherwise (Node-RED listens
on every interface). A message read from a TCP connection carries `_session`, which tcp-out
(`mode: reply`) uses to answer on that same connection.
"""
