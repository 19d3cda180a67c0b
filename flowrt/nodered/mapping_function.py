"""Mappings of Node-RED's "function" nodes: function, switch, change, range, template, delay,
trigger and rbe (filter). Their sequence and parser siblings are in mapping_sequence.py and
mapping_parser.py."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.mapping import MapContext, Mapped, Mapper, Unsupported
from flowrt.nodered.reader import NrNode, as_bool, as_number
from flowrt.nodered.values import context_key, js_regex, property_path, seconds, typed_value


def function(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"func": node.get("func") if isinstance(node.get("func"), str) else ""}
    outputs = as_number(node.get("outputs"))
    if outputs is not None and int(outputs) != 1:
        config["outputs"] = int(outputs)
    for key in ("initialize", "finalize"):
        code = node.get(key)
        if isinstance(code, str) and code.strip():
            config[key] = code
    timeout = as_number(node.get("timeout"))
    if timeout:
        config["timeout"] = timeout
    libs = node.get("libs")
    if isinstance(libs, list) and libs:
        names = ", ".join(str(lib.get("module")) for lib in libs if isinstance(lib, dict))
        cx.note(f"npm modules ({names}) are not available to JavaScript in flowrt")
    return Mapped("function", config)


def _target(prop: Any, ptype: Any, cx: MapContext) -> Any:
    """A change rule's target: a message property, or a flow/global context key."""
    if ptype in ("flow", "global"):
        key = context_key(prop, cx.note)
        if key is None:
            raise Unsupported(f"a change rule names no {ptype} context key")
        return {"type": ptype, "value": key}
    if ptype not in (None, "", "msg"):
        raise Unsupported(f"a change rule cannot write to a `{ptype}` property")
    path = property_path(prop, cx.note, "")
    if not path:
        raise Unsupported("a change rule names no property")
    return path


def _legacy_rules(node: NrNode) -> list[dict[str, Any]]:
    """Change nodes from before Node-RED 0.10 had one rule in action/property/from/to/reg."""
    action = node.get("action")
    rule: dict[str, Any] = {"t": "set" if action == "replace" else action,
                            "p": node.get("property") or ""}
    if rule["t"] in ("set", "move"):
        rule["to"] = node.get("to") or ""
    elif rule["t"] == "change":
        rule["from"], rule["to"] = node.get("from") or "", node.get("to") or ""
        if node.get("reg") is None or as_bool(node.get("reg")):
            rule["fromt"] = "re"
    return [rule]


def _change_rule(rule: dict[str, Any], cx: MapContext) -> dict[str, Any]:
    action = rule.get("t")
    if action not in ("set", "change", "delete", "move"):
        raise Unsupported(f"change rule `{action}` is not known")
    target = _target(rule.get("p"), rule.get("pt"), cx)
    out: dict[str, Any] = {action: target}
    to, tot = rule.get("to", ""), rule.get("tot")
    if action == "set" and not tot and isinstance(to, str) and to.startswith("msg."):
        to, tot = to[4:], "msg"
    if action == "move":
        out["to"] = _target(to, tot or "msg", cx)
        return out
    if action == "delete":
        return out
    ok, value = typed_value(to, tot or "str", cx.note)
    if not ok:
        raise Unsupported(f"the value of a {action} rule cannot be expressed in flowrt")
    out["to"] = value
    if action == "change":
        ok, search = typed_value(rule.get("from", ""), rule.get("fromt") or "str", cx.note)
        if not ok:
            raise Unsupported("the search value of a change rule cannot be expressed in flowrt")
        out = {"change": target, "from": search, "to": value}
    if action == "set" and as_bool(rule.get("dc")) and tot in ("msg", "flow", "global"):
        out["deep_copy"] = True
    return out


def change(node: NrNode, cx: MapContext) -> Mapped:
    rules = node.get("rules")
    if not isinstance(rules, list):
        rules = _legacy_rules(node)
    mapped = [_change_rule(r, cx) for r in rules if isinstance(r, dict)]
    return Mapped("change", {"rules": mapped})


_COMPARE = {"eq": "eq", "neq": "neq", "lt": "lt", "lte": "lte", "gt": "gt", "gte": "gte",
            "cont": "contains", "hask": "has_key", "head": "head", "tail": "tail"}
_IS = {"true": True, "false": False, "null": "null", "nnull": "not null", "empty": "empty",
       "nempty": "not empty"}


