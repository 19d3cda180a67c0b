"""homeassistant-sensor: a sensor entity of Home Assistant whose state each message sets."""

from __future__ import annotations

from .homeassistant_entity import EntityConfig, HomeassistantEntity


class HomeassistantSensor(HomeassistantEntity):
    """Create a sensor in Home Assistant and set its state and attributes from each message
    (Node-RED's `sensor`, ha-sensor).

    ### Inputs

    - `payload` (`state`): the state: text, a number or a boolean.
    - the properties named in `attributes`.
    - unless `input_override: block`, an object `payload` with `state` and `attributes`
      sets them instead.

    ### Outputs

    The message, once Home Assistant has the state; with `output_data`, that property holds
    `{state, attributes}` as sent.

    ### Details

    Home Assistant makes entities for Node-RED only through its **Node-RED Companion**
    integration (custom component `nodered`, github.com/zachowj/hass-node-red, version 3.1
    on): without it each message fails, saying so. The entity is registered with the first
    message and again after each reconnect, with `name` and the `settings`; its id in Home
    Assistant comes from the name (`sensor.boiler_temperature`) and it keeps it across
    restarts (the connection's name and the node's id identify it, or `companion_ids`: an
    imported flow takes over the entities Node-RED made). Attribute names are written as the
    package writes them: lower case, spaces as `_`.

    ```yaml
    nodes:
      boiler:
        type: homeassistant-sensor
        server: home
        name: Boiler temperature
        settings: {device_class: temperature, unit_of_measurement: "°C"}
        attributes: {source: topic}
    ```
    """

    type = "homeassistant-sensor"
    icon = "plug"
    evaluates = {"jsonata": ("state",)}
    component = "sensor"

    class Config(EntityConfig):
        pass

    config: Config
