"""The embedded MQTT broker (amqtt): :mod:`flowrt.broker.embedded` runs it, and
:mod:`flowrt.broker.access` says who may use it and for what. It sits below the node API so
that ``flowrt run --mqtt-broker`` and the ``mqtt-server`` node share one broker."""
