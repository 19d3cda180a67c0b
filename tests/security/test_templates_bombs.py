"""Resource bombs in templates: each must fail its message with an error naming the limit it
hit, never hang the flow or exhaust the process, and the next message must pass.

The flows run in a child process capped at a few GiB (see isolated_flow.py): a bound that does
not hold shows as a MemoryError or a hang guard there, not on the machine.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.security.isolated_flow import run_isolated

JINJA_BOMBS = {
    # name: (template, n of the bomb, n of the harmless message after it)
    "range-list": ("{{ range(payload.n)|list|length }}", 10**9, 3),
    "string-repeat": ("{{ ('a' * payload.n)|length }}", 10**9, 3),
    "list-repeat": ("{{ ([1] * payload.n)|length }}", 10**9, 3),
    "percent-repeat": ("{{ ('%s' * payload.n) % ((1,) * payload.n) }}", 10**8, 3),
    "percent-width": ("{{ ('%' ~ payload.n ~ 'd') % 1 }}", 999_999_999, 3),
    "format-width": ("{{ ('{:>' ~ payload.n ~ '}').format(1) }}", 999_999_999, 3),
    "format-nested-width": ("{{ '{:>{}}'.format(1, payload.n) }}", 999_999_999, 3),
    "center": ("{{ 'x'.center(payload.n) }}", 999_999_999, 3),
    "center-filter": ("{{ 'x'|center(payload.n) }}", 999_999_999, 3),
    "indent-filter": ("{{ ('x\\n' * 1000)|indent(payload.n) }}", 10**7, 2),
    "power": ("{{ (10 ** payload.n) > 0 }}", 10**10, 3),
    "square": ("{% set ns = namespace(n=7) %}{% for i in range(payload.n) %}"
               "{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n > 0 }}", 40, 2),
    "doubling": ("{% set ns = namespace(s='x') %}{% for i in range(payload.n) %}"
                 "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}", 60, 2),
    "doubling-plus": ("{% set ns = namespace(s='x') %}{% for i in range(payload.n) %}"
                      "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}", 60, 2),
    "join": ("{% set s = 'x' * 1000000 %}{{ ([s] * payload.n)|join|length }}", 100_000, 2),
    "replace": ("{{ ('x' * 100000).replace('x', 'y' * payload.n)|length }}", 100_000, 2),
    "output": ("{% for i in range(payload.n) %}{{ payload.big }}{% endfor %}", 100_000, 2),
    "loops": ("{% for i in range(payload.n) %}{% for j in range(payload.n) %}"
              "{% for k in range(payload.n) %}{% endfor %}{% endfor %}{% endfor %}", 100_000, 2),
    "recursion": ("{% macro f(n) %}{% if n < payload.n %}{{ f(n + 1) }}{% endif %}{% endmacro %}"
                  "{{ f(0) }}", 100_000, 3),
    "branching-recursion": ("{% macro f(n) %}{% if n < payload.n %}{{ f(n + 1) }}{{ f(n + 1) }}"
                            "{% endif %}{% endmacro %}{{ f(0) }}", 60, 3),
    "lipsum": ("{{ lipsum(payload.n)|length }}", 10**7, 1),
    "batch": ("{{ [1]|batch(payload.n, 0)|list|length }}", 10**9, 2),
}

MUSTACHE_BOMBS = {
    "nested-sections": "{{#payload}}{{#payload}}{{#payload}}{{#payload}}xxxxxxxxxx"
    "{{/payload}}{{/payload}}{{/payload}}{{/payload}}",
    "section-output": "{{#payload}}{{#payload}}{{{big}}}{{/payload}}{{/payload}}",
}

BIG = "y" * 100_000


def _flow(template: str, syntax: str) -> str:
    return (
        "flowrt: 1\nnodes:\n"
        f"  t: {{type: template, syntax: {syntax}, template: {json.dumps(template)}}}\n"
    )


CASES: list[tuple[str, str, list[dict[str, Any]]]] = [
    (name, _flow(template, "jinja"),
     [{"payload": {"n": bomb, "big": BIG}}, {"payload": {"n": harmless, "big": "ok"}}])
    for name, (template, bomb, harmless) in JINJA_BOMBS.items()
]
CASES += [
    (name, _flow(template, "mustache"),
     [{"payload": list(range(1000)), "big": BIG}, {"payload": [1], "big": "ok"}])
    for name, template in MUSTACHE_BOMBS.items()
]


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    runs = run_isolated([{"flow": flow, "inputs": inputs} for _, flow, inputs in CASES])
    return {name: run for (name, _, _), run in zip(CASES, runs, strict=True)}


@pytest.mark.parametrize("name", [name for name, _, _ in CASES])
def test_bomb_fails_its_message_only(name: str, results: dict[str, dict[str, Any]]) -> None:
    run = results[name]
    assert "crash" not in run, run.get("crash")
    assert len(run["errors"]) == 1, run["errors"]
    error = run["errors"][0]
    assert error["node"] == "t"
    assert "limit" in error["message"], error["message"]
    assert len(run["sent"].get("t:0", [])) == 1, "the next message did not pass"
