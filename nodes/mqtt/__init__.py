"""MQTT (3.1.1 and 5): subscribe to topics and publish to them.

- ``mqtt-broker``: the connection (URL, client id, credentials, TLS, session, will, birth and
  close messages), one paho client shared by the nodes that name it;
- ``mqtt-in``: a source for a topic filter (wildcards, shared subscriptions), acknowledging
  QoS 1 messages only once the flow finished with them (at-least-once);
- ``mqtt-in-dynamic``: an mqtt-in whose subscriptions its input messages make and remove;
- ``mqtt-out``: a sink that publishes batches and waits for the broker's acknowledgements;
- ``mqtt-server``: a broker (flowrt's embedded amqtt broker, with users and topic ACLs) that
  runs while its flow runs, its client events and published messages on two outputs.

paho runs its network loop in its own thread; its callbacks are handed to the event loop in
bursts (:mod:`flowrt_nodes.mqtt.mqtt_session`). paho is imported when a node connects, never at
discovery.
"""
