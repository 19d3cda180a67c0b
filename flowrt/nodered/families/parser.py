"""Node-RED's parser and storage nodes: json, yaml, xml, html, csv, file (flowrt's file-out)
and file in (watch and exec are in the system family)."""

from __future__ import annotations

import codecs
import csv as csv_module
from typing import Any

from flowrt.nodered.export_values import NoCounterpart, escape_separator
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import env_reference, property_path, typed_value, unescape_separator

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def import_json(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    prop = property_path(node.get("property"), cx.note)
    if prop != "payload":
        config["property"] = prop
    action = {"str": "string", "obj": "object"}.get(node.word("action"), "auto")
    if action != "auto":
        config["action"] = action
    if node.flag("pretty"):
        config["pretty"] = True
    return Mapped("json", config)


def import_yaml(node: NrNode, cx: MapContext) -> Mapped:
    prop = property_path(node.get("property"), cx.note)
    return Mapped("yaml", {} if prop == "payload" else {"property": prop})


def import_xml(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    prop = property_path(node.get("property"), cx.note)
    if prop != "payload":
        config["property"] = prop
    for nr_key, key in (("attr", "attr"), ("chr", "text_key")):
        value = node.get(nr_key)
        if isinstance(value, str) and value:
            config[key] = value
    return Mapped("xml", config)


def import_html(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    prop = property_path(node.get("property"), cx.note)
    if prop != "payload":
        config["property"] = prop
    out = node.get("outproperty")
    if isinstance(out, str) and out:
        out = property_path(out, cx.note)
        if out != prop:
            config["output_property"] = out
    tag = node.get("tag")
    if isinstance(tag, str) and tag:
        config["selector"] = tag
    ret = node.word("ret") or "html"
    if ret not in ("html", "text", "attr", "compl"):
        raise Unsupported(f"the html node's return `{ret}` is not known")
    if ret != "html":
        config["return"] = ret
    if node.get("as") == "multi":
        config["output"] = "multiple"
    chr_ = node.get("chr")
    if isinstance(chr_, str) and chr_ and chr_ != "_":
        config["text_key"] = chr_
    return Mapped("html", config)


_NEWLINES = {"\n": "lf", "\r\n": "crlf", "\r": "cr"}


def import_csv(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    template = node.get("temp") or ""
    rfc = node.get("spec") == "rfc"  # Node-RED's RFC 4180 mode: names keep their spaces
    if isinstance(template, str) and template.strip():
        row = next(csv_module.reader([template], skipinitialspace=not rfc), [])
        config["columns"] = row if rfc else [c.strip() for c in row]
    if rfc and node.flag("hdrin"):
        config["trim_names"] = False
    if rfc:
        config["list_rows"] = "columns"
    separator = unescape_separator(node.word("sep") or ",")
    if separator != ",":
        config["separator"] = separator
    default_ending = "\\r\\n" if node.get("spec") == "rfc" else "\\n"
    ending = unescape_separator(node.word("ret") or default_ending)
    newline = _NEWLINES.get(ending, "lf")
    if newline != "lf":
        config["newline"] = newline
    if node.flag("hdrin"):
        config["header_in"] = True
    hdrout = node.get("hdrout")
    hdrout = {True: "all", False: "none", "true": "all", "false": "none"}.get(hdrout, hdrout)
    if hdrout in ("all", "once"):
        config["header_out"] = hdrout
    skip = as_number(node.get("skip"))
    if skip:
        config["skip_lines"] = int(skip)
    if not as_bool(node.get("strings"), True):
        config["parse_numbers"] = False
    if node.flag("include_empty_strings"):
        config["include_empty_strings"] = True
    if node.flag("include_null_values"):
        config["include_nulls"] = True
    if node.get("multi") not in (None, "", "one"):  # Node-RED: anything but `one` is `all`
        config["output"] = "all"
    return Mapped("csv", config)


_ENCODINGS = {"none": None, "utf8": None, "utf-8": None, "ucs2": "utf-16-le",
              "utf16le": "utf-16-le", "ucs-2": "utf-16-le", "utf-16le": "utf-16-le",
              "latin1": "latin-1", "binary": "latin-1"}


def _encoding(node: NrNode, cx: MapContext) -> str | None:
    name = str(node.get("encoding") or "none")
    if name in _ENCODINGS:
        return _ENCODINGS[name]
    if name == "setbymsg":
        cx.note("the encoding is not taken from msg.encoding: UTF-8 is used")
        return None
    if name in ("base64", "hex"):
        cx.note(f"`{name}` is a byte encoding, not a text one: UTF-8 is used")
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        cx.note(f"encoding `{name}` is not known to Python: UTF-8 is used")
        return None


def _filename(node: NrNode, cx: MapContext) -> tuple[str | None, Any]:
    """(The configured file name, or None when the node reads `msg.filename`; the value a
    change node in front sets msg.filename to, when the name comes from another message
    property, context or a JSONata expression, else None)."""
    name = node.get("filename")
    name = name if isinstance(name, str) else ""
    kind = node.get("filenameType") or ""
    if kind == "":
        kind = "msg" if name == "" else "str"
        name = name or "filename"
    if kind == "str":
        if not name:
            raise Unsupported("the node names no file")
        return name, None
    if kind == "env":
        return "${" + (env_reference(name) or name) + "}", None
    if kind == "msg" and property_path(name, cx.note, "filename") == "filename":
        return None, None
    if kind in ("msg", "flow", "global", "jsonata") and name.strip():
        ok, source = typed_value(name, kind, cx.note)
        if ok:
            cx.note(f"a change node before it sets msg.filename from {kind} `{name}` (Node-RED "
                    "sets msg.filename to the name it used too)")
            return None, source
    raise Unsupported(
        f"the file name comes from {kind} `{name}`; flowrt's file nodes take a fixed name or "
        "`msg.filename`: set msg.filename with a change node before this one"
    )


def _named_by(mapped: Mapped, source: Any) -> Mapped:
    if source is not None:
        mapped.prelude = Mapped("change", {"rules": [{"set": "filename", "to": source}]})
    return mapped


def import_file(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    filename, source = _filename(node, cx)
    if filename is not None:
        config["filename"] = filename
    overwrite = str(node.get("overwriteFile", "false"))
    if overwrite == "delete":
        config["action"] = "delete"
    elif overwrite == "true":
        config["action"] = "overwrite"
    if not as_bool(node.get("appendNewline"), True) and overwrite != "delete":
        config["add_newline"] = False
    if node.flag("createDir"):
        config["create_directories"] = True
    encoding = _encoding(node, cx)
    if encoding:
        config["encoding"] = encoding
    return _named_by(Mapped("file-out", config), source)


_FORMATS = {"utf8": "text", "lines": "lines", "": "bytes", "stream": "chunks"}


def import_file_in(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    filename, source = _filename(node, cx)
    if filename is not None:
        config["filename"] = filename
    form = node.get("format")
    form = form if isinstance(form, str) else "utf8"
    if form not in _FORMATS:
        raise Unsupported(f"file format `{form}` is not known")
    if _FORMATS[form] != "text":
        config["format"] = _FORMATS[form]
    encoding = _encoding(node, cx)
    if encoding:
        config["encoding"] = encoding
    if node.flag("allProps"):
        config["keep_properties"] = True
    if node.get("sendError") is True or node.get("sendError") == "true":
        cx.note("read errors go to catch nodes; no message with msg.error is sent on")
    return _named_by(Mapped("file-in", config), source)


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_json(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("schema"):
        raise NoCounterpart("a schema set on the node has no Node-RED counterpart")
    action = {"string": "str", "object": "obj"}.get(c.get("action", "auto"), "")
    return {"property": c.get("property", "payload"), "action": action,
            "pretty": bool(c.get("pretty"))}


def export_yaml(c: dict[str, Any]) -> dict[str, Any]:
    return {"property": c.get("property", "payload")}


def export_xml(c: dict[str, Any]) -> dict[str, Any]:
    return {"property": c.get("property", "payload"), "attr": c.get("attr", ""),
            "chr": c.get("text_key", "")}


def export_html(c: dict[str, Any]) -> dict[str, Any]:
    prop = c.get("property", "payload")
    return {"property": prop, "outproperty": c.get("output_property") or prop,
            "tag": c.get("selector", ""), "ret": c.get("return", "html"),
            "as": "multi" if c.get("output") == "multiple" else "single",
            "chr": c.get("text_key", "_")}


def export_csv(c: dict[str, Any]) -> dict[str, Any]:
    columns = ",".join(
        f'"{col}"' if "," in col else col for col in c.get("columns", [])
    )
    newline = {"lf": "\\n", "crlf": "\\r\\n", "cr": "\\r"}[c.get("newline", "lf")]
    rfc = c.get("list_rows") == "columns" or c.get("trim_names") is False
    return {"spec": "rfc" if rfc else "", "sep": escape_separator(c.get("separator", ",")),
            "hdrin": bool(c.get("header_in")), "hdrout": c.get("header_out", "none"),
            "multi": "mult" if c.get("output") == "all" else "one", "ret": newline,
            "temp": columns, "skip": str(c.get("skip_lines", 0)),
            "strings": c.get("parse_numbers", True),
            "include_empty_strings": bool(c.get("include_empty_strings")),
            "include_null_values": bool(c.get("include_nulls"))}


_ENCODING_EXPORT = {None: "none", "utf-8": "none", "utf-16-le": "utf16le", "latin-1": "latin1"}


def export_file_out(c: dict[str, Any]) -> dict[str, Any]:
    action = c.get("action", "append")
    return {"filename": c.get("filename") or "filename",
            "filenameType": "str" if c.get("filename") else "msg",
            "appendNewline": c.get("add_newline", True),
            "createDir": bool(c.get("create_directories")),
            "overwriteFile": {"append": "false", "overwrite": "true"}.get(action, action),
            "encoding": _ENCODING_EXPORT.get(c.get("encoding"), c.get("encoding"))}


def export_file_in(c: dict[str, Any]) -> dict[str, Any]:
    form = {"text": "utf8", "lines": "lines", "bytes": "", "chunks": "stream"}
    return {"filename": c.get("filename") or "filename",
            "filenameType": "str" if c.get("filename") else "msg",
            "format": form[c.get("format", "text")], "chunk": False, "sendError": False,
            "encoding": _ENCODING_EXPORT.get(c.get("encoding"), c.get("encoding")),
            "allProps": bool(c.get("keep_properties"))}


TYPES = (
    NrType("json", "json", import_json, export_json),
    NrType("yaml", "yaml", import_yaml, export_yaml),
    NrType("csv", "csv", import_csv, export_csv),
    NrType("file", "file-out", import_file, export_file_out),
    NrType("file in", "file-in", import_file_in, export_file_in),
    NrType("xml", "xml", import_xml, export_xml),
    NrType("html", "html", import_html, export_html),
)
