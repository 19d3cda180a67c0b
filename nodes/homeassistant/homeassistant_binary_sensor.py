"""homeassistant-binary-sensor: a binary sensor entity of Home Assistant whose state (on or off)
each message sets."""

from __future__ import annotations

from .homeassistant_entity import EntityConfig, HomeassistantEntity


class HomeassistantBinarySensor(HomeassistantEntity):
    """Create a binary sensor in Home Assistant and set it on or off, with its attributes,
    from each message (Node-RED's `binary sensor`, ha-binary-sensor).

    ### Inputs

    - `payload` (`state`): on for `true`, `1`, `yes`, `enable`, `on`, `open`, `home` or
      `unlocked` (as the companion integration reads it), off otherwise.
    - the properties named in `attributes`.
    - unless `input_override: block`, an object `payload` with `state` and `attributes`
      sets them instead.

    ### Outputs

    The message, once Home Assistant has the state; with `output_data`, that property holds
    `{state, attributes}` as sent.

    ### Details

    As homeassistant-sensor: it needs Home Assistant's **Node-RED Companion** integration
    (custom component `nodered`, github.com/zachowj/hass-node-red, version 3.1 on), and the
    entity (`binary_sensor.car_in_garage` for the name `Car in garage`) is registered with
    the first message and again after each reconnect.

    ```yaml
    nodes:
      garage:
        type: homeassistant-binary-sensor
        server: home
        name: Car in garage
        settings: {device_class: occupancy}
    ```
    """

    type = "homeassistant-binary-sensor"
    icon = "plug"
    evaluates = {"jsonata": ("state",)}
    component = "binary_sensor"

    class Config(EntityConfig):
        pass

    config: Config
