"""node-red-contrib-moment: its ``moment`` node (flowrt's moment, nodes/datetime/moment.py) and
``humanizer`` (flowrt's humanizer).

The contrib node reads its fields with JavaScript defaults (``config.input || 'payload'``,
``config.outTz || inTz``...); the import writes the values they end up as. Its locale is the
host's when empty; flowrt formats in moment's English (``en``, ``en-gb``), so another locale
imports only where the output names nothing (ISO text, an object, numeric tokens).
"""

from __future__ import annotations

import re
from typing import Any

from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import property_path

_UNITS = ("years", "y", "quarters", "Q", "months", "M", "weeks", "w", "days", "d", "hours",
          "h", "minutes", "m", "seconds", "s", "milliseconds", "ms")
_OWN_ENGLISH = ("au", "ca", "ie", "il", "in", "nz", "sg")
"""moment's English locales flowrt's moment does not format (nodes/datetime/moment_format.py
holds the same list; tests/nodered/test_mapping_moment.py checks they agree): any other
``en-xx`` falls back to ``en`` in moment."""


def _english(key: str) -> bool:
    return key in ("en", "c", "posix", "en-gb") or (
        key.startswith("en-") and key[3:] not in _OWN_ENGLISH)
_NAMED = re.compile(r"\[[^\]]*\]|L|l|MMM|Mo|Do|do|dd|DDDo|Qo|wo|Wo|yo|N|[Aa]|z")
"""Tokens whose text depends on the locale (outside literal text)."""
_WORDS = ("", "iso", "iso8601", "object")


def _locale(node: NrNode, fmt: str, cx: MapContext) -> str:
    raw = node.word("locale").strip()
    if not raw:
        cx.note("the contrib node formats in the host's locale when none is set; flowrt "
                "formats in English (`en`)")
        return "en"
    key = raw.lower().replace("_", "-")
    if _english(key):
        return raw
    names = [t for t in _NAMED.findall(fmt) if not t.startswith("[")]
    if fmt.lower() in _WORDS or (fmt.lower() not in ("fromnow", "timeago", "calendar",
                                                     "aroundnow") and not names):
        cx.note(f"locale `{raw}` changes nothing in this format: imported as `en`")
        return "en"
    raise Unsupported(f"locale `{raw}`: flowrt writes moment.js's English names and formats "
                      "only (`en`, `en-gb`); set the node's locale to `en` or `en_GB`, or "
                      "use a format without names (`YYYY-MM-DD HH:mm`)")


def import_moment(node: NrNode, cx: MapContext) -> Mapped:
    fmt = node.get("format") or ""
    if not isinstance(fmt, str):
        raise Unsupported(f"format {fmt!r} is not text")
    if fmt.lower() in ("date", "jsdate"):
        raise Unsupported("format `date` writes a JavaScript Date, which flowrt messages do "
                          "not hold; use `x` (epoch milliseconds) or `iso`")
    config: dict[str, Any] = {}
    kind = node.word("inputType") or "msg"
    text = node.get("input") or "payload"
    if kind not in ("msg", "flow", "global", "date", "str"):
        cx.note(f"input type `{kind}` is unknown to the contrib node: it reads now")
        kind = "date"
    if kind != "msg":
        config["input_type"] = kind
    if kind == "msg":
        text = property_path(text, cx.note)
    if kind != "date" and text != "payload":
        config["input"] = str(text)
    in_tz = node.word("inTz").strip()
    out_tz = node.word("outTz").strip() or in_tz
    if in_tz:
        config["input_timezone"] = in_tz
    if out_tz and out_tz != in_tz:
        config["output_timezone"] = out_tz
    amount = as_number(node.get("adjAmount") or 0)
    if amount is None:
        raise Unsupported(f"adjustment {node.get('adjAmount')!r} is not a number")
    unit = node.word("adjType") or "days"
    if amount and unit not in _UNITS:
        cx.note(f"adjustment unit `{unit}` is not one moment knows: no adjustment is made")
        amount = 0
    if amount:
        config["adjust_amount"] = amount
        config["adjust_unit"] = unit
        if node.word("adjDir") == "subtract":
            config["adjust_direction"] = "subtract"
    if fmt:
        config["format"] = fmt
    locale = _locale(node, fmt, cx)
    if locale != "en":
        config["locale"] = locale
    out_kind = node.word("outputType") or "msg"
    if out_kind not in ("msg", "flow", "global"):
        raise Unsupported(f"output type `{out_kind}`: the contrib node writes nothing then")
    output = node.get("output") or "payload"
    if out_kind == "msg":
        output = property_path(output, cx.note)
    else:
        config["output_type"] = out_kind
    if output != "payload":
        config["output"] = str(output)
    topic = node.get("topic")
    if isinstance(topic, str) and topic:
        config["topic"] = topic
    return Mapped("moment", config)


def export_moment(c: dict[str, Any]) -> dict[str, Any]:
    amount = c.get("adjust_amount", 0)
    in_tz = c.get("input_timezone") or ""
    out_tz = c.get("output_timezone") or ""
    return {"topic": c.get("topic") or "", "input": c.get("input", "payload"),
            "inputType": c.get("input_type", "msg"), "inTz": in_tz,
            "adjAmount": int(amount) if float(amount).is_integer() else amount,
            "adjType": c.get("adjust_unit", "days"), "adjDir": c.get("adjust_direction", "add"),
            "format": c.get("format", ""),
            "locale": c.get("locale", "en"),
            "output": c.get("output", "payload"), "outputType": c.get("output_type", "msg"),
            "outTz": out_tz}


def import_humanizer(node: NrNode, cx: MapContext) -> Mapped:
    key = node.get("input") or "payload"
    if not isinstance(key, str):
        raise Unsupported(f"input {key!r} is not a property name")
    return Mapped("humanizer", {} if key == "payload" else {"input": key})


def export_humanizer(c: dict[str, Any]) -> dict[str, Any]:
    return {"topic": "", "input": c.get("input", "payload")}


TYPES = (
    NrType("moment", "moment", import_moment, export_moment),
    NrType("humanizer", "humanizer", import_humanizer, export_humanizer),
)
