"""What the bounds on a flow author's regular expressions, templates and expressions cost.

Each line times one evaluation the way a node makes it, with the bound and without: a switch
``regex`` rule (``regex`` package with a timeout, against ``re``), a JSONata expression (with the
time limit and the size checks, against a bare ``jsonata-python`` evaluation) and a Jinja
template (the bounded sandbox, against a plain ``jinja2.Environment``)::

    python benchmarks/bench_evaluation.py            # best of 5 runs, microseconds per call
    python benchmarks/bench_evaluation.py --json
"""

from __future__ import annotations

import argparse
import json
import re
import time
import timeit
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from flowrt.api import compile_jinja, compile_regex
from flowrt.expressions.jsonata import compile_expression, compile_jsonata, jsonata_bindings

TOPIC = "plant/line-4/temperature"
MSG = {"topic": TOPIC, "payload": {"celsius": 21.5, "room": "lab", "items": [1, 2, 3, 4]}}


def _best(call: Callable[[], Any], number: int, repeat: int) -> float:
    """Microseconds per call, the best of ``repeat`` runs of ``number`` calls."""
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e6


def cases() -> dict[str, tuple[Callable[[], Any], Callable[[], Any]]]:
    """name -> (bounded, unbounded)."""
    import jinja2

    pattern = r"^plant/[^/]+/temp(erature)?$"
    bounded_re, plain_re = compile_regex(pattern), re.compile(pattern)
    ctx: Any = SimpleNamespace(flow={}, global_={}, env={}, now=time.time)
    expression = "$sum(payload.items) * payload.celsius & ' in ' & payload.room"
    bounded_jsonata = compile_expression(expression, ctx)
    bare, bindings = compile_jsonata(expression), jsonata_bindings(ctx)
    template = ("{{ topic }}: {{ payload.celsius }} °C in {{ payload.room|upper }} "
                "{% for i in payload['items'] %}{{ i }},{% endfor %}")
    bounded_jinja = compile_jinja(template, {})
    plain_jinja = jinja2.Environment().from_string(template).render
    return {
        "switch regex rule": (lambda: bounded_re.search(TOPIC) is not None,
                              lambda: plain_re.search(TOPIC) is not None),
        "JSONata expression": (lambda: bounded_jsonata(MSG, None),
                               lambda: bare.evaluate(MSG, bindings)),
        "Jinja template": (lambda: bounded_jinja(MSG),
                           lambda: plain_jinja({**MSG, "msg": MSG})),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for name, (bounded, plain) in cases().items():
        number = 200_000 if "regex" in name else 5_000
        with_bound = _best(bounded, number, args.repeat)
        without = _best(plain, number, args.repeat)
        rows.append({"case": name, "bounded_us": round(with_bound, 3),
                     "unbounded_us": round(without, 3), "ratio": round(with_bound / without, 2)})
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'case':<22}{'bounded':>12}{'unbounded':>12}{'ratio':>8}")
    for row in rows:
        print(f"{row['case']:<22}{row['bounded_us']:>10.2f}us{row['unbounded_us']:>10.2f}us"
              f"{row['ratio']:>7.2f}x")


if __name__ == "__main__":
    main()
