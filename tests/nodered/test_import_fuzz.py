"""Property: whatever a Node-RED export holds, the importer answers with a conversion and a report,
or with its own documented error (``ReadError``, ``CredentialsError``), and what it would write
loads, checks and is refused or planned without a traceback.

Exports are generated in two ways: valid shapes (tabs, subflows with ports and env, groups,
junctions, config nodes, and nodes of the types the importer maps, with the properties Node-RED
writes for them, then some replaced by values of other types, dropped, or wired anywhere), and
broken ones (items that are not objects, missing or repeated ids, unknown types, cycles, wires
of the wrong shape, top levels that are not exports, very deep nesting).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonata  # noqa: F401  (raises the recursion limit once, when imported: before any test)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowrt.compile import build_plan
from flowrt.diagnostics import Diagnostic
from flowrt.errors import CheckError, CompileError, LoadError
from flowrt.load import Project, load_project, load_text
from flowrt.nodered import (
    CredentialsError,
    ReadError,
    convert,
    import_nodered,
    read_data,
    read_text,
)
from flowrt.nodered.catalog import IMPORTERS
from flowrt.nodered.credentials import plain_credentials
from flowrt.registry import default_registry

REGISTRY = default_registry()
MAPPED = sorted(IMPORTERS)
IDS = ["t1", "t2", "sf1", "cfg1", "n1", "n2", "n3", "n4", "n5", "j1", "g1", ""]
TYPED = ["str", "num", "bool", "json", "msg", "flow", "global", "env", "date", "jsonata", "bin",
         "re", "prev", "", "nope"]  # fmt: skip
TEMPLATES: dict[str, dict[str, Any]] = {
    "inject": {"props": [{"p": "payload"}, {"p": "topic", "vt": "str"}], "repeat": "",
               "crontab": "", "once": False, "onceDelay": 0.1, "topic": "t", "payload": "1",
               "payloadType": "num"},
    "change": {"rules": [{"t": "set", "p": "payload", "pt": "msg", "to": "x", "tot": "str"},
                         {"t": "move", "p": "a", "pt": "msg", "to": "b", "tot": "msg"},
                         {"t": "change", "p": "payload", "pt": "msg", "from": "a",
                          "fromt": "str", "to": "b", "tot": "str"},
                         {"t": "delete", "p": "topic", "pt": "msg"}]},
    "switch": {"property": "payload", "propertyType": "msg", "checkall": "true",
               "rules": [{"t": "eq", "v": "1", "vt": "num"}, {"t": "btwn", "v": "1", "vt": "num",
                                                            "v2": "5", "v2t": "num"},
                         {"t": "else"}], "outputs": 3},
    "function": {"func": "return msg;", "outputs": 1, "timeout": 0, "noerr": 0,
                 "initialize": "", "finalize": "", "libs": []},
    "debug": {"active": True, "tosidebar": True, "console": False, "tostatus": False,
              "complete": "payload", "targetType": "msg"},
    "delay": {"pauseType": "delay", "timeout": "5", "timeoutUnits": "seconds", "rate": "1",
              "nbRateUnits": "1", "rateUnits": "second", "drop": False},
    "trigger": {"op1": "1", "op2": "0", "op1type": "str", "op2type": "str", "duration": "250",
                "extend": False, "units": "ms", "reset": "", "bytopic": "all"},
    "template": {"field": "payload", "fieldType": "msg", "format": "handlebars",
                 "syntax": "mustache", "template": "Hi {{payload}}", "output": "str"},
    "mqtt in": {"topic": "a/#", "qos": "2", "datatype": "auto-detect", "broker": "cfg1",
                "nl": False, "rap": True, "rh": 0, "inputs": 0},
    "mqtt out": {"topic": "", "qos": "", "retain": "", "broker": "cfg1"},
    "http request": {"method": "GET", "ret": "txt", "paytoqs": "ignore",
                     "url": "http://127.0.0.1:1/x", "tls": "", "persist": False, "proxy": "",
                     "authType": "", "senderr": False, "headers": []},
    "split": {"splt": "\\n", "spltType": "str", "arraySplt": 1, "arraySpltType": "len",
              "stream": False, "addname": ""},
    "join": {"mode": "auto", "build": "object", "property": "payload", "key": "topic",
             "joiner": "\\n", "joinerType": "str", "count": "", "timeout": ""},
    "link out": {"mode": "link", "links": ["n2"]},
    "link in": {"links": ["n1"]},
    "catch": {"scope": None, "uncaught": False},
    "json": {"property": "payload", "action": "", "pretty": False},
    "range": {"minin": "0", "maxin": "10", "minout": "0", "maxout": "100", "action": "scale",
              "round": False, "property": "payload"},
    "rbe": {"func": "rbe", "gap": "", "start": "", "inout": "out", "property": "payload"},
}
CONFIGS: dict[str, dict[str, Any]] = {
    "mqtt-broker": {"broker": "127.0.0.1", "port": "1883", "clientid": "", "usetls": False,
                    "protocolVersion": "4", "keepalive": "60", "cleansession": True},
    "http proxy": {"url": "http://proxy:3128"},
    "tls-config": {"verifyservercert": True},
}
KEY_POOL = sorted({k for t in (*TEMPLATES.values(), *CONFIGS.values()) for k in t}
                  | {"name", "info", "d", "g", "x", "y", "env", "credentials", "outputLabels"})

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**65), 2**65),
                    st.floats(allow_nan=True), st.text(max_size=10),
                    st.sampled_from(["", "0", "1.5", "true", "false", "payload", "msg.x",
                                     "$.a", "{{x}}", "${X}", "[1,2]", '{"a":1}', "a\nb"]))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(KEY_POOL + ["t", "p", "v", "vt"]),
                                            inner, max_size=4)),
    max_leaves=20,
)
wires = st.one_of(
    st.lists(st.lists(st.sampled_from(IDS), max_size=3), max_size=3),
    json_values,
)


@st.composite
def flow_node(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.one_of(st.sampled_from(sorted(TEMPLATES)), st.sampled_from(MAPPED),
                          st.sampled_from(["subflow:sf1", "subflow:none", "ui_button",
                                           "node-red-contrib-x", "unknown type"])))
    data: dict[str, Any] = {"id": draw(st.sampled_from(IDS)), "type": kind,
                            "z": draw(st.sampled_from(["t1", "t1", "t2", "sf1", "", "ghost"])),
                            **json.loads(json.dumps(TEMPLATES.get(kind, {})))}
    for key in draw(st.lists(st.sampled_from(KEY_POOL), max_size=3)):
        data[key] = draw(st.one_of(json_values, st.sampled_from(TYPED)))
    for key in draw(st.lists(st.sampled_from(sorted(data)), max_size=2, unique=True)):
        if draw(st.booleans()):
            del data[key]
    if draw(st.integers(0, 4)):
        data["wires"] = draw(wires)
    if draw(st.integers(0, 6)) == 0:
        data["credentials"] = draw(st.dictionaries(st.sampled_from(["user", "password"]),
                                                   json_values, max_size=2))
    return data


@st.composite
def export(draw: st.DrawFn) -> Any:
    items: list[Any] = [{"id": "t1", "type": "tab", "label": draw(st.text(max_size=8)),
                         "disabled": draw(st.booleans()),
                         "env": draw(st.one_of(st.just([]), json_values))}]
    if draw(st.booleans()):
        items.append({"id": "t2", "type": "tab", "label": "Other"})
    if draw(st.booleans()):
        items.append({"id": "sf1", "type": "subflow", "name": draw(st.text(max_size=6)),
                      "in": draw(st.one_of(st.just([{"wires": [{"id": "n1"}]}]), json_values)),
                      "out": draw(st.one_of(st.just([{"wires": [{"id": "n2", "port": 0}]}]),
                                            json_values)),
                      "env": draw(st.one_of(st.just([{"name": "F", "type": "num",
                                                      "value": "2"}]), json_values))})
    if draw(st.booleans()):
        kind = draw(st.sampled_from(sorted(CONFIGS)))
        items.append({"id": "cfg1", "type": kind, **CONFIGS[kind]})
    if draw(st.integers(0, 3)) == 0:
        items.append({"id": "g1", "type": "group", "z": "t1", "nodes": ["n1", "n2"],
                      "style": draw(json_values)})
    if draw(st.integers(0, 3)) == 0:
        items.append({"id": "j1", "type": "junction", "z": "t1", "wires": draw(wires)})
    items.extend(draw(st.lists(flow_node(), max_size=6)))
    if draw(st.integers(0, 5)) == 0:
        items.insert(draw(st.integers(0, len(items))), draw(json_values))
    shape = draw(st.sampled_from(["array", "array", "array", "flows", "one", "other"]))
    if shape == "flows":
        return {"flows": items, "rev": draw(scalars)}
    if shape == "one":
        return items[-1]
    if shape == "other":
        return draw(json_values)
    return items


def imported(data: Any, credentials: Any = None) -> Any:
    """Convert ``data``; None when the importer refused it with its own error."""
    try:
        creds = plain_credentials(credentials) if credentials is not None else {}
        return convert(read_data(data, "flows.json"), creds, "flows.json", REGISTRY)
    except (ReadError, CredentialsError) as exc:
        assert str(exc)
        return None


def assert_loads(texts: dict[str, str]) -> None:
    """What the importer would write loads and checks with diagnostics only, and is planned or
    refused with build_plan's own errors: CheckError, or CompileError for a value that is
    invalid once a ${VAR} with no value is known (never another exception)."""
    docs = []
    for name, text in texts.items():
        try:
            docs.append(load_text(text, name))
        except LoadError as exc:
            assert all(isinstance(d, Diagnostic) for d in exc.diagnostics)
    try:
        build_plan(Project(docs), REGISTRY, env={})
    except CheckError as exc:
        assert exc.diagnostics
    except CompileError as exc:
        assert "${" in "".join(texts.values()) and str(exc)


@given(data=export(), credentials=st.one_of(st.none(), json_values))
@settings(SETTINGS, max_examples=150)
def test_any_export_is_converted_or_refused_with_the_importers_error(
    data: Any, credentials: Any
) -> None:
    conversion = imported(data, credentials)
    if conversion is None:
        return
    report = conversion.report.to_dict()
    json.dumps(report)  # the report is plain data
    conversion.report.render_text()
    assert_loads(conversion.texts())


@given(data=json_values)
@SETTINGS
def test_any_json_value(data: Any) -> None:
    conversion = imported(data)
    if conversion is not None:
        assert_loads(conversion.texts())


@given(text=st.one_of(st.text(max_size=200),
                      st.sampled_from(["[", "{}", "null", "[[]]", "\ufeff[]", "NaN"])))
@SETTINGS
def test_any_text(text: str) -> None:
    try:
        export_ = read_text(text, "flows.json")
    except ReadError as exc:
        assert "flows.json" in str(exc)
        return
    assert_loads(convert(export_, {}, "flows.json", REGISTRY).texts())


@given(depth=st.integers(50, 20_000), where=st.sampled_from(["top", "prop", "rules", "wires"]))
@settings(SETTINGS, max_examples=25)
def test_very_deep_nesting_is_refused_or_imported(depth: int, where: str) -> None:
    text = "[" * depth + "]" * depth
    if where == "prop":
        text = f'[{{"id": "n1", "type": "inject", "z": "t1", "payload": {text}, "wires": []}}]'
    elif where == "rules":
        text = f'[{{"id": "n1", "type": "change", "z": "t1", "rules": [{{"t": "set", ' \
               f'"p": "payload", "to": {text}, "tot": "json"}}]}}]'
    elif where == "wires":
        text = f'[{{"id": "n1", "type": "debug", "z": "t1", "wires": {text}}}]'
    try:
        export_ = read_text(text, "flows.json")
    except ReadError as exc:
        assert "flows.json" in str(exc)
        return
    assert_loads(convert(export_, {}, "flows.json", REGISTRY).texts())


@given(data=export())
@settings(SETTINGS, max_examples=15)
def test_what_import_nodered_writes_passes_the_loader(data: Any, tmp_path_factory: Any) -> None:
    folder = Path(tmp_path_factory.mktemp("import"))
    source = folder / "flows.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    try:
        result = import_nodered(source, folder / "out", registry=REGISTRY)
    except (ReadError, CredentialsError):
        return
    if result.files:
        project = load_project([folder / "out"])
        assert all(isinstance(d, Diagnostic) for d in project.diagnostics)
