"""Node-RED's "common" nodes: inject, debug, complete, catch, status, link in, link out, link
call and comment; and the global-config node, whose environment variables the import copies into
every flow's ``env``."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import Exporter, typed, unescape
from flowrt.nodered.mapping import MapContext, Mapped, drop_defaults
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import property_path, seconds, typed_value

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


_INJECT_KEYS = {"payload", "topic"}
_LINK_IN = ("link in",)
"""The Node-RED type link out and link call nodes send to."""


def _inject_props(node: NrNode) -> list[dict[str, Any]]:
    """Node-RED's normalisation of inject properties (20-inject.js): old nodes have none."""
    props = node.get("props")
    if not isinstance(props, list):
        return [
            {"p": "payload", "v": node.get("payload", ""), "vt": node.get("payloadType", "date")},
            {"p": "topic", "v": node.get("topic", ""), "vt": "str"},
        ]
    found = []
    for prop in props:
        if not isinstance(prop, dict) or not isinstance(prop.get("p"), str):
            continue
        prop = dict(prop)
        if prop["p"] == "payload" and "v" not in prop:
            prop["v"], prop["vt"] = node.get("payload", ""), node.get("payloadType", "date")
        elif prop["p"] == "topic" and "v" not in prop:
            prop["v"], prop["vt"] = node.get("topic", ""), "str"
        found.append(prop)
    return found


