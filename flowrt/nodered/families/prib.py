"""node-red-contrib-prib-functions: its ``test`` node (flowrt's flow-test), ``Data
Analysis`` (flowrt's data-analysis), ``transform`` (flowrt's convert, for the JSON, CSV, HTML,
array and text conversions), ``Load Injector`` (flowrt's load-injector) and ``Monitor Flow``
(flowrt's monitor-flow), in nodes/prib, and ``os`` (flowrt's node-os, in nodes/system); some
other nodes are listed with the reason they have
no counterpart.

The contrib reads its property fields as JavaScript (``msg.payload.result``, evaluated): the
import takes ``msg.`` paths, and ``msg`` alone for the whole message; other code is refused.
"""

from __future__ import annotations

import math
from typing import Any

from flowrt.nodered.export_values import NoCounterpart, typed
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import property_path, typed_value

_WITH_TEXT = ("Append", "Concat", "Prepend", "StartsWith", "EndsWith", "Split")
_ACTIONS = frozenset((
    "avg", "mean", "sum", "min", "max", "median", "range", "variance", "stdDev",
    "sampleVariance", "sampleStdDev", "skew", "deltas", "deltaNormalised",
    "movingAvgCumulative", "movingAvgSimple", "movingAvgExponential", "movingAvgWeighted",
    "normalize", "standardize", "difference", "differenceSeasonal", "differenceSecondOrder",
    "differenceSeasonalSecondOrder", "autocovariance", "autocorrelation", "realtime",
    "pearsonR"))
"""The Data Analysis actions flowrt's data-analysis computes."""


def _path(expression: Any, what: str, cx: MapContext, default: str = "payload") -> str | None:
    """A ``msg.`` property the contrib evaluates as JavaScript; None for ``msg`` itself."""
    text = expression.strip() if isinstance(expression, str) else ""
    if not text:
        return default
    if text == "msg":
        return None
    if not text.startswith("msg.") and not text.startswith("msg["):
        raise Unsupported(f"{what} `{text}` is JavaScript code, not a `msg.` property")
    return property_path(text if text.startswith("msg.") else text[3:], cx.note, default)


