"""Node-RED's function nodes that shape messages: function, change, switch, range and template.
Their siblings that hold, pace or drop messages (delay, trigger, rbe) are in flow_control.py."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import NoCounterpart, target, typed, unescape
from flowrt.nodered.js_constructs import js_caveats
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import context_key, js_regex, property_path, typed_value

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def import_function(node: NrNode, cx: MapContext) -> Mapped:
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
    for key in ("func", "initialize", "finalize"):
        for caveat in js_caveats(config.get(key, "")):
            cx.note(caveat if key == "func" else f"{key}: {caveat}")
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
        fromt = "re" if rule.get("re") else rule.get("fromt") or "str"  # `re`: Node-RED 0.x
        ok, search = typed_value(rule.get("from", ""), fromt, cx.note)
        if not ok:
            raise Unsupported("the search value of a change rule cannot be expressed in flowrt")
        out = {"change": target, "from": search, "to": value}
    if action == "set" and as_bool(rule.get("dc")) and tot in ("msg", "flow", "global"):
        out["deep_copy"] = True
    return out


def import_change(node: NrNode, cx: MapContext) -> Mapped:
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
            if kind not in ("eq", "neq", "lt", "lte", "gt", "gte", "btwn"):
                raise Unsupported(f"switch rule `{kind}` cannot compare with the previous value")
            return {"type": "prev"}
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
        pattern = str(rule.get("v", ""))
        syntax = js_regex(pattern, cx.note)
        if syntax is None:
            raise Unsupported(f"the switch rule's pattern `{pattern}` is not valid JavaScript")
        out: dict[str, Any] = {"regex": pattern, **syntax}
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


def import_switch(node: NrNode, cx: MapContext) -> Mapped:
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
        config["recreate_sequences"] = True
    return Mapped("switch", config)


def import_range(node: NrNode, cx: MapContext) -> Mapped:
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


def import_template(node: NrNode, cx: MapContext) -> Mapped:
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


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_function(c: dict[str, Any]) -> dict[str, Any]:
    return {"func": unescape(c.get("func", "return msg;")),
            "outputs": c.get("outputs", 1), "timeout": c.get("timeout", 0), "noerr": 0,
            "initialize": unescape(c.get("initialize", "")),
            "finalize": unescape(c.get("finalize", "")), "libs": []}


def _export_change_rule(rule: dict[str, Any]) -> dict[str, Any]:
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


def export_change(c: dict[str, Any]) -> dict[str, Any]:
    return {"rules": [_export_change_rule(r) for r in c.get("rules", [])]}


_OPERATORS = {ours: theirs for theirs, ours in _COMPARE.items()}
_IS_EXPORT: dict[Any, str] = {**{ours: theirs for theirs, ours in _IS.items()},
                              "true": "true", "false": "false"}


def _export_switch_rule(rule: dict[str, Any]) -> dict[str, Any]:
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
        return {"t": _IS_EXPORT[rule["is"]]}
    if "is_type" in rule:
        return {"t": "istype", "v": rule["is_type"], "vt": rule["is_type"]}
    if "jsonata" in rule:
        return {"t": "jsonata_exp", "v": unescape(rule["jsonata"]), "vt": "jsonata"}
    return {"t": "else"}


def export_switch(c: dict[str, Any]) -> dict[str, Any]:
    prop = c.get("property", "payload")
    if isinstance(prop, dict):
        prop, prop_type = typed(prop)
    else:
        prop_type = "msg"
    rules = [_export_switch_rule(r) for r in c.get("rules", [])]
    return {"property": prop, "propertyType": prop_type, "rules": rules,
            "checkall": "false" if c.get("check") == "first" else "true",
            "repair": bool(c.get("recreate_sequences")),
            "outputs": len(rules)}


def export_range(c: dict[str, Any]) -> dict[str, Any]:
    return {"minin": c["min_in"], "maxin": c["max_in"], "minout": c["min_out"],
            "maxout": c["max_out"], "action": {"wrap": "roll"}.get(c.get("action", "scale"),
                                                                   c.get("action", "scale")),
            "round": bool(c.get("round")), "property": c.get("property", "payload")}


def export_template(c: dict[str, Any]) -> dict[str, Any]:
    syntax = c.get("syntax", "jinja")
    if syntax == "jinja":
        raise NoCounterpart("Jinja templates have no Node-RED counterpart (mustache only)")
    return {"field": c.get("property", "payload"),
            "fieldType": c.get("scope", "msg"), "format": "handlebars", "syntax": syntax,
            "template": unescape(c.get("template", "")),
            "output": {"text": "str"}.get(c.get("output", "text"), c.get("output", "text"))}


TYPES = (
    NrType("function", "function", import_function, export_function),
    NrType("change", "change", import_change, export_change),
    NrType("switch", "switch", import_switch, export_switch),
    NrType("range", "range", import_range, export_range),
    NrType("template", "template", import_template, export_template),
)
