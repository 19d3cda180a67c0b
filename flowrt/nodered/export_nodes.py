"""flowrt core nodes -> Node-RED node properties: the reverse of mapping_common.py,
mapping_function.py, mapping_sequence.py and mapping_parser.py.

Each exporter takes a node's configuration as written in its flow file and returns the Node-RED
properties (``type`` included) that the importer maps back to the same configuration.
"""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import (
    Exporter,
    NoCounterpart,
    seconds_ms,
    target,
    typed,
    unescape,
)


def inject(c: dict[str, Any]) -> dict[str, Any]:
    payload, payload_type = typed(c.get("payload", {"type": "date"}))
    props: list[dict[str, Any]] = [{"p": "payload"}]
    out: dict[str, Any] = {"type": "inject", "payload": payload, "payloadType": payload_type,
                           "topic": ""}
    topic = c.get("topic")
    if isinstance(topic, str):
        props.append({"p": "topic", "vt": "str"})
        out["topic"] = unescape(topic)
    elif topic is not None:
        v, vt = typed(topic)
        props.append({"p": "topic", "v": v, "vt": vt})
    for path, value in (c.get("properties") or {}).items():
        v, vt = typed(value)
        props.append({"p": path, "v": v, "vt": vt})
    out["props"] = props
    out["repeat"] = str(c["repeat"]) if c.get("repeat") else ""
    out["crontab"] = c.get("cron") or ""
    out["once"] = bool(c.get("once"))
    out["onceDelay"] = c.get("once_delay", 0.1)
    return out


def debug(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "debug", "active": c.get("active", True),
                           "tosidebar": c.get("console", True), "console": False}
    if c.get("expression"):
        out.update(complete=c["expression"], targetType="jsonata")
    elif c.get("complete"):
        out.update(complete="true", targetType="full")
    else:
        out.update(complete=c.get("property", "payload"), targetType="msg")
    status = c.get("status", "off")
    out["tostatus"] = status != "off"
    out["statusType"] = "counter" if status == "count" else "auto"
    out["statusVal"] = ""
    return out


