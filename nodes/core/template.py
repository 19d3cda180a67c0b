"""template: set a property from a Jinja or mustache template over the message."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal

from pydantic import ValidationInfo, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from flowrt.api import (
    EnvView,
    Message,
    NodeConfig,
    NodeError,
    Output,
    PropertyPath,
    StepCode,
    Transform,
    check_jinja,
    compile_jinja,
    field,
    setter,
)

from .context_store import ContextStore
from .template_fast import fast_template, template_code
from .template_mustache import Resolver, check_mustache, compile_mustache

Render = Callable[[Message], str]


class Template(Transform):
    """Set a property from a template over the message: Jinja, or mustache as in Node-RED.

    ### Inputs

    - any message: its properties are the template's variables;
    - `template` (string, optional): the template, when the node's `template` is empty.

    ### Outputs

    The message, with `property` set to the rendered text, or to the value parsed from it
    (`output: json` or `yaml`). With `scope: flow` or `global`, the result goes to that
    context instead and the message passes on unchanged.

    ### Details

    **Jinja** (`syntax: jinja`): the message's properties are variables (`{{ payload.name }}`),
    and so are `msg`, `flow`, `global` (`{{ flow.total }}`, `{{ global.get('site') }}`) and
    `env` (`{{ env.SITE }}`). Objects and lists print as JSON, `true`/`false` and null as in
    JSON, and a missing property prints as nothing. Nothing is escaped.

    **Mustache** (`syntax: mustache`, what imported Node-RED template nodes use) renders as
    Node-RED does: `{{payload.name}}` escapes HTML characters as mustache.js does,
    `{{{payload.name}}}` does not, `{{flow.name}}` and `{{global.name}}` read context.
    Objects print as JSON where Node-RED prints `[object Object]`. With `output: json`, strings
    are escaped for JSON, as in Node-RED.

    **Plain** (`syntax: plain`): the template is used as it is.

    The template is compiled once, when the flow starts (a template taken from `msg.template`
    is compiled when first seen, and the last 64 are kept).

    **Limits**, under every `--scripts` policy (see docs/security.md): Jinja runs in its
    immutable sandbox (no attribute starting with `_`, no Python internals, no changing a list
    or object), and `env` reads one variable at a time; mustache reads mappings and lists only
    and has no partials. A rendering that runs longer than 1 s, makes a text or list of more than
    10,000,000 characters or items, or recurses too deep fails its message with an error
    naming the limit; the flow goes on.
    """

    type = "template"
    icon = "doc"
    evaluates = {"jinja": ("template", "msg.template"), "mustache": ("template", "msg.template")}
    mutates = True

    class Config(NodeConfig):
        syntax: Literal["jinja", "mustache", "plain"] = field(
            "jinja", description="Jinja, mustache (as Node-RED), or plain text."
        )
        template: str = field(
            "",
            description="The template; when empty, `msg.template` is used.",
            examples=["Temperature in {{ topic }}: {{ payload.celsius }} °C"],
            format="multiline",
        )
        property: PropertyPath = field("payload", description="Where to put the result.")
        scope: Literal["msg", "flow", "global"] = field(
            "msg", description="Set the message property, or a flow or global context key."
        )
        output: Literal["text", "json", "yaml"] = field(
            "text", description="Keep the text, or parse it as JSON or YAML."
        )

        @field_validator("template")
        @classmethod
        def _compiles(cls, template: str, info: ValidationInfo) -> str:
            syntax = info.data.get("syntax")
            if syntax == "jinja":
                check_jinja(template)
            elif syntax == "mustache":
                check_mustache(template)
            return template

    config: Config

    async def start(self) -> None:
        cfg, ctx = self.config, self.ctx
        self._flow, self._global = ContextStore(ctx.flow), ContextStore(ctx.global_)
        self._resolve = Resolver(self._flow, self._global, cfg.output == "json")
        self._render = self._compile(cfg.template) if cfg.template else None
        self._compile_cached = lru_cache(maxsize=64)(self._compile)
        self._set = setter(cfg.property)
        self._parse = _PARSERS[cfg.output]

    def _compile(self, template: str) -> Render:
        """The template as a function of the message; ValueError if it does not compile."""
        syntax = self.config.syntax
        if syntax == "mustache":
            check_mustache(template)
            return compile_mustache(template, self._resolve)
        if syntax == "plain":
            return lambda msg: template
        check_jinja(template)
        return compile_jinja(
            template, {"flow": self._flow, "global": self._global, "env": EnvView(self.ctx.env)}
        )

    def fast_code(self) -> StepCode | None:
        """The fast step of one tag as code (:func:`.template_fast.template_code`), from the
        config alone."""
        cfg = self.config
        if (cfg.syntax != "mustache" or not cfg.template or cfg.scope != "msg"
                or cfg.output != "text"):
            return None
        return template_code(cfg.template, cfg.property)

    def fast_process(self) -> Callable[[Message], Output] | None:
        """This node's ``process`` for a fused run, for a mustache template of variable tags
        whose text is set on a message property (:mod:`.template_fast`)."""
        cfg = self.config
        if (cfg.syntax != "mustache" or not cfg.template or cfg.scope != "msg"
                or cfg.output != "text"):
            return None
        return fast_template(cfg.template, cfg.property)

    def process(self, msg: Message) -> Output:
        render = self._render or self._from_message(msg)
        text = render(msg)
        value = self._parse(text) if self._parse is not None else text
        if self.config.scope == "msg":
            self._set(msg, value)
        elif self.config.scope == "flow":
            self._flow.set(self.config.property, value)
        else:
            self._global.set(self.config.property, value)
        return msg

    def _from_message(self, msg: Message) -> Render:
        template = msg.get("template")
        if not isinstance(template, str):
            raise NodeError("no template: set the node's template or msg.template")
        try:
            render: Render = self._compile_cached(template)
        except ValueError as exc:
            raise NodeError(f"msg.template: {exc}") from None
        return render


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise NodeError(f"the rendered template is not JSON: {exc}; text: {_short(text)}") from None


def _parse_yaml(text: str) -> Any:
    try:
        return YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise NodeError(f"the rendered template is not YAML: {exc}") from None


def _short(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


_PARSERS: dict[str, Callable[[str], Any] | None] = {
    "text": None,
    "json": _parse_json,
    "yaml": _parse_yaml,
}
