"""node-red-contrib-cron-plus's ``cronplus`` node: flowrt's cron-plus (nodes/core/cron_plus.py).

The import applies cron-plus's own defaults to each schedule (applyOptionDefaults: a name
``scheduleN``, the topic from the name, the payload type from the payload, a cron or dates
schedule by the look of its expression, old ``sunrise``/``sunset`` types as solar schedules)
and checks each expression as cron-plus would, so what cannot run is reported at import.
"""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import NoCounterpart, typed
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import env_reference, property_path, typed_value

_OUTPUT_MODES = {"output1": "single", "output2": "separate-commands", "fanOut": "per-schedule"}
_PAYLOAD_TYPES = ("default", "flow", "global", "str", "num", "bool", "json", "jsonata", "bin",
                  "date", "env", "none")
_SOLAR = ("nightEnd", "nauticalDawn", "civilDawn", "sunrise", "sunriseEnd",
          "morningGoldenHourEnd", "solarNoon", "eveningGoldenHourStart", "sunsetStart",
          "sunset", "civilDusk", "nauticalDusk", "nightStart", "nadir")
_DESCRIPTION = ("`msg.cronplus.status.description` is the expression (cron-plus writes it in "
                "English), and the solar state (`solarState`, `solarTimes`) is not given")

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def _is_cron(text: str) -> bool:
    from croniter import croniter

    text = " ".join(text.split())
    return (text.startswith("@") or len(text.split(" ")) in (5, 6, 7)) and croniter.is_valid(
        text, second_at_beginning=True)


def _dates(expression: Any, name: str) -> list[str | int]:
    from datetime import datetime

    items = expression.split(",") if isinstance(expression, str) else expression
    if not isinstance(items, list) or not items:
        raise Unsupported(f"schedule {name!r}: {expression!r} is neither a cron expression nor "
                          "a list of dates")
    dates: list[str | int] = []
    for item in items:
        text = str(item).strip()
        if text.lstrip("-").isdigit():
            dates.append(int(text))
            continue
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise Unsupported(f"schedule {name!r}: {text!r} is neither a cron expression nor "
                              "an ISO 8601 date or epoch milliseconds (flowrt does not read "
                              "JavaScript's other date texts)") from None
        dates.append(text)
    return dates


def _payload(opt: dict[str, Any], name: str, cx: MapContext) -> Any:
    kind = opt.get("payloadType") or opt.get("type")
    payload = opt.get("payload")
    if kind is None and isinstance(payload, str) and payload:
        kind = "str"
    kind = kind or "default"
    if kind not in _PAYLOAD_TYPES:
        raise Unsupported(f"schedule {name!r}: payload type {kind!r} is not one cron-plus takes")
    if kind == "default":
        return None
    if kind == "none":
        return ""
    ok, value = typed_value(payload, kind, cx.note)
    if not ok:
        raise Unsupported(f"schedule {name!r}: its payload has no flowrt counterpart")
    return {"type": "json", "value": "null"} if value is None else value


def _schedule(opt: dict[str, Any], index: int, fixed: bool, cx: MapContext) -> dict[str, Any]:
    name = str(opt.get("name") or opt.get("topic") or f"schedule{index + 1}")
    schedule: dict[str, Any] = {"name": name}
    if opt.get("topic") and opt["topic"] != name:
        schedule["topic"] = str(opt["topic"])
    payload = _payload(opt, name, cx)
    if payload is not None:
        schedule["payload"] = payload
    kind = opt.get("expressionType") or ""
    expression = opt.get("expression")
    if kind in ("sunrise", "sunset"):
        opt = {**opt, "solarEvents": opt.get("solarEvents") or kind}
        kind = "solar"
    if kind == "solar":
        events = opt.get("solarEvents") or "sunrise,sunset"
        names = [e.strip() for e in (events.split(",") if isinstance(events, str) else events)]
        solar_type = opt.get("solarType") or ("selected" if opt.get("solarEvents") else "all")
        wrong = [e for e in names if e not in _SOLAR]
        if solar_type == "selected" and (wrong or not names):
            raise Unsupported(f"schedule {name!r}: solar events {wrong or names} are not "
                              "cron-plus's")
        solar: dict[str, Any] = {"events": "all" if solar_type == "all" else names}
        if not fixed:
            if not opt.get("location"):
                raise Unsupported(f"schedule {name!r}: a solar schedule with no location")
            solar["location"] = str(opt["location"])
        offset = as_number(opt.get("offset"))
        if offset:
            solar["offset"] = offset
        schedule["solar"] = solar
    elif isinstance(expression, str) and _is_cron(expression or "0 * * * * * *"):
        schedule["cron"] = " ".join((expression or "0 * * * * * *").split())
    elif kind == "cron" and isinstance(expression, str) and "*" in expression:
        raise Unsupported(f"schedule {name!r}: cron expression {expression!r} is not one "
                          "flowrt reads")
    else:
        schedule["dates"] = _dates(expression, name)
    limit = opt.get("limit")
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        schedule["limit"] = limit
    return schedule


