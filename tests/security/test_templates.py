"""Attacks on the template node's Jinja and mustache: a flow author reaching Python.

Under every script policy a template is allowed, so it must not lead anywhere a `script` node
would: no module globals, no class hierarchy, no template internals, no attribute of a Python
object the message or context holds, no file read through a mustache partial. Each attack that
could act tries to create a marker file, and the test checks the file is not there; those that
could only read check that nothing of what they aim at reaches any output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowrt.testing import FlowResult, run_flow


def template_flow(template: str, syntax: str = "jinja", **extra: Any) -> str:
    options = "".join(f", {key}: {json.dumps(value)}" for key, value in extra.items())
    return (
        "flowrt: 1\nnodes:\n"
        f"  t: {{type: template, syntax: {syntax}, template: {json.dumps(template)}{options}}}\n"
    )


def outputs(result: FlowResult) -> str:
    """Everything the flow sent, as one text to search for leaks."""
    return json.dumps({f"{k}": v for k, v in result.messages.items()}, default=repr)


def assert_refused(result: FlowResult, leak: str = "") -> None:
    """The message failed with an error on the template node and nothing was sent."""
    assert [e.node for e in result.errors] == ["t"], result.errors
    assert result.sent("t") == []
    if leak:
        assert leak not in outputs(result)


def touch(path: Path) -> str:
    return f"touch {path}"


ESCAPES = [
    "{{ lipsum.__globals__['os'].popen(CMD).read() }}",
    "{{ lipsum.__globals__.os.system(CMD) }}",
    "{{ cycler.__init__.__globals__.os.popen(CMD).read() }}",
    "{{ joiner.__init__.__globals__.os.popen(CMD).read() }}",
    "{{ namespace.__init__.__globals__.os.popen(CMD).read() }}",
    "{{ range.__globals__.os.popen(CMD).read() }}",
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
    "{% if c.__name__ == 'Popen' %}{{ c(CMD, shell=True).wait() }}{% endif %}{% endfor %}",
    "{{ (payload|attr('__class__')|attr('__mro__'))[1].__subclasses__() }}{{ CMD }}",
    "{{ self._TemplateReference__context.lipsum.__globals__.os.popen(CMD).read() }}",
    "{{ flow.get.__func__.__globals__['__builtins__']['__import__']('os').popen(CMD).read() }}",
    "{{ flow._store.__class__.__init__.__globals__['__builtins__'].__import__('os')"
    ".popen(CMD).read() }}",
    "{{ env.get.__func__.__globals__['__builtins__']['__import__']('os').popen(CMD).read() }}",
    "{{ msg.get.__self__.__class__.__mro__[1].__subclasses__() }}{{ CMD }}",
    "{{ '{0.__init__.__globals__}'.format(cycler) }}{{ CMD }}",
]


@pytest.mark.parametrize("attack", ESCAPES)
def test_jinja_cannot_reach_python(attack: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    template = attack.replace("CMD", json.dumps(touch(marker)).replace('"', "'"))
    result = run_flow(template_flow(template), inputs=[{"payload": {"a": 1}}])
    assert not marker.exists(), "the template ran a shell command"
    assert_refused(result, leak="<class")


@pytest.mark.parametrize(
    "attack",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self._TemplateReference__context }}",
        "{{ '{0.__class__}'.format(payload) }}",
        "{{ '{0.__class__.__mro__}'.format_map({'x': payload}) }}",
        "{{ payload|attr('__class__') }}",
        "{{ payload|map(attribute='__class__')|list }}",
        "{{ lipsum.__globals__ }}",
        "{{ cycler.__init__.__globals__ }}",
    ],
)
def test_jinja_reads_no_internals(attack: str) -> None:
    result = run_flow(template_flow(attack), inputs=[{"payload": {"a": 1}}])
    text = outputs(result)
    assert "<class" not in text and "__builtins__" not in text and "<module" not in text
    assert_refused(result)


CANARY = {"TEMPLATE_CANARY": "canary-7f3a"}
"""A variable of the process environment, as the runtime gives it to nodes."""


@pytest.mark.parametrize(
    "attack",
    ["{{ env }}", "{{ env.maps }}", "{{ env.parents }}", "{{ env.copy() }}",
     "{{ env.items()|list }}", "{{ env.keys()|list }}", "{{ flow.store }}", "{{ global._store }}",
     "{{ flow.get.__self__ }}", "{{ global.keys.__func__ }}"],
)
def test_jinja_env_flow_global_lead_nowhere(attack: str) -> None:
    """`env`, `flow` and `global` read values; they give no way to list the process
    environment or reach the stores behind them."""
    result = run_flow(template_flow(attack), inputs=[{"payload": 1}], env=CANARY)
    text = outputs(result)
    assert "canary-7f3a" not in text, "the environment was listed"
    assert "<bound method" not in text and "object at 0x" not in text
    assert "ChainMap" not in text and "<function" not in text


def test_jinja_env_reads_a_named_variable() -> None:
    template = "{{ env.TEMPLATE_CANARY }}|{{ env['TEMPLATE_CANARY'] }}|{{ env.get('NOPE', 'd') }}"
    result = run_flow(template_flow(template), inputs=[{"payload": 1}], env=CANARY)
    assert result.errors == []
    assert result.payloads("t") == ["canary-7f3a|canary-7f3a|d"]


def test_jinja_still_renders_what_flows_use() -> None:
    template = ("{{ payload.name|upper }} {{ payload.list|join(',') }} "
                "{{ '%.1f' % payload.v }} {{ '{:>4}'.format(payload.n) }} "
                "{% for i in range(3) %}{{ i }}{% endfor %} {{ payload.name.center(9, '*') }}")
    msg = {"payload": {"name": "bob", "list": [1, 2], "v": 2.25, "n": 7}}
    result = run_flow(template_flow(template), inputs=[msg])
    assert result.errors == []
    assert result.payloads("t") == ["BOB 1,2 2.2    7 012 ***bob***"]


SCRIPT_PUTS_OBJECT = """
  put:
    type: script
    code: |
      import pathlib
      class Toucher:
          def __init__(self, marker):
              self.marker = marker
              self.name = "an attribute"
          def touch(self):
              self.marker.touch()
              return "touched"
      marker = pathlib.Path(msg["marker"])
      msg["payload"] = {"obj": Toucher(marker), "fn": lambda text: marker.touch() or text}
      return msg
    to: t
