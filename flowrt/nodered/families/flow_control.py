"""Node-RED's function nodes that hold, pace or drop messages: delay, trigger and rbe (flowrt's
filter)."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import seconds_ms, typed
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import property_path, seconds, typed_value

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


_RATE_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def import_delay(node: NrNode, cx: MapContext) -> Mapped:
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
    elif pause in ("rate", "queue", "timed", "burst"):
        rate = as_number(node.get("rate")) or 1
        count = as_number(node.get("nbRateUnits")) or 1
        per = count * _RATE_UNITS.get(str(node.get("rateUnits", "second")), 1)
        config["mode"] = {"rate": "rate", "burst": "burst"}.get(pause, "topic")
        config["rate"], config["per"] = rate, per
        if pause == "timed":
            config["release"] = "all"
        if pause == "rate" and node.flag("drop"):
            config["drop"] = True
        if node.flag("allowrate") and pause != "burst":  # burst mode reads no msg.rate
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
    from_val = vtype == "val"
    if vtype == "val":
        vtype = "bool" if raw in ("true", "false") else "null" if raw == "null" else "str"
    if vtype == "nul":
        return "nothing", None
    if vtype == "null":  # Node-RED sends null for `val` null; a `null` type keeps the text
        return "value", None if from_val else str(raw)
    if vtype in ("pay", "payl"):
        return ("original" if vtype == "pay" else "latest"), {"type": "msg", "value": "payload"}
    ok, value = typed_value(raw, vtype, cx.note)
    if not ok:
        raise Unsupported(f"the trigger's {which} value cannot be expressed")
    return "value", value


def import_trigger(node: NrNode, cx: MapContext) -> Mapped:
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


def import_rbe(node: NrNode, cx: MapContext) -> Mapped:
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


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


_RATE = {per: unit for unit, per in reversed(_RATE_UNITS.items())}


def export_delay(c: dict[str, Any]) -> dict[str, Any]:
    mode = c.get("mode", "delay")
    out: dict[str, Any] = {"timeout": str(c.get("delay", 1.0)),
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
        out["pauseType"] = mode if mode in ("rate", "burst") else (
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


def export_trigger(c: dict[str, Any]) -> dict[str, Any]:
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
    return {"op1": op1, "op1type": op1type, "op2": op2, "op2type": op2type,
            "duration": seconds_ms(duration), "units": "ms",
            "extend": bool(c.get("extend")), "overrideDelay": bool(c.get("allow_override")),
            "reset": str(c.get("reset_payload") or ""),
            "bytopic": "topic" if c.get("group_by") else "all",
            "topic": c.get("group_by") or "topic",
            "outputs": 2 if c.get("second_output") else 1}


_FILTER = {ours: theirs for theirs, ours in _RBE_MODES.items()}


def export_filter(c: dict[str, Any]) -> dict[str, Any]:
    band = c.get("band", 0)
    gap = "" if not band else f"{band}{'%' if c.get('percent') else ''}"
    group = c.get("group_by", "topic")
    return {"func": _FILTER[c.get("mode", "changes")], "gap": gap,
            "start": "" if c.get("start") is None else str(c.get("start")),
            "inout": "in" if c.get("compare_to") == "last-input" else "out",
            "septopics": group is not None, "property": c.get("property", "payload"),
            "topi": group or "topic"}


TYPES = (
    NrType("delay", "delay", import_delay, export_delay),
    NrType("trigger", "trigger", import_trigger, export_trigger),
    NrType("rbe", "filter", import_rbe, export_filter),
)
