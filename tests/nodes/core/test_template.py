"""The template node: Jinja, mustache as Node-RED renders it, plain; output parsing; targets."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow


def template_flow(template: str, **options: Any) -> str:
    text = "".join(f", {key}: {json.dumps(value)}" for key, value in options.items())
    return (
        "flowrt: 1\nnodes:\n"
        f"  t: {{type: template, template: {json.dumps(template)}{text}}}\n"
        "  oops: {type: catch}\n"
    )


MSG = {
    "topic": "kitchen",
    "payload": {"name": "Fred <&> 'x'", "v": 2.0, "list": [1, 2], "ok": True, "none": None},
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hello {{ payload.name }}", "Hello Fred <&> 'x'"),
        ("{{ topic }}/{{ msg.topic }}", "kitchen/kitchen"),
        ("{{ payload.list }} {{ payload.ok }} {{ payload.none }}", "[1, 2] true "),
        ("[{{ payload.missing.deeper }}]", "[]"),
        ("{% for i in payload.list %}{{ i * 10 }},{% endfor %}", "10,20,"),
        ("{{ payload.v | int }}", "2"),
        ("{{ flow.site }}|{{ flow.get('site') }}|{{ global.region }}", "north|north|"),
        ("{{ env.ROOM }}", "lab"),
        ("line\n", "line\n"),
    ],
)
def test_jinja(template: str, expected: str) -> None:
    flow = template_flow(template).replace("flowrt: 1\n", "flowrt: 1\nenv: {ROOM: lab}\n")
    flow += "  set: {type: script, code: \"flow.set('site', 'north')\\nreturn msg\", to: t}\n"
    result = run_flow(flow, inputs=[copy.deepcopy(MSG)], into="set")
    assert result.errors == []
    assert result.payloads("t") == [expected]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Hello {{payload.name}}", "Hello Fred &lt;&amp;&gt; &#39;x&#39;"),
        ("Hello {{{payload.name}}} {{& payload.name}}", "Hello Fred <&> 'x' Fred <&> 'x'"),
        ("{{payload.v}} {{payload.ok}} [{{payload.none}}] [{{nothing}}]", "2 true [] []"),
        ("{{payload.list}} {{payload.list.1}} {{payload.list.length}}", "1,2 2 2"),
        ("{{{payload}}}", '{"name":"Fred <&> \'x\'","v":2.0,"list":[1,2],"ok":true,"none":null}'),
        ("{{#payload.list}}<{{.}}>{{/payload.list}}", "<1><2>"),
        ("{{^payload.none}}none{{/payload.none}}", "none"),
        ("{{#payload}}{{v}}{{/payload}}", "2"),
        ("{{flow.site}} {{global.region}} {{flow[memory].site}}", "north  north"),
        ("{{=<% %>=}}<% topic %> {{topic}}", "kitchen {{topic}}"),
        ("{{! comment }}value {{topic}}", "value kitchen"),
    ],
)
def test_mustache_renders_as_node_red(template: str, expected: str) -> None:
    flow = template_flow(template, syntax="mustache")
    flow += "  set: {type: script, code: \"flow.set('site', 'north')\\nreturn msg\", to: t}\n"
    result = run_flow(flow, inputs=[copy.deepcopy(MSG)], into="set")
    assert result.errors == []
    assert result.payloads("t") == [expected]


def test_mustache_into_topic_as_in_the_benchmark() -> None:
    result = run_flow(
        template_flow("value {{payload.v}}", syntax="mustache", property="topic"),
        inputs=[{"payload": {"v": 0.5}}, {"payload": {"v": 3}}],
    )
    assert [m["topic"] for m in result.sent("t")] == ["value 0.5", "value 3"]
    assert [m["payload"] for m in result.sent("t")] == [{"v": 0.5}, {"v": 3}]


@pytest.mark.parametrize(
    ("template", "options", "payload"),
    [
        (
            '{"name": "{{ payload.name }}", "n": {{ payload.list | length }}}',
            {"output": "json"},
            {"name": "Fred <&> 'x'", "n": 2},
        ),
        (
            '{"text": "{{{payload.s}}}"}',
            {"output": "json", "syntax": "mustache"},
            {"text": "a\\b\nc"},
        ),
        (
            "name: {{ topic }}\nitems: {{ payload.list }}",
            {"output": "yaml"},
            {"name": "kitchen", "items": [1, 2]},
        ),
        ("{{ topic }}", {"syntax": "plain"}, "{{ topic }}"),
    ],
)
def test_output_formats(template: str, options: dict[str, Any], payload: Any) -> None:
    msg = {"topic": "kitchen", "payload": {"name": "Fred <&> 'x'", "list": [1, 2], "s": "a\\b\nc"}}
    result = run_flow(template_flow(template, **options), inputs=[msg], into="t")
    assert result.errors == []
    assert result.payloads("t") == [payload]


def test_invalid_json_output_is_an_error() -> None:
    result = run_flow(
        template_flow("{{ topic }}", output="json"), inputs=[copy.deepcopy(MSG)], into="t"
    )
    assert result.sent("t") == []
    [caught] = result.sent("oops")
    assert caught["error"]["message"].startswith("the rendered template is not JSON")


@pytest.mark.parametrize(
    ("options", "where"),
    [
        ({"property": "payload.greeting"}, "msg"),
        ({"scope": "flow", "property": "greeting.text"}, "flow"),
        ({"scope": "global", "property": "greeting"}, "global"),
    ],
)
def test_result_goes_to_the_chosen_place(options: dict[str, Any], where: str) -> None:
    result = run_flow(
        template_flow("hi {{ topic }}", **options), inputs=[copy.deepcopy(MSG)], into="t"
    )
    [out] = result.sent("t")
    if where == "msg":
        assert out["payload"]["greeting"] == "hi kitchen"
    elif where == "flow":
        assert result.flow_context("test") == {"greeting": {"text": "hi kitchen"}}
        assert out["payload"] == MSG["payload"]
    else:
        assert result.global_context() == {"greeting": "hi kitchen"}


@pytest.mark.parametrize("syntax", ["jinja", "mustache"])
def test_template_from_the_message(syntax: str) -> None:
    template = "{{ topic }}!" if syntax == "jinja" else "{{topic}}!"
    result = run_flow(
        template_flow("", syntax=syntax),
        inputs=[
            {"topic": "a", "template": template},
            {"topic": "b", "template": template},
            {"topic": "c"},
        ],
        into="t",
    )
    assert result.payloads("t") == ["a!", "b!"]
    assert [m["error"]["message"] for m in result.sent("oops")] == [
        "no template: set the node's template or msg.template"
    ]


@pytest.mark.parametrize(
    ("template", "syntax", "problem"),
    [
        ("{% for x in y %}", "jinja", "invalid Jinja template, line 1"),
        ("{{ a b }}", "jinja", "invalid Jinja template, line 1"),
        ("{{#a}}x{{/b}}", "mustache", "invalid mustache template"),
        ("payload={{payload", "mustache", "invalid mustache template: Unclosed tag at 17"),
    ],
)
def test_template_errors_are_found_when_the_flow_is_checked(
    template: str, syntax: str, problem: str
) -> None:
    with pytest.raises(CheckError) as info:
        run_flow(template_flow(template, syntax=syntax), inputs=[])
    assert [d.code for d in info.value.diagnostics] == ["E020"]
    assert problem in str(info.value)


@pytest.mark.parametrize(
    ("template", "problem"),
    [  # mustache.js's words and positions (checked against Node-RED's mustache)
        ("payload={{payload", "Unclosed tag at 17"),
        ("{{{a}}", "Unclosed tag at 6"),
        ("a {{b}} {{c", "Unclosed tag at 11"),
        ("}} {{", "Unclosed tag at 5"),
        ("{{a}}}", None),
        ("{{! note }} {{#a}}{{{b}}}{{/a}}", None),
    ],
)
def test_an_unclosed_mustache_tag_fails_the_message_as_in_node_red(
    template: str, problem: str | None
) -> None:
    result = run_flow(template_flow("", syntax="mustache"),
                      inputs=[{"template": template, "a": True, "b": "x"}], into="t")
    errors = [m["error"]["message"] for m in result.sent("oops")]
    if problem is None:
        assert errors == [] and len(result.sent("t")) == 1
    else:
        assert errors == [f"msg.template: invalid mustache template: {problem}"]
        assert result.sent("t") == []
