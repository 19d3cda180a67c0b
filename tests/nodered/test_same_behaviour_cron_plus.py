"""An imported cron-plus node answers as node-red-contrib-cron-plus does: one Node-RED export
runs in real Node-RED 4 with the contrib package (installed from npm on first use, see
tests/nodered/contrib.py) and, imported, in flowrt on simulated time; every debug node gets the
same messages.

- commands in: `trigger` by topic and by a command object, for schedules with a `str`,
  `json`, `num` and the `default` payload (the schedule's details), a schedule added by an
  `add` command and triggered, `export-all`, `export`, `status` of a schedule and of one that
  does not exist, and after a `pause`, `list` and `next` (cron-plus 2.x's commands; left out
  with 1.x, the only version some npm mirrors hold); answers leave by the second output
  (`output2`);
- a schedule firing every second: its first three messages;
- `describe` of solar events (three places, offsets, one near the Arctic circle) and of a
  cron expression from a given time: the next solar event and its time (the same to the
  millisecond: cron-plus's suncalc formulas), the next five cron times.

Compared: every property Node-RED sets, recursively, with the same value, except times and
texts that depend on the moment or the locale (trigger and next times, `description`,
`nextDescription`, `timeZone`), of which only the presence and type are compared. cron-plus
before 2.0 does not give a schedule's `index`, `isRunning` and `count` in its config; flowrt
does, as 2.x does.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_cron_plus.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.nodered.contrib import version, with_contrib
from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home

PACKAGE = "node-red-contrib-cron-plus"
KEYS = ("payload", "topic", "manualTrigger", "scheduledEvent", "cronplus", "error")
NEVER = "0 0 0 1 1 * 2090"
VOLATILE = {"triggerTimestamp", "serverTime", "nextDate", "nextDateTZ", "nextDescription",
            "description", "timeZone", "serverTimeZone", "next", "nextLocal", "when", "msUntil",
            "prettyNext"}
NEWER = {"index", "isRunning", "count"}
"""Config keys cron-plus 2.x added (flowrt gives them)."""

COMMANDS: list[tuple[str, Any, str]] = [  # (topic, payload, payload type)
    ("trigger", "str-sched", "str"),
    ("trigger", "json-sched", "str"),
    ("", '{"command": "trigger", "name": "num-sched"}', "json"),
    ("trigger", "default-sched", "str"),
    ("export-all", "", "str"),
    ("status", "str-sched", "str"),
    ("", json.dumps({"command": "add", "name": "dyn", "expression": NEVER,
                     "payloadType": "str", "payload": "d"}), "json"),
    ("trigger", "dyn", "str"),
    ("status", "nope", "str"),
    ("export", "dyn", "str"),
    ("pause", "str-sched", "str"),
    ("list", "str-sched", "str"),
    ("next", "", "str"),
]
DESCRIBE = [  # describe commands, to a third node: the times cron-plus computes
    {"command": "describe", "expressionType": "solar", "location": "51.4779,-0.0015",
     "solarType": "selected", "solarEvents": "sunrise,sunset", "offset": 10,
     "time": "2026-03-01T12:00:00Z"},
    {"command": "describe", "expressionType": "solar", "location": "-33.87 151.2",
     "solarType": "all", "time": 1767225600000},
    {"command": "describe", "expressionType": "solar", "location": "64.1,-21.9",
     "solarType": "selected", "solarEvents": "civilDusk,nadir", "offset": -30,
     "time": "2026-06-21T00:00:00Z"},
    {"command": "describe", "expressionType": "cron", "expression": "0 30 7 * * 1-5",
     "timeZone": "UTC", "time": "2026-03-01T12:00:00Z"},
]
ONLY_2X = 2
"""The last commands, which cron-plus 1.x does not have (`list` of one schedule, `next`)."""


def _option(name: str, payload_type: str, payload: str) -> dict[str, Any]:
    return {"name": name, "topic": f"{name}/topic", "payloadType": payload_type,
            "payload": payload, "expressionType": "cron", "expression": NEVER}


def flow(commands: list[tuple[str, Any, str]]) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = [{"id": "t1", "type": "tab", "label": "cron-plus"}]
    for i, (topic, payload, kind) in enumerate(commands):
        nodes.append({"id": f"in{i}", "type": "inject", "z": "t1", "props": [
            {"p": "payload"}, {"p": "topic", "vt": "str"}], "payload": payload,
            "payloadType": kind, "topic": topic, "wires": [["cp"]]})
    for i, command in enumerate(DESCRIBE):
        nodes.append({"id": f"ds{i}", "type": "inject", "z": "t1", "props": [{"p": "payload"}],
                      "payload": json.dumps(command), "payloadType": "json", "wires": [["ds"]]})
    options = [_option("str-sched", "str", "hello"), _option("json-sched", "json", '{"a": [1]}'),
               _option("num-sched", "num", "42"), _option("default-sched", "default", "")]
    base = {"type": "cronplus", "z": "t1", "name": "", "outputField": "payload",
            "timeZone": "", "storeName": "", "defaultLocation": "",
            "defaultLocationType": "default"}
    nodes += [
        {**base, "id": "cp", "commandResponseMsgOutput": "output2", "outputs": 2,
         "options": options, "wires": [["fired"], ["answers"]]},
        {**base, "id": "tk", "commandResponseMsgOutput": "output1", "outputs": 1,
         "options": [{"name": "tick", "topic": "tk/topic", "payloadType": "str",
                      "payload": "tick", "expressionType": "cron", "expression": "* * * * * *"}],
         "wires": [["ticks"]]},
        {**base, "id": "ds", "commandResponseMsgOutput": "output1", "outputs": 1,
         "options": [], "wires": [["described"]]},
    ]
    nodes += [{"id": d, "type": "debug", "z": "t1", "active": True, "complete": "true",
               "targetType": "full", "wires": []}
              for d in ("fired", "answers", "ticks", "described")]
    return nodes


def agree(nr: Any, fr: Any, where: str, newer: set[str]) -> list[str]:
    """Where flowrt's value differs from Node-RED's (empty when they agree)."""
    if isinstance(nr, dict) and isinstance(fr, dict):
        problems = [f"{where}.{k}: missing" for k in nr.keys() - fr.keys()]
        problems += [f"{where}.{k}: not in Node-RED's" for k in fr.keys() - nr.keys() - newer]
        for key in nr.keys() & fr.keys():
            if key in VOLATILE:
                if type(nr[key]) is not type(fr[key]) and not (
                        isinstance(nr[key], int | float) and isinstance(fr[key], int | float)):
                    problems.append(f"{where}.{key}: {nr[key]!r} vs {fr[key]!r}")
            else:
                problems += agree(nr[key], fr[key], f"{where}.{key}", newer)
        return problems
    if isinstance(nr, list) and isinstance(fr, list) and len(nr) == len(fr):
        return [p for i, (a, b) in enumerate(zip(nr, fr, strict=True))
                for p in agree(a, b, f"{where}[{i}]", newer)]
    return [] if nr == fr else [f"{where}: {nr!r} vs {fr!r}"]


def test_commands_and_ticks_as_in_node_red(tmp_path: Path) -> None:
    home = nodered_home()
    with_contrib(tmp_path, PACKAGE)
    old = version(PACKAGE).startswith("1.")
    newer = NEWER if old else set()
    commands = COMMANDS[:-ONLY_2X] if old else COMMANDS
    answers = 4 if old else 6
    nodes = fire_injects(flow(commands))
    theirs = run_nodered({"cp": nodes}, home, tmp_path, expected=answers + 12, keys=KEYS)["cp"]
    ours = run_flowrt(nodes, keys=KEYS)
    assert len(theirs["fired"]) == len(ours["fired"]) == 5
    assert len(theirs["answers"]) == len(ours["answers"]) == answers
    assert len(theirs["ticks"]) >= 3 and len(ours["ticks"]) >= 3
    theirs["ticks"], ours["ticks"] = theirs["ticks"][:3], ours["ticks"][:3]
    for debug in ("fired", "answers", "ticks"):
        problems = agree(theirs[debug], ours[debug], debug, newer)
        assert problems == [], "\n".join(problems)
    stamps = [m["cronplus"]["triggerTimestamp"] for side in (theirs, ours)
              for m in side["ticks"]]
    assert all(s % 1000 == 0 for s in stamps)
    assert [m["cronplus"]["status"]["count"] for m in ours["ticks"]] == [1, 2, 3]
    solar, cron = DESCRIBE[:-1], DESCRIBE[-1:]
    theirs_d = [m["payload"]["result"] for m in theirs["described"]]
    ours_d = [m["payload"]["result"] for m in ours["described"]]
    assert len(theirs_d) == len(ours_d) == len(solar) + len(cron)
    assert [(r["nextDate"], r["nextEvent"]) for r in ours_d[:len(solar)]] == [
        (r["nextDate"], r["nextEvent"]) for r in theirs_d[:len(solar)]]
    assert [r["nextDates"] for r in ours_d[len(solar):]] == [
        r["nextDates"] for r in theirs_d[len(solar):]]