def import_inject(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    has_payload = False
    for prop in _inject_props(node):
        ok, value = typed_value(prop.get("v"), prop.get("vt") or "str", cx.note)
        if not ok:
            cx.note(f"property `{prop['p']}` is left out")
            continue
        if prop["p"] in _INJECT_KEYS:
            config[prop["p"]] = value
            has_payload = has_payload or prop["p"] == "payload"
        else:
            properties[property_path(prop["p"], cx.note)] = value
    mapped = Mapped("inject", config)
    if not has_payload:
        config["payload"] = None
        mapped.postlude = Mapped("change", {"rules": [{"delete": "payload"}]})
        cx.note("Node-RED sends no payload: a change node after it deletes the payload flowrt's "
                "inject always sets")
    if properties:
        config["properties"] = properties
    repeat = as_number(node.get("repeat"))
    crontab = node.get("crontab")
    if repeat and repeat > 0:
        config["repeat"] = repeat
    elif isinstance(crontab, str) and crontab.strip():
        config["cron"] = crontab.strip()
    if node.flag("once"):
        config["once"] = True
        delay = seconds(node.get("onceDelay"), "s", cx.note, 0.1) or 0.1
        if delay != 0.1:
            config["once_delay"] = delay
    if "repeat" not in config and "cron" not in config and "once" not in config:
        cx.note("sends only when triggered by hand (Node-RED's button): flowrt has no button; "
                "send into it from a flow test or the editor")
    return mapped


def import_debug(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    complete = str(node.get("complete", "false"))
    target = node.get("targetType")
    if target == "jsonata":
        config["expression"] = complete
    elif complete == "true" or target == "full":
        config["complete"] = True
    elif complete not in ("false", "payload", ""):
        config["property"] = property_path(complete, cx.note)
    sidebar = as_bool(node.get("tosidebar"), True)
    console = node.flag("console")
    config["active"] = node.flag("active", True) or console
    config["console"] = sidebar or console
    if node.flag("tostatus"):
        kind = node.get("statusType") or "auto"
        config["status"] = "count" if kind == "counter" else "value"
        status_value = node.get("statusVal") or ""
        if kind == "jsonata" or (kind == "msg" and status_value not in ("", complete)):
            cx.note(f"the status shows the node's value, not `{status_value}` ({kind})")
    return Mapped("debug", drop_defaults(config, {"active": True, "console": True}))


def _scope(node: NrNode, cx: MapContext) -> list[str] | None:
    scope = node.get("scope")
    if scope == "group":
        return cx.group_members(node.id)
    if not isinstance(scope, list):
        return None
    found = [cx.node_ref(s) for s in scope]
    return [s for s in found if s]


def import_catch(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    scope = _scope(node, cx)
    if scope is not None:
        config["scope"] = scope
    if node.flag("uncaught"):
        config["uncaught"] = True
    return Mapped("catch", config)


def import_status(node: NrNode, cx: MapContext) -> Mapped:
    scope = _scope(node, cx)
    return Mapped("status", {} if scope is None else {"scope": scope})


def import_complete(node: NrNode, cx: MapContext) -> Mapped:
    scope = _scope(node, cx) or []
    if not scope:
        cx.note("it watches no node of the export: in Node-RED it never sends, nor does this "
                "one (`scope: []`; flowrt validate warns, W111)")
    if node.flag("uncaught"):
        cx.note("`uncaught` is not offered by flowrt's complete node")
    return Mapped("complete", {"scope": scope})


def import_link_in(node: NrNode, cx: MapContext) -> Mapped:
    return Mapped("link-in", {})


def import_link_out(node: NrNode, cx: MapContext) -> Mapped:
    if node.get("mode") == "return":
        return Mapped("link-out", {"mode": "return"})
    links = node.get("links")
    listed = [t for t in links if isinstance(t, str)] if isinstance(links, list) else []
    known = [t for t in listed if cx.config_node(t) is not None]
    if len(known) < len(listed):
        cx.note("links to nodes that are not in the export: those links are left out")
    back = cx.back_links(node.id, _LINK_IN)
    targets = [cx.node_ref(t, _LINK_IN) for t in dict.fromkeys(known + back)]
    found = [t for t in targets if t]
    if not found:
        cx.note("it links to no link-in node: in Node-RED it sends nowhere, nor does this one "
                "(`links: []`; flowrt validate warns, W111)")
    return Mapped("link-out", {"links": found})


def import_link_call(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    if node.get("linkType") == "dynamic":
        config["dynamic"] = True
    else:
        links = node.get("links")
        first = links[0] if isinstance(links, list) and links else None
        target = cx.node_ref(first, _LINK_IN) if first else None
        if target:
            config["target"] = target
        else:
            cx.note("calls no link-in node")
        if isinstance(links, list) and len(links) > 1:
            cx.note("Node-RED calls only the first of several links; so does flowrt")
    timeout = seconds(node.get("timeout"), "s", cx.note, 30.0)
    if timeout and timeout != 30:
        config["timeout"] = timeout
    return Mapped("link-call", config)


def import_comment(node: NrNode, cx: MapContext) -> Mapped:
    info = node.get("info")
    return Mapped("comment", {"text": info} if isinstance(info, str) and info else {})


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_inject(c: dict[str, Any]) -> dict[str, Any]:
    payload, payload_type = typed(c.get("payload", {"type": "date"}))
    props: list[dict[str, Any]] = [{"p": "payload"}]
    out: dict[str, Any] = {"payload": payload, "payloadType": payload_type, "topic": ""}
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


def export_debug(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"active": c.get("active", True),
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


def _scoped(uncaught: bool) -> Exporter:
    """The exporter of catch, status or complete: their scope, and `uncaught` for those that
    have it."""

    def export(c: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"scope": c.get("scope")}
        if uncaught:
            out["uncaught"] = bool(c.get("uncaught"))
        return out

    return export


def export_link_in(c: dict[str, Any]) -> dict[str, Any]:
    return {}


def export_link_out(c: dict[str, Any]) -> dict[str, Any]:
    return {"mode": c.get("mode", "link"), "links": c.get("links", [])}


def export_link_call(c: dict[str, Any]) -> dict[str, Any]:
    return {"links": [c["target"]] if c.get("target") else [],
            "linkType": "dynamic" if c.get("dynamic") else "static",
            "timeout": str(c.get("timeout", 30))}


def export_comment(c: dict[str, Any]) -> dict[str, Any]:
    return {"info": c.get("text", "")}


TYPES = (
    NrType("inject", "inject", import_inject, export_inject),
    NrType("debug", "debug", import_debug, export_debug),
    NrType("catch", "catch", import_catch, _scoped(uncaught=True)),
    NrType("status", "status", import_status, _scoped(uncaught=False)),
    NrType("complete", "complete", import_complete, _scoped(uncaught=True)),
    NrType("link in", "link-in", import_link_in, export_link_in),
    NrType("link out", "link-out", import_link_out, export_link_out),
    NrType("link call", "link-call", import_link_call, export_link_call),
    NrType("comment", "comment", import_comment, export_comment),
    NrType("global-config", config=True, global_env=True),
)
