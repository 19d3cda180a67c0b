"""AMQP 0-9-1 (RabbitMQ): consume from queues and publish to exchanges.

- ``amqp-broker``: the connection (URL, virtual host, credentials, TLS, heartbeat);
- ``amqp-in``: a source with manual acknowledgement, settled only once the whole flow finished
  with each message (at-least-once), with a prefetch bound and a policy for failed messages;
- ``amqp-out``: a sink that publishes batches with publisher confirms.

Every node runs its own AMQP connection on the event loop (pika's ``AsyncioConnection``): no
thread, no hand-off per message. pika is imported when a node connects, never at discovery.
"""