def import_cronplus(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    location_type = node.word("defaultLocationType")
    location = node.get("defaultLocation")
    fixed = location_type in ("fixed", "env")
    if fixed:
        text = str(location or "").strip()
        if not text:
            raise Unsupported("the node's location is empty")
        config["location"] = f"${{{text}}}" if location_type == "env" else text
    options = node.get("options")
    schedules = [_schedule(dict(opt), i, fixed, cx) for i, opt in
                 enumerate(options if isinstance(options, list) else []) if isinstance(opt, dict)]
    names = [s["name"] for s in schedules]
    if len(set(names)) != len(names):
        raise Unsupported(f"two schedules have the same name ({', '.join(names)})")
    if schedules:
        config["schedules"] = schedules
    if not schedules:
        cx.note("no schedules: the node only answers commands (cron-plus shows `Nothing set`)")
    field = property_path(node.get("outputField"), cx.note)
    if field != "payload":
        config["output_property"] = field
    zone = node.get("timeZone")
    if isinstance(zone, str) and zone.strip():
        config["time_zone"] = zone.strip()
    mode = _OUTPUT_MODES.get(node.word("commandResponseMsgOutput"), "single")
    if mode != "single":
        config["output_mode"] = mode
    if node.get("storeName") or node.get("persistDynamic") is True:
        cx.note("schedules added by commands are not kept across restarts (cron-plus keeps "
                f"them in `{node.get('storeName') or 'file'}`)")
    cx.note(_DESCRIPTION)
    return Mapped("cron-plus", config)


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def _option(s: dict[str, Any], node_location: bool) -> dict[str, Any]:
    payload, payload_type = ("", "default") if s.get("payload") is None else typed(s["payload"])
    out: dict[str, Any] = {"name": s["name"], "topic": s.get("topic") or s["name"],
                           "payloadType": payload_type, "payload": payload}
    if "cron" in s and s["cron"] is not None:
        out |= {"expressionType": "cron", "expression": s["cron"]}
    elif s.get("dates") is not None:
        out |= {"expressionType": "dates", "expression": ",".join(map(str, s["dates"]))}
    else:
        solar = s["solar"]
        if solar.get("location") and node_location:
            raise NoCounterpart("cron-plus takes one location for the node or one per "
                                "schedule, not both")
        events = solar["events"]
        out |= {"expressionType": "solar", "location": solar.get("location") or "",
                "offset": solar.get("offset", 0),
                "solarType": "all" if events == "all" else "selected",
                "solarEvents": "" if events == "all" else ",".join(events)}
    if s.get("limit"):
        out["limit"] = s["limit"]
    return out


def export_cron_plus(c: dict[str, Any]) -> dict[str, Any]:
    location = c.get("location") or ""
    schedules = c.get("schedules") or []
    mode = {v: k for k, v in _OUTPUT_MODES.items()}[c.get("output_mode", "single")]
    env = env_reference(location) if location else None
    return {
        "outputField": c.get("output_property", "payload"), "timeZone": c.get("time_zone") or "",
        "storeName": "", "commandResponseMsgOutput": mode,
        "defaultLocation": env or location,
        "defaultLocationType": "env" if env else "fixed" if location else "default",
        "outputs": 1 if mode == "output1" else 2 if mode == "output2" else len(schedules) + 2,
        "options": [_option(s, bool(location)) for s in schedules],
    }


TYPES = (NrType("cronplus", "cron-plus", import_cronplus, export_cron_plus),)