def import_test(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    kind = node.word("payloadType") or "str"
    if kind == "none":
        payload: Any = ""
    elif kind == "date":  # the contrib sends Date.now() whatever the value says
        payload = {"type": "date"}
    else:
        ok, payload = typed_value(node.get("payload"), kind, cx.note)
        if not ok:
            raise Unsupported(f"a test payload of type `{kind}`")
    if payload != "":
        config["payload"] = payload
    result_kind = node.word("resultType") or "str"
    result = node.get("result")
    if result_kind == "jsonata":
        text = result.strip() if isinstance(result, str) else ""
        if not text.startswith("$boolean"):
            raise Unsupported("the contrib refuses a JSONata check that is not `$boolean(...)`")
        config["condition"] = text
    elif result_kind == "re":
        raise Unsupported("a regular-expression check: the contrib tests it with "
                          "JavaScript's RegExp; use a JSONata `$boolean($match(...))` check")
    else:
        ok, expected = typed_value(result, result_kind, cx.note)
        if not ok:
            raise Unsupported(f"an expected value of type `{result_kind}`")
        config["expected"] = expected
    prop = _path(node.get("resultProperty"), "the tested property", cx)
    if prop != "payload":
        config["property"] = prop
    factor = node.get("errorFactor")
    if isinstance(factor, str) and factor:  # any text is true in JavaScript, "0" too
        number = as_number(factor)
        if number is None or not math.isfinite(number):
            raise Unsupported(f"error factor {factor!r} is not a number")
        config["error_factor"] = number
    elif isinstance(factor, int | float) and not isinstance(factor, bool) and factor:
        config["error_factor"] = factor
    if as_bool(node.get("escapeString")):
        config["unescape"] = True
    topic = node.get("topic")
    if isinstance(topic, str) and topic:
        config["topic"] = topic
    return Mapped("flow-test", config)


def export_flow_test(c: dict[str, Any]) -> dict[str, Any]:
    payload, payload_type = typed(c.get("payload", ""))
    if "condition" in c:
        result, result_type = c["condition"], "jsonata"
    else:
        result, result_type = typed(c.get("expected"))
    factor = c.get("error_factor")
    prop = c.get("property", "payload")
    return {"payload": payload, "payloadType": payload_type, "result": result,
            "resultType": result_type, "resultProperty": "msg" if prop is None else
            f"msg.{prop}", "errorFactor": "" if factor is None else str(factor),
            "escapeString": bool(c.get("unescape")), "infiniteIsNull": False,
            "topic": c.get("topic", "")}


def import_data_analysis(node: NrNode, cx: MapContext) -> Mapped:
    action = node.word("action")
    if action not in _ACTIONS:
        raise Unsupported(f"action `{action}`: flowrt's data-analysis computes "
                          f"{', '.join(sorted(_ACTIONS))}")
    config: dict[str, Any] = {"action": action}
    if action == "realtime":
        key = _path(node.get("keyProperty"), "the key property", cx, default="")
        if not key:
            raise Unsupported("a realtime analysis with no key property (the contrib's setup "
                              "fails then)")
        if key != "topic":
            config["key_property"] = key
    if action == "pearsonR":
        props = node.get("dataProperties")
        paths = [_path(p, "a data property", cx) for p in props] if isinstance(
            props, list) else []
        if len(paths) < 2 or None in paths:
            raise Unsupported("a correlation needs two message properties or more")
        config["properties"] = paths
    else:
        prop = _path(node.get("dataProperty"), "the data property", cx)
        if prop is None:
            raise Unsupported("the whole message as the data")
        if prop != "payload":
            config["property"] = prop
    for key, name, default in (("term", "term", 3), ("lag", "lag", 1)):
        raw = node.get(key)
        number = default if raw is None else as_number(raw) if raw != "" else 0
        if number is None:
            raise Unsupported(f"{key} {raw!r} is not a number")
        if number != default:
            config[name] = number
    if action == "realtime":
        found = as_number(node.get("outliersStdDevs"))
        deviations = int(found) if found else 3
        if deviations not in (1, 2, 3):
            raise Unsupported(f"outliers at {deviations} standard deviations (1, 2 or 3)")
        if deviations != 3:
            config["outliers_std_devs"] = deviations
        if node.word("outliersBase") == "median":
            config["outliers_base"] = "median"
    return Mapped("data-analysis", config)


def export_data_analysis(c: dict[str, Any]) -> dict[str, Any]:
    action = c["action"]
    for prop in [c.get("property", "payload"), *c.get("properties", [])]:
        if "[" in prop and not prop.endswith("]"):
            raise NoCounterpart(f"property {prop!r} cannot be written as JavaScript")
    return {"action": action, "outputs": 3 if action == "realtime" else 2,
            "dataProperty": f"msg.{c.get('property', 'payload')}",
            "keyProperty": f"msg.{c.get('key_property', 'topic')}",
            "dataProperties": [f"msg.{p}" for p in c.get("properties", [])],
            "term": str(c.get("term", 3)), "lag": str(c.get("lag", 1)),
            "outliersStdDevs": str(c.get("outliers_std_devs", 3)),
            "outliersBase": c.get("outliers_base", "avg")}


_CONVERSIONS = frozenset((
    "JSONToJSON", "JSONToString", "JSONToArray", "JSONToHTML", "JSONToCSV", "ArrayToHTML",
    "ArrayToCSV", "CSVToArray", "CSVToHTML", "CSVWithHeaderToJSON", "StringToJSON",
    "BufferToCompressed", "CompressedToBuffer", "StringToDate",
    *(f"StringTo{a}" for a in (
        "UpperCase", "LowerCase", "Trim", "TrimStart", "TrimEnd", "Capitalize", "Title",
        "Camelize", "DelimiterOnCase", "Deunderscore", "DeunderscoreCapitilize",
        "DropSquareBracketPrefix", "CharAt", "CharCodeAt", "CodePointAt", "Number", "Float",
        "Real", "Integer", "ArrayByDelimiter", "RangeLimit")),
    *(f"StringTo{a}" for a in _WITH_TEXT)))
"""The transform conversions flowrt's convert node runs (nodes/prib/convert_actions.py)."""


def _whole(value: Any, default: int) -> int:
    if value is None:
        return default
    number = as_number(value) if value != "" else 0
    if number is None or number != int(number):
        raise Unsupported(f"{value!r} is not a whole number")
    return int(number)


_COMPRESSIONS = {
    "setGzip": "gzip", "setZlib": "gzip", "setGzipSpeed": "gzip_speed", "setZlibSpeed":
    "gzip_speed", "setGzipCompression": "gzip_best", "setZlibCompression": "gzip_best",
    "setFlate": "deflate"}
"""The contrib's compressionType choices flowrt runs (its zip choices write gzip streams)."""
_COMPRESSION_TYPES = {"gzip": "setGzip", "gzip_speed": "setGzipSpeed",
                      "gzip_best": "setGzipCompression", "deflate": "setFlate"}


def import_transform(node: NrNode, cx: MapContext) -> Mapped:
    action = f"{node.word('actionSource')}To{node.word('actionTarget')}"
    if action not in _CONVERSIONS:
        raise Unsupported(f"conversion {action}: flowrt's convert node runs JSON, CSV, HTML, "
                          "array and text conversions, Buffer to and from Compressed and "
                          "String to Date; XLSX, AVRO, ISO 8583, NumPy, paths, JSON or text "
                          "compression and the other Date conversions have no counterpart")
    config: dict[str, Any] = {"action": action}
    if action in ("BufferToCompressed", "CompressedToBuffer"):
        kind = node.word("compressionType")
        if kind not in _COMPRESSIONS:
            raise Unsupported(f"compressionType {kind!r}: flowrt compresses with gzip (the "
                              "contrib's gzip and zip choices) or deflate (flate); the contrib's "
                              "setup fails on its default `gzip`, brotli, lzma and snappy are "
                              "not offered")
        if _COMPRESSIONS[kind] != "gzip":
            config["compression"] = _COMPRESSIONS[kind]
        first = next(n for n in cx.export_nodes() if n.type == "transform" and "Compressed"
                     in (str(n.get("actionSource")), str(n.get("actionTarget"))))
        used = _COMPRESSIONS.get(str(first.get("compressionType")), "gzip")
        mine = _COMPRESSIONS[kind]
        # the level matters only when compressing; gzip against deflate both ways
        differs = used != mine if action == "BufferToCompressed" else (
            (used == "deflate") != (mine == "deflate"))
        if differs:
            cx.note(f"the contrib uses the first transform node's compression ({used}) in "
                    f"every node; flowrt this node's own ({mine})")
    if action == "StringToDate":
        cx.note("the date is the ISO 8601 text a JavaScript Date becomes in JSON, not a Date")
    for key, name in (("sourceProperty", "property"), ("targetProperty", "target")):
        path = _path(node.get(key), "the " + name, cx)
        if path is None:
            raise Unsupported(f"the whole message as the {name}")
        if path != "payload":
            config[name] = path
    topic = node.get("topicProperty")
    if isinstance(topic, str) and topic.strip() not in ("", "msg.topic"):
        raise Unsupported(f"topic set by the JavaScript `{topic}`")
    if "deleteSource" in node.raw:
        if node.word("deleteSourceType", "bool") != "bool":
            raise Unsupported("`deleteSource` from a context or message property")
        if not as_bool(node.get("deleteSource")):
            config["delete_source"] = False
    for key in ("JSONataSource", "JSONataTarget"):
        if node.get(key):
            raise Unsupported(f"a JSONata {key[7:].lower()} mapping around the conversion; "
                              "use a change node before or after")
    name = action.removeprefix("StringTo")
    if name in _WITH_TEXT:
        kind = node.word("stringType")
        if node.get("string") is None or kind not in ("str", "msg"):
            raise Unsupported("the second text is not a text or a message property (the "
                              "contrib's setup fails or evaluates code then)")
        text = node.get("string")
        if kind == "msg":
            config["text"] = {"type": "msg", "value": _path("msg." + str(text), "text", cx)}
        elif text != "":
            config["text"] = str(text)
    delimiter = node.get("delimiter")
    if isinstance(delimiter, str) and delimiter != ",":
        config["delimiter"] = delimiter
    numbers = {"index": ("index", 0), "radix": ("radix", 10), "skipLeading":
               ("skip_leading", 0), "skipTrailing": ("skip_trailing", 0)}
    for key, (name_, default) in numbers.items():
        number = _whole(node.get(key), default)
        if number != default:
            config[name_] = number
    for key, name_ in (("minString", "min_string"), ("maxString", "max_string")):
        if isinstance(node.get(key), str) and action == "StringToRangeLimit":
            config[name_] = node.get(key)
    return Mapped("convert", config)


def export_convert(c: dict[str, Any]) -> dict[str, Any]:
    source, _, target = c["action"].partition("To")
    text = c.get("text", "")
    kind = "msg" if isinstance(text, dict) else "str"
    return {"actionSource": source, "actionTarget": target,
            "sourceProperty": f"msg.{c.get('property', 'payload')}",
            "targetProperty": f"msg.{c.get('target', 'payload')}", "topicProperty": "msg.topic",
            "deleteSource": "true" if c.get("delete_source", True) else "false",
            "deleteSourceType": "bool",
            "string": text["value"] if isinstance(text, dict) else text, "stringType": kind,
            "delimiter": c.get("delimiter", ","), "index": str(c.get("index", 0)),
            "radix": str(c.get("radix", 10)), "skipLeading": c.get("skip_leading", 0),
            "skipTrailing": c.get("skip_trailing", 0),
            "compressionType": _COMPRESSION_TYPES[c.get("compression", "gzip")],
            **({"minString": c["min_string"]} if "min_string" in c else {}),
            **({"maxString": c["max_string"]} if "max_string" in c else {})}


def import_load_injector(node: NrNode, cx: MapContext) -> Mapped:
    if "topic" not in node.raw or "topicType" not in node.raw:
        raise Unsupported("the node has no topic setting: the contrib's setup fails then and "
                          "the node never sends")
    config: dict[str, Any] = {}
    for key, name in (("thinktimemin", "think_time_min"), ("thinktimemax", "think_time_max"),
                      ("runtime", "runtime")):
        number = as_number(node.get(key))
        if number is None or number < 0 or (name == "runtime" and number == 0):
            raise Unsupported(f"{key} {node.get(key)!r} is not a number of "
                              f"{'seconds' if name == 'runtime' else 'milliseconds'}")
        config[name] = number
    for key in ("payload", "topic"):
        kind = node.word(f"{key}Type") or "str"
        if kind == "genid" and key == "topic":
            config["topic_id"] = True
            continue
        if kind in ("genid", "genData", "genDataJSON", "re", "node"):
            raise Unsupported(f"a {key} of type `{kind}` (the contrib's data generator or "
                              "ids); use a function or a template node after the injector")
        ok, value = typed_value(node.get(key), kind, cx.note)
        if not ok:
            raise Unsupported(f"a {key} of type `{kind}`")
        if value not in ("", None):
            config[key] = value
    return Mapped("load-injector", config)


def export_load_injector(c: dict[str, Any]) -> dict[str, Any]:
    payload, payload_type = typed(c.get("payload"))
    topic, topic_type = ("", "genid") if c.get("topic_id") else typed(c.get("topic", ""))
    return {"thinktimemin": c["think_time_min"], "thinktimemax": c["think_time_max"],
            "runtime": c["runtime"], "payload": payload, "payloadType": payload_type,
            "topic": topic, "topicType": topic_type}


def import_monitor_flow(node: NrNode, cx: MapContext) -> Mapped:
    return Mapped("monitor-flow", {})


def export_monitor_flow(c: dict[str, Any]) -> dict[str, Any]:
    return {}


_OS_VALUES = ("arch", "EOL", "endianness", "hostname", "release", "type", "tmpdir", "homedir",
              "cpus", "freemem", "totalmem", "loadavg", "networkInterfaces", "uptime",
              "userInfo")
"""The os module values flowrt's node-os reads (nodes/system/node_os.py; a test checks)."""


def import_os(node: NrNode, cx: MapContext) -> Mapped:
    prop = node.word("property")
    if prop not in _OS_VALUES:
        raise Unsupported(f"os `{prop}`: flowrt's node-os reads {', '.join(_OS_VALUES)}; "
                          "process priorities and the constants table are not offered")
    return Mapped("node-os", {"property": prop})


def export_node_os(c: dict[str, Any]) -> dict[str, Any]:
    return {"property": c["property"]}


_HOST = "runs programs; flowrt's exec node does that work"

TYPES = (
    NrType("test", "flow-test", import_test, export_flow_test),
    NrType("Data Analysis", "data-analysis", import_data_analysis, export_data_analysis),
    NrType("transform", "convert", import_transform, export_convert),
    NrType("Load Injector", "load-injector", import_load_injector, export_load_injector),
    NrType("Monitor Flow", "monitor-flow", import_monitor_flow, export_monitor_flow),
    NrType("os", "node-os", import_os, export_node_os),
    NrType("Spawn Process", unsupported=f"node-red-contrib-prib-functions' spawn node {_HOST}"),
    NrType("Host Available", unsupported="node-red-contrib-prib-functions' host check opens "
           "TCP connections to other hosts; use tcp-request or http-request with a catch"),
)
