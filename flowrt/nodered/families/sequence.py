"""Node-RED's sequence nodes: split, join, sort and batch."""

from __future__ import annotations

import json
from typing import Any

from flowrt.nodered.export_values import NoCounterpart, escape_separator, typed, unescape
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import property_path, typed_value, unescape_separator

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def _bytes(text: Any, what: str) -> list[int]:
    try:
        data = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as exc:
        raise Unsupported(f"the {what} bytes are not a JSON array: {exc.msg}") from exc
    if not isinstance(data, list) or not all(isinstance(b, int) and 0 <= b <= 255 for b in data):
        raise Unsupported(f"the {what} bytes must be a list of byte values")
    return data


def import_split(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    prop = property_path(node.get("property"), cx.note)
    if prop != "payload":
        config["property"] = prop
    kind = node.get("spltType") or "str"
    if kind == "str":
        separator = unescape_separator(node.word("splt") or "\\n")
        if separator != "\n":
            config["separator"] = separator
    elif kind == "bin":
        config["separator_bytes"] = _bytes(node.get("splt"), "separator")
    elif kind == "len":
        length = as_number(node.get("splt"))
        if not length or length < 1:
            raise Unsupported(f"invalid split length `{node.get('splt')}`")
        config["length"] = int(length)
    else:
        raise Unsupported(f"split type `{kind}` is not known")
    array = as_number(node.get("arraySplt"))
    if array is not None and int(array) != 1:
        config["array_length"] = int(array)
    if node.flag("stream"):
        config["stream"] = True
    addname = node.get("addname")
    if isinstance(addname, str) and addname:
        config["key_property"] = property_path(addname, cx.note, "topic")
    return Mapped("split", config)


def import_join(node: NrNode, cx: MapContext) -> Mapped:
    mode = node.get("mode") or "auto"
    config: dict[str, Any] = {}
    if mode == "auto":
        return Mapped("join", config)
    if mode == "reduce":
        config["mode"] = "reduce"
        expression = node.get("reduceExp")
        if not isinstance(expression, str) or not expression.strip():
            raise Unsupported("a reduce join needs a reduce expression")
        config["reduce_expression"] = expression
        ok, initial = typed_value(node.get("reduceInit", ""), node.get("reduceInitType") or "str",
                                  cx.note)
        if not ok:
            raise Unsupported("the reduce join's initial value cannot be expressed")
        config["reduce_initial"] = initial
        fixup = node.get("reduceFixup")
        if isinstance(fixup, str) and fixup.strip():
            config["reduce_fixup"] = fixup
        if node.flag("reduceRight"):
            config["reduce_right"] = True
        return Mapped("join", config)
    # Node-RED joins as set in the node in every mode but auto and reduce (older editors wrote
    # `manual`); only `custom` heeds `use existing msg.parts` off
    config["mode"] = "manual"
    build = node.get("build") or "array"
    if build not in ("string", "buffer", "array", "object", "merged"):
        raise Unsupported(f"join build `{build}` is not known")
    config["build"] = build
    if node.get("propertyType") == "full":
        config["whole_message"] = True
    else:
        prop = property_path(node.get("property"), cx.note)
        if prop != "payload":
            config["property"] = prop
    if build == "object":
        key = property_path(node.get("key") or "topic", cx.note, "topic")
        if key != "topic":
            config["key"] = key
    if build in ("string", "buffer"):
        if node.get("joinerType") == "bin":
            config["joiner_bytes"] = _bytes(node.get("joiner") or "[]", "joiner")
        else:
            config["joiner"] = unescape_separator(node.word("joiner"))
    count = as_number(node.get("count"))
    if count:
        config["count"] = int(count)
    timeout = as_number(node.get("timeout"))
    if timeout:
        config["timeout"] = timeout
    if node.get("accumulate") is True:
        config["accumulate"] = True
    if mode == "custom" and "useparts" in node.raw and not as_bool(node.get("useparts"), True):
        cx.note("`use existing msg.parts` off: flowrt uses msg.parts when present")
    return Mapped("join", config)


def import_sort(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    on_property = node.get("targetType") == "msg"
    if on_property:
        prop = property_path(node.get("target"), cx.note)
        if prop != "payload":
            config["property"] = prop
        if node.get("msgKeyType") == "jsonata":
            config["key_expression"] = node.get("msgKey") or "$"
    else:
        config["mode"] = "sequence"
        if node.get("seqKeyType") == "jsonata":
            config["key_expression"] = node.get("seqKey") or "payload"
        else:
            key = property_path(node.get("seqKey"), cx.note)
            if key != "payload":
                config["key"] = key
    if node.get("order") == "descending":
        config["order"] = "descending"
    if node.flag("as_num"):
        config["numeric"] = True
    return Mapped("sort", config)


def import_batch(node: NrNode, cx: MapContext) -> Mapped:
    mode = node.get("mode") or "count"
    config: dict[str, Any] = {}
    if mode == "count":
        count = as_number(node.get("count")) or 1
        if count != 10:
            config["count"] = int(count)
        overlap = as_number(node.get("overlap")) or 0
        if overlap:
            config["overlap"] = int(overlap)
        if node.flag("honourParts"):
            config["honour_parts"] = True
    elif mode == "interval":
        config["mode"] = "interval"
        config["interval"] = as_number(node.get("interval")) or 10
        if node.flag("allowEmptySequence"):
            config["send_empty"] = True
    elif mode == "concat":
        config["mode"] = "concat"
        topics = node.get("topics")
        config["topics"] = [
            str(t.get("topic", "")) for t in topics or [] if isinstance(t, dict)
        ]
    else:
        raise Unsupported(f"batch mode `{mode}` is not known")
    return Mapped("batch", config)


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_split(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"property": c.get("property", "payload"),
                           "splt": "\\n", "spltType": "str",
                           "arraySplt": c.get("array_length", 1), "arraySpltType": "len",
                           "stream": bool(c.get("stream")), "addname": c.get("key_property") or ""}
    if c.get("separator_bytes") is not None:
        out.update(splt=json.dumps(c["separator_bytes"]), spltType="bin")
    elif c.get("length") is not None:
        out.update(splt=str(c["length"]), spltType="len")
    else:
        out["splt"] = escape_separator(unescape(c.get("separator", "\n")))
    return out


def export_join(c: dict[str, Any]) -> dict[str, Any]:
    mode = c.get("mode", "auto")
    out: dict[str, Any] = {"mode": {"manual": "custom"}.get(mode, mode),
                           "build": c.get("build", "array"),
                           "property": c.get("property", "payload"),
                           "propertyType": "full" if c.get("whole_message") else "msg",
                           "key": c.get("key", "topic"), "joiner": "\\n", "joinerType": "str",
                           "accumulate": bool(c.get("accumulate")),
                           "timeout": str(c.get("timeout") or ""),
                           "count": str(c.get("count") or ""), "useparts": True,
                           "reduceRight": bool(c.get("reduce_right"))}
    if c.get("joiner_bytes") is not None:
        out.update(joiner=json.dumps(c["joiner_bytes"]), joinerType="bin")
    else:
        out["joiner"] = escape_separator(unescape(c.get("joiner", "\n")))
    if mode == "reduce":
        init, init_type = typed(c.get("reduce_initial", 0))
        out.update(reduceExp=unescape(c.get("reduce_expression")), reduceInit=init,
                   reduceInitType=init_type, reduceFixup=unescape(c.get("reduce_fixup") or ""))
    return out


def export_sort(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"order": c.get("order", "ascending"),
                           "as_num": bool(c.get("numeric")), "target": "payload",
                           "targetType": "seq", "msgKey": "payload", "msgKeyType": "elem",
                           "seqKey": "payload", "seqKeyType": "msg"}
    if c.get("mode", "property") == "property":
        out.update(target=c.get("property", "payload"), targetType="msg")
        if c.get("key"):
            raise NoCounterpart("sorting array elements by a key property needs JSONata in "
                                "Node-RED")
        if c.get("key_expression"):
            out.update(msgKey=unescape(c["key_expression"]), msgKeyType="jsonata")
    elif c.get("key_expression"):
        out.update(seqKey=unescape(c["key_expression"]), seqKeyType="jsonata")
    else:
        out["seqKey"] = c.get("key") or "payload"
    return out


def export_batch(c: dict[str, Any]) -> dict[str, Any]:
    return {"mode": c.get("mode", "count"), "count": c.get("count", 10),
            "overlap": c.get("overlap", 0), "interval": c.get("interval", 10),
            "allowEmptySequence": bool(c.get("send_empty")),
            "honourParts": bool(c.get("honour_parts")),
            "topics": [{"topic": t} for t in c.get("topics", [])]}


TYPES = (
    NrType("split", "split", import_split, export_split),
    NrType("join", "join", import_join, export_join),
    NrType("sort", "sort", import_sort, export_sort),
    NrType("batch", "batch", import_batch, export_batch),
)
