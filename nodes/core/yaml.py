"""yaml: convert between YAML text and objects.

The module is named ``yaml`` for its type id. flowrt imports its packs with absolute imports
only, so a module of ``flowrt_nodes.core`` that wrote ``import yaml`` would still get the PyYAML
package, never this module; this one uses ruamel.yaml (YAML 1.2).
"""

from __future__ import annotations

import io
import textwrap
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    NodeError,
    Output,
    PropertyPath,
    Transform,
    field,
    getter,
    setter,
)


class Yaml(Transform):
    """Convert between YAML text and objects.

    ### Inputs

    A message whose `property` (default `payload`) holds YAML text, or an object or a list.

    ### Outputs

    Text is parsed (YAML 1.2) into the value it describes; an object or a list is written as
    block-style YAML text. A message without the property passes unchanged.

    ### Details

    Text that is not valid YAML is an error (catch nodes receive the message). Other values
    (numbers, booleans, bytes) are not converted: the message is dropped with a warning.

    ```yaml
    config:
      type: yaml
      property: payload.settings
    ```
    """

    type = "yaml"
    icon = "braces"

    class Config(NodeConfig):
        property: PropertyPath = field("payload", description="Message property to convert.")

    async def start(self) -> None:
        self._get, self._set = getter(self.config.property), setter(self.config.property)
        self._yaml = YAML(typ="safe", pure=True)
        self._yaml.default_flow_style = False
        self._yaml.indent(mapping=2, sequence=4, offset=2)
        self._yaml.allow_unicode = True
        self._yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # keep order

    def process(self, msg: Message) -> Output:
        value = self._get(msg)
        if value is MISSING:
            return msg
        if isinstance(value, str):
            try:
                parsed: Any = self._yaml.load(value)
            except YAMLError as exc:
                raise NodeError(f"yaml: {self.config.property} is not valid YAML: {exc}") from exc
            self._set(msg, parsed)
            return msg
        if isinstance(value, dict | list) or value is None:
            out = io.StringIO()
            self._yaml.dump(value, out)
            text = out.getvalue()
            # a top-level list comes out shifted by the sequence offset; bring it back left
            self._set(msg, textwrap.dedent(text) if isinstance(value, list) else text)
            return msg
        self.ctx.warn(f"yaml: {self.config.property} is not text or an object; dropped", msg)
        return None