def _scoped(kind: str) -> Exporter:
    def export(c: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": kind, "scope": c.get("scope")}
        if kind != "status":
            out["uncaught"] = bool(c.get("uncaught"))
        return out

    return export


def link_out(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "link out", "mode": c.get("mode", "link"), "links": c.get("links", [])}


def link_call(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "link call", "links": [c["target"]] if c.get("target") else [],
            "linkType": "dynamic" if c.get("dynamic") else "static",
            "timeout": str(c.get("timeout", 30))}


def function(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "func": unescape(c.get("func", "return msg;")),
            "outputs": c.get("outputs", 1), "timeout": c.get("timeout", 0), "noerr": 0,
            "initialize": unescape(c.get("initialize", "")),
            "finalize": unescape(c.get("finalize", "")), "libs": []}


def _change_rule(rule: dict[str, Any]) -> dict[str, Any]:
    action = next(a for a in ("set", "change", "delete", "move") if a in rule)
    p, pt = target(rule[action])
    out: dict[str, Any] = {"t": action, "p": p, "pt": pt}
    if action == "move":
        out["to"], out["tot"] = target(rule["to"])
    elif action in ("set", "change"):
        out["to"], out["tot"] = typed(rule.get("to"))
    if action == "change":
        out["from"], out["fromt"] = typed(rule.get("from"))
    if rule.get("deep_copy"):
        out["dc"] = True
    return out


def change(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "change", "rules": [_change_rule(r) for r in c.get("rules", [])]}


_OPERATORS = {"eq": "eq", "neq": "neq", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte",
              "contains": "cont", "has_key": "hask", "head": "head", "tail": "tail"}
_IS = {True: "true", False: "false", "true": "true", "false": "false", "null": "null",
       "not null": "nnull", "empty": "empty", "not empty": "nempty"}


def _switch_rule(rule: dict[str, Any]) -> dict[str, Any]:
    for ours, theirs in _OPERATORS.items():
        if ours in rule:
            v, vt = typed(rule[ours])
            return {"t": theirs, "v": v, "vt": vt}
    for ours, theirs in (("between", "btwn"), ("index_between", "index")):
        if ours in rule:
            (v, vt), (v2, v2t) = typed(rule[ours][0]), typed(rule[ours][1])
            return {"t": theirs, "v": v, "vt": vt, "v2": v2, "v2t": v2t}
    if "regex" in rule:
        return {"t": "regex", "v": rule["regex"], "vt": "str",
                "case": bool(rule.get("ignore_case"))}
    if "is" in rule:
        return {"t": _IS[rule["is"]]}
    if "is_type" in rule:
        return {"t": "istype", "v": rule["is_type"], "vt": rule["is_type"]}
    if "jsonata" in rule:
        return {"t": "jsonata_exp", "v": unescape(rule["jsonata"]), "vt": "jsonata"}
    return {"t": "else"}


def switch(c: dict[str, Any]) -> dict[str, Any]:
    prop = c.get("property", "payload")
    if isinstance(prop, dict):
        prop, prop_type = typed(prop)
    else:
        prop_type = "msg"
    rules = [_switch_rule(r) for r in c.get("rules", [])]
    return {"type": "switch", "property": prop, "propertyType": prop_type, "rules": rules,
            "checkall": "false" if c.get("check") == "first" else "true", "repair": False,
            "outputs": len(rules)}


def range_(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "range", "minin": c["min_in"], "maxin": c["max_in"], "minout": c["min_out"],
            "maxout": c["max_out"], "action": {"wrap": "roll"}.get(c.get("action", "scale"),
                                                                   c.get("action", "scale")),
            "round": bool(c.get("round")), "property": c.get("property", "payload")}


def template(c: dict[str, Any]) -> dict[str, Any]:
    syntax = c.get("syntax", "jinja")
    if syntax == "jinja":
        raise NoCounterpart("Jinja templates have no Node-RED counterpart (mustache only)")
    return {"type": "template", "field": c.get("property", "payload"),
            "fieldType": c.get("scope", "msg"), "format": "handlebars", "syntax": syntax,
            "template": unescape(c.get("template", "")),
            "output": {"text": "str"}.get(c.get("output", "text"), c.get("output", "text"))}


_RATE = {86400: "day", 3600: "hour", 60: "minute", 1: "second"}


def delay(c: dict[str, Any]) -> dict[str, Any]:
    mode = c.get("mode", "delay")
    out: dict[str, Any] = {"type": "delay", "timeout": str(c.get("delay", 1.0)),
                           "timeoutUnits": "seconds", "rate": str(c.get("rate", 1)),
                           "nbRateUnits": "1", "rateUnits": "second", "randomFirst": "1",
                           "randomLast": "5", "randomUnits": "seconds",
                           "drop": bool(c.get("drop")), "allowrate": False,
                           "outputs": 2 if c.get("dropped_output") else 1}
    if mode == "delay":
        out["pauseType"] = "delayv" if c.get("allow_override") else "delay"
    elif mode == "random":
        out.update(pauseType="random", randomFirst=str(c.get("delay", 1.0)),
                   randomLast=str(c.get("max_delay", 5)))
    else:
        out["pauseType"] = "rate" if mode == "rate" else (
            "timed" if c.get("release") == "all" else "queue")
        per = float(c.get("per", 1.0))
        unit = next((u for s, u in _RATE.items() if per % s == 0 and per >= s), "second")
        factor = next(s for s, u in _RATE.items() if u == unit)
        out.update(nbRateUnits=str(int(per // factor)) if unit != "second" or per.is_integer()
                   else str(per), rateUnits=unit, allowrate=bool(c.get("allow_override")))
    return out


def _trigger_op(value: Any, send: bool) -> tuple[str, str]:
    if not send:
        return "", "nul"
    if value is None:
        return "null", "val"
    return typed(value)


def trigger(c: dict[str, Any]) -> dict[str, Any]:
    send = c.get("send", "both")
    op1, op1type = _trigger_op(c.get("first", 1), send != "second")
    second = c.get("second", 0)
    if second == {"type": "msg", "value": "payload"} and send != "first":
        op2, op2type = "", "payl" if c.get("second_from") == "latest" else "pay"
    else:
        op2, op2type = _trigger_op(second, send != "first")
    then = c.get("then", "wait")
    duration = 0.0 if then == "block" else float(c.get("duration", 0.25))
    if then == "resend":
        duration = -duration
    return {"type": "trigger", "op1": op1, "op1type": op1type, "op2": op2, "op2type": op2type,
            "duration": seconds_ms(duration), "units": "ms",
            "extend": bool(c.get("extend")), "overrideDelay": bool(c.get("allow_override")),
            "reset": str(c.get("reset_payload") or ""),
            "bytopic": "topic" if c.get("group_by") else "all",
            "topic": c.get("group_by") or "topic",
            "outputs": 2 if c.get("second_output") else 1}


_FILTER = {"changes": "rbe", "changes-ignore-initial": "rbei", "deadband": "deadband",
           "deadband-equal": "deadbandEq", "narrowband": "narrowband",
           "narrowband-equal": "narrowbandEq"}


def filter_(c: dict[str, Any]) -> dict[str, Any]:
    band = c.get("band", 0)
    gap = "" if not band else f"{band}{'%' if c.get('percent') else ''}"
    group = c.get("group_by", "topic")
    return {"type": "rbe", "func": _FILTER[c.get("mode", "changes")], "gap": gap,
            "start": "" if c.get("start") is None else str(c.get("start")),
            "inout": "in" if c.get("compare_to") == "last-input" else "out",
            "septopics": group is not None, "property": c.get("property", "payload"),
            "topi": group or "topic"}


CORE: dict[str, Exporter] = {
    "inject": inject,
    "debug": debug,
    "catch": _scoped("catch"),
    "status": _scoped("status"),
    "complete": _scoped("complete"),
    "link-in": lambda c: {"type": "link in"},
    "link-out": link_out,
    "link-call": link_call,
    "comment": lambda c: {"type": "comment", "info": c.get("text", "")},
    "function": function,
    "change": change,
    "switch": switch,
    "range": range_,
    "template": template,
    "delay": delay,
    "trigger": trigger,
    "filter": filter_,
}