def _switch_rule(rule: dict[str, Any], cx: MapContext) -> dict[str, Any]:
    kind = rule.get("t") if isinstance(rule.get("t"), str) else ""

    def value(key: str, type_key: str) -> Any:
        vtype = rule.get(type_key) or "str"
        if vtype == "prev":
            raise Unsupported("switch rules comparing with the previous value have no flowrt "
                              "counterpart")
        ok, result = typed_value(rule.get(key, ""), vtype, cx.note)
        if not ok:
            raise Unsupported(f"a switch rule's value of type `{vtype}` cannot be expressed")
        return result

    if kind in _COMPARE:
        return {_COMPARE[kind]: value("v", "vt")}
    if kind == "btwn":
        return {"between": [value("v", "vt"), value("v2", "v2t")]}
    if kind == "index":
        return {"index_between": [value("v", "vt"), value("v2", "v2t")]}
    if kind == "regex":
        out: dict[str, Any] = {"regex": js_regex(str(rule.get("v", "")), cx.note)}
        if as_bool(rule.get("case")):
            out["ignore_case"] = True
        return out
    if kind in _IS:
        return {"is": _IS[kind]}
    if kind == "istype":
        return {"is_type": rule.get("v") or "string"}
    if kind == "jsonata_exp":
        return {"jsonata": str(rule.get("v", ""))}
    if kind == "else":
        return {"else": True}
    raise Unsupported(f"switch rule `{kind}` is not known")


def switch(node: NrNode, cx: MapContext) -> Mapped:
    ptype = node.get("propertyType") or "msg"
    config: dict[str, Any] = {}
    if ptype == "msg":
        prop = property_path(node.get("property"), cx.note)
        if prop != "payload":
            config["property"] = prop
    else:
        ok, value = typed_value(node.get("property"), ptype, cx.note)
        if not ok:
            raise Unsupported(f"switch property of type `{ptype}` cannot be expressed")
        config["property"] = value
    rules = node.get("rules")
    config["rules"] = [_switch_rule(r, cx) for r in rules or [] if isinstance(r, dict)]
    if not as_bool(node.get("checkall"), True):
        config["check"] = "first"
    if node.flag("repair"):
        cx.note("`recreate message sequences` is not offered: parts are not rewritten")
    return Mapped("switch", config)


