"""Mappings of Node-RED's sequence nodes: split, join, sort and batch."""

from __future__ import annotations

import json
from typing import Any

from flowrt.nodered.mapping import MapContext, Mapped, Mapper, Unsupported
from flowrt.nodered.reader import NrNode, as_bool, as_number
from flowrt.nodered.values import property_path, typed_value, unescape_separator


def _bytes(text: Any, what: str) -> list[int]:
    try:
        data = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as exc:
        raise Unsupported(f"the {what} bytes are not a JSON array: {exc.msg}") from exc
    if not isinstance(data, list) or not all(isinstance(b, int) and 0 <= b <= 255 for b in data):
        raise Unsupported(f"the {what} bytes must be a list of byte values")
    return data


def split(node: NrNode, cx: MapContext) -> Mapped:
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


def join(node: NrNode, cx: MapContext) -> Mapped:
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
    if mode != "custom":
        raise Unsupported(f"join mode `{mode}` is not known")
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
    if "useparts" in node.raw and not as_bool(node.get("useparts"), True):
        cx.note("`use existing msg.parts` off: flowrt uses msg.parts when present")
    return Mapped("join", config)


def sort(node: NrNode, cx: MapContext) -> Mapped:
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


def batch(node: NrNode, cx: MapContext) -> Mapped:
    mode = node.get("mode") or "count"
    config: dict[str, Any] = {}
    if mode == "count":
        count = as_number(node.get("count")) or 1
        if count != 10:
            config["count"] = int(count)
        overlap = as_number(node.get("overlap")) or 0
        if overlap:
            config["overlap"] = int(overlap)
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
    if node.flag("honourParts"):
        cx.note("`honour msg.parts` is not offered: sequences are formed as configured")
    return Mapped("batch", config)


MAPPINGS: dict[str, Mapper] = {
    "split": split,
    "join": join,
    "sort": sort,
    "batch": batch,
}