"""


@pytest.mark.parametrize(
    "template",
    [
        "{{#payload.obj}}{{touch}}{{/payload.obj}}",
        "{{#payload.obj}}{{name}}{{/payload.obj}}",
        "{{#payload.fn}}text{{/payload.fn}}",
        "{{payload.fn}}{{#payload}}{{#obj}}{{touch}}{{/obj}}{{/payload}}",
    ],
)
def test_mustache_reads_data_only(template: str, tmp_path: Path) -> None:
    """Mustache looks names up in mappings and lists only: it reads no attribute of a Python
    object and calls nothing (no lambdas)."""
    marker = tmp_path / "ran"
    flow = template_flow(template, "mustache") + SCRIPT_PUTS_OBJECT
    result = run_flow(flow, inputs=[{"marker": str(marker)}], into="put")
    assert not marker.exists(), "the mustache template called a function"
    assert "an attribute" not in outputs(result)


@pytest.mark.parametrize("node", ["template", "trigger"])
def test_mustache_partials_read_no_file(
    node: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `{{> name}}` partial would load `name.mustache` from the working directory (or any
    path): flowrt gives mustache no partials, so it renders as nothing."""
    (tmp_path / "secret.mustache").write_text("the secret is 42")
    monkeypatch.chdir(tmp_path)
    template = "[{{> secret}}][{{>" + str(tmp_path / "secret") + "}}]"
    if node == "template":
        flow = template_flow(template, "mustache")
        sender = "t"
    else:
        flow = ("flowrt: 1\nnodes:\n"
                f"  g: {{type: trigger, first: {json.dumps(template)}, send: first}}\n")
        sender = "g"
    result = run_flow(flow, inputs=[{"payload": 1}])
    assert "the secret is 42" not in outputs(result)
    assert result.errors == [] and result.payloads(sender) == ["[][]"]


def test_trigger_mustache_reads_data_only(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    flow = ("flowrt: 1\nnodes:\n"
            "  g: {type: trigger, first: '{{#payload.obj}}{{touch}}{{name}}{{/payload.obj}}',"
            " send: first}\n" + SCRIPT_PUTS_OBJECT.replace("to: t", "to: g"))
    result = run_flow(flow, inputs=[{"marker": str(marker)}], into="put")
    assert not marker.exists(), "the trigger's mustache called a method"
    assert "an attribute" not in outputs(result)


@pytest.mark.parametrize("syntax", ["jinja", "mustache"])
def test_a_template_from_the_message_is_sandboxed_too(
    syntax: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`msg.template`, used when the node has none, is compiled in the same sandbox."""
    marker = tmp_path / "ran"
    (tmp_path / "secret.mustache").write_text("the secret is 42")
    monkeypatch.chdir(tmp_path)
    attack = ("{{ lipsum.__globals__.os.popen('touch " + str(marker) + "').read() }}"
              if syntax == "jinja" else "[{{> secret}}]")
    flow = "flowrt: 1\nnodes:\n" f"  t: {{type: template, syntax: {syntax}}}\n"
    result = run_flow(flow, inputs=[{"template": attack, "payload": 1}])
    assert not marker.exists()
    assert "the secret is 42" not in outputs(result)
    if syntax == "jinja":
        assert_refused(result)
        assert "__globals__" in result.errors[0].message
    else:
        assert result.payloads("t") == ["[]"]