def range_(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    prop = property_path(node.get("property"), cx.note)
    if prop != "payload":
        config["property"] = prop
    for ours, theirs in (("min_in", "minin"), ("max_in", "maxin"), ("min_out", "minout"),
                         ("max_out", "maxout")):
        number = as_number(node.get(theirs))
        if number is None:
            raise Unsupported(f"`{theirs}` is not a number")
        config[ours] = number
    action = {"roll": "wrap"}.get(node.word("action"), node.word("action") or "scale")
    if action != "scale":
        config["action"] = action
    if node.flag("round"):
        config["round"] = True
    return Mapped("range", config)


def template(node: NrNode, cx: MapContext) -> Mapped:
    syntax = "plain" if node.get("syntax") == "plain" else "mustache"
    config: dict[str, Any] = {"syntax": syntax, "template": node.get("template") or ""}
    scope = node.get("fieldType") or "msg"
    field_ = node.get("field") or "payload"
    if scope in ("flow", "global"):
        config["scope"] = scope
        key = context_key(field_, cx.note)
        if key is None:
            raise Unsupported(f"the template writes to no {scope} context key")
        config["property"] = key
    else:
        prop = property_path(field_, cx.note)
        if prop != "payload":
            config["property"] = prop
    output = {"json": "json", "yaml": "yaml"}.get(node.word("output"), "text")
    if output != "text":
        config["output"] = output
    return Mapped("template", config)


_RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def delay(node: NrNode, cx: MapContext) -> Mapped:
    pause = node.get("pauseType") or "delay"
    config: dict[str, Any] = {}
    if pause in ("delay", "delayv"):
        config["delay"] = seconds(node.get("timeout", 5), node.get("timeoutUnits", "seconds"),
                                  cx.note, 5.0)
        if pause == "delayv":
            config["allow_override"] = True
    elif pause == "random":
        units = node.get("randomUnits", "seconds")
        config.update(mode="random",
                      delay=seconds(node.get("randomFirst", 1), units, cx.note, 1.0),
                      max_delay=seconds(node.get("randomLast", 5), units, cx.note, 5.0))
    elif pause in ("rate", "queue", "timed"):
        rate = as_number(node.get("rate")) or 1
        count = as_number(node.get("nbRateUnits")) or 1
        per = count * _RATE_UNITS.get(str(node.get("rateUnits", "second")), 1)
        config["mode"] = "rate" if pause == "rate" else "topic"
        config["rate"], config["per"] = rate, per
        if pause == "timed":
            config["release"] = "all"
        if pause == "rate" and node.flag("drop"):
            config["drop"] = True
        if node.flag("allowrate"):
            config["allow_override"] = True
    else:
        raise Unsupported(f"delay mode `{pause}` is not known")
    if as_number(node.get("outputs")) == 2:
        config["dropped_output"] = True
    return Mapped("delay", {k: v for k, v in config.items()
                            if not (k in ("rate", "per") and v == 1)})


def _trigger_value(node: NrNode, which: str, cx: MapContext) -> tuple[str, Any]:
    """(kind, value): kind is `nothing`, `original`, `latest` or `value`."""
    vtype = node.get(f"{which}type") or "str"
    raw = node.get(which)
    default = "1" if which == "op1" else "0"
    if vtype == "date" and raw in (None, "", default):
        raw = ""
    elif not raw and vtype != "date":
        raw = default  # Node-RED: `n.op1 || "1"`
    if vtype == "val":
        vtype = "bool" if raw in ("true", "false") else "null" if raw == "null" else "str"
    if vtype == "nul":
        return "nothing", None
    if vtype == "null":
        return "value", None
    if vtype in ("pay", "payl"):
        return ("original" if vtype == "pay" else "latest"), {"type": "msg", "value": "payload"}
    ok, value = typed_value(raw, vtype, cx.note)
    if not ok:
        raise Unsupported(f"the trigger's {which} value cannot be expressed")
    return "value", value


def trigger(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    kind1, first = _trigger_value(node, "op1", cx)
    kind2, second = _trigger_value(node, "op2", cx)
    config["first"] = first if kind1 != "nothing" else None
    config["second"] = second if kind2 != "nothing" else None
    silent = kind1 == "nothing" and kind2 == "nothing"
    if silent:
        cx.note("sends nothing at all (both messages are `nothing`)")
        config["send"] = "second"  # and, below, `then: block`: the second is never sent
    elif kind1 == "nothing":
        config["send"] = "second"
    elif kind2 == "nothing":
        config["send"] = "first"
    if kind2 == "latest":
        config["second_from"] = "latest"
    duration = as_number(node.get("duration"))
    duration = 250 if duration is None else duration
    unit = {"ms": "ms", "s": "s", "min": "min", "hr": "hr"}.get(node.word("units"), "ms")
    if duration == 0 or silent:
        config["then"] = "block"
    else:
        if duration < 0:
            config["then"] = "resend"
        config["duration"] = seconds(abs(duration), unit, cx.note)
    if node.flag("extend") and duration > 0 and not silent:
        config["extend"] = True
    if node.flag("overrideDelay"):
        config["allow_override"] = True
    reset = node.get("reset")
    if isinstance(reset, str) and reset:
        config["reset_payload"] = reset
    if node.get("bytopic") == "topic":
        config["group_by"] = property_path(node.get("topic") or "topic", cx.note, "topic")
    if as_number(node.get("outputs")) == 2:
        config["second_output"] = True
    return Mapped("trigger", config)


_RBE_MODES = {"rbe": "changes", "rbei": "changes-ignore-initial", "deadband": "deadband",
              "deadbandEq": "deadband-equal", "narrowband": "narrowband",
              "narrowbandEq": "narrowband-equal"}


def rbe(node: NrNode, cx: MapContext) -> Mapped:
    func = node.word("func") or "rbe"
    if func not in _RBE_MODES:
        raise Unsupported(f"filter mode `{func}` is not known")
    config: dict[str, Any] = {}
    if func != "rbe":
        config["mode"] = _RBE_MODES[func]
    gap = str(node.get("gap") or "").strip()
    if gap.endswith("%"):
        config["percent"] = True
        gap = gap[:-1]
    band = as_number(gap)
    if band:
        config["band"] = band
    start = as_number(node.get("start"))
    if start is not None and "narrowband" in config.get("mode", ""):
        config["start"] = start
    if node.get("inout") == "in":
        config["compare_to"] = "last-input"
    prop = property_path(node.get("property"), cx.note)
    if prop != "payload":
        config["property"] = prop
    if not as_bool(node.get("septopics"), True):
        config["group_by"] = None
    else:
        topic = property_path(node.get("topi") or "topic", cx.note, "topic")
        if topic != "topic":
            config["group_by"] = topic
    return Mapped("filter", config)


MAPPINGS: dict[str, Mapper] = {
    "function": function,
    "change": change,
    "switch": switch,
    "range": range_,
    "template": template,
    "delay": delay,
    "trigger": trigger,
    "rbe": rbe,
}
