"""Dashboard templates (flowrt/nodered/families/dashboard_template.py): node-red-dashboard's
``ui_template`` (Angular) and FlowFuse's ``ui-template`` (Vue) become ui-template with their
static HTML and ``{{msg.<path>}}`` bindings; each directive, script, style, component and
other expression is named in a caveat (text alone stays ui-markdown, as before); a page-wide
or script-only template is unsupported; the export writes ``ui_template`` back, and the import
of that is the same. The imported template runs and passes its messages on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowrt.load import load_project
from flowrt.nodered.export import export_project
from tests.nodered.helpers import (
    entry,
    errors,
    flowrt_id,
    node,
    nr_import,
    run_imported,
    texts,
)
from tests.nodered.test_mapping_dashboard import Z, dashboard_export, dashboard_of
from tests.nodered.test_mapping_dashboard2 import export as export_v2
from tests.nodered.test_mapping_dashboard2 import widget as widget_v2

TEMPLATE = {"id": "tpl", "type": "ui_template", "z": Z, "group": "g1", "name": "", "order": 4,
            "width": 0, "height": 0, "format": "<div ng-bind-html=\"msg.payload\"></div>",
            "storeOutMessages": True, "fwdInMessages": True, "resendOnRefresh": True,
            "templateScope": "local", "className": "", "x": 300, "y": 500, "wires": [[]]}
ANGULAR = ('<md-button ng-click="send({payload: 1})">Go</md-button>\n'
           '<p class="big" ng-if="msg.payload > 3" onclick="x()">{{msg.payload | number:1}} '
           '{{msg.topic}} {{msg.payload.toFixed(2)}} 50%}</p>\n'
           '<script>(function(scope) { scope.$watch("msg", () => {}); })(scope);</script>\n'
           '<style>.big { font-size: 2em; }</style>')


def notes(conversion: Any, nr_id: str) -> str:
    return " ".join(entry(conversion, nr_id).notes)


def test_text_and_bindings_carry_over(tmp_path: Path) -> None:
    text_only = {**TEMPLATE, "format": "<b>Boiler</b>: {{msg.payload}} °C",
                 "storeOutMessages": False}
    conversion = nr_import(dashboard_export() + [text_only])
    assert node(conversion, "tpl") == {
        "type": "ui-template", "dashboard": "b1", "store": False, "passthru": True,
        "template": "<b>Boiler</b>: {{ msg.payload }} °C"}
    assert notes(conversion, "tpl") == ""
    assert "tpl" in str(dashboard_of(conversion))
    assert not errors(conversion), errors(conversion)
    plain = nr_import(dashboard_export() + [{**TEMPLATE, "format": "Boiler: {{msg.payload}}"}])
    assert node(plain, "tpl") == {"type": "ui-markdown", "dashboard": "b1",
                                  "content": "Boiler: {{msg.payload}}"}


def test_what_will_not_run_is_named() -> None:
    conversion = nr_import(dashboard_export() + [{**TEMPLATE, "format": ANGULAR}])
    assert not errors(conversion), errors(conversion)
    made = node(conversion, "tpl")["template"]
    assert made == (
        '<md-button ng-click="send({payload: 1})">Go</md-button>\n'
        '<p class="big" ng-if="msg.payload > 3" onclick="x()">{{ msg.payload }} '
        "{{ msg.topic }} {% raw %}{{msg.payload.toFixed(2)}}{% endraw %} 50{{ '%}' }}</p>\n"
        '<script>(function(scope) { scope.$watch("msg", () => {}); })(scope);</script>\n'
        "<style>.big { font-size: 2em; }</style>")
    said = notes(conversion, "tpl")
    for construct in ("`ng-click`", "`ng-if`", "`<md-button>`", "`onclick`", "`<script>`",
                      "`<style>`", "`| number:1`", "`{{msg.payload.toFixed(2)}}`"):
        assert construct in said, construct


@pytest.mark.parametrize(("props", "reason"), [
    ({"templateScope": "global"}, "every page"),
    ({"format": "<script>scope.$watch('msg', function (m) {});</script>\n<style>p {}</style>"},
     "nothing but what its script"),
])
def test_what_cannot_work_is_unsupported(props: dict[str, Any], reason: str) -> None:
    conversion = nr_import(dashboard_export() + [{**TEMPLATE, **props}])
    assert reason in entry(conversion, "tpl").reason
    assert not errors(conversion), errors(conversion)


def test_a_vue_template_of_dashboard_2() -> None:
    sfc = ('<template>\n  <div class="card">{{ msg.payload }}</div>\n'
           '  <v-btn @click="send({payload: 1})" :disabled="busy">Go</v-btn>\n</template>\n'
           "<script>export default { data() { return { busy: false } } }</script>")
    nodes = [*export_v2(), widget_v2("tp", "ui-template", 8, format=sfc,
                                     templateScope="local", storeOutMessages=True,
                                     passthru=False)]
    conversion = nr_import(nodes)
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "tp") == {
        "type": "ui-template", "dashboard": "base", "store": True, "passthru": False,
        "template": '\n  <div class="card">{{ msg.payload }}</div>\n'
                    '  <v-btn @click="send({payload: 1})" :disabled="busy">Go</v-btn>\n'
                    "<script>export default { data() { return { busy: false } } }</script>"}
    said = notes(conversion, "tp")
    for construct in ("`@click`", "`:disabled`", "`<v-btn>`", "`<script>`", "Vue"):
        assert construct in said, construct
    head = nr_import([*export_v2(), widget_v2("tp", "ui-template", 8, format=sfc,
                                              templateScope="site:style")])
    assert "every page" in entry(head, "tp").reason


def test_the_export_is_ui_template_and_imports_back_the_same(tmp_path: Path) -> None:
    first = nr_import(dashboard_export() + [{**TEMPLATE, "format": ANGULAR}])
    where = tmp_path / "one"
    where.mkdir()
    for name, content in texts(first).items():
        (where / Path(name).name).write_text(content)
    assert not load_project([str(where)]).diagnostics
    exported, _ = export_project([str(where)])
    back = next(n for n in exported if n["id"] == "tpl")
    assert back["type"] == "ui_template"
    assert (back["storeOutMessages"], back["fwdInMessages"], back["templateScope"]) == \
        (True, True, "local")
    assert back["format"] == ANGULAR.replace("{{msg.payload | number:1}} {{msg.topic}}",
                                             "{{ msg.payload }} {{ msg.topic }}")
    assert node(nr_import(exported), "tpl") == node(first, "tpl")


def test_the_imported_template_renders_the_message() -> None:
    inject = {"id": "inj", "type": "inject", "z": Z, "props": [{"p": "payload"}],
              "repeat": "", "once": False, "payload": "<i>21.5</i>", "payloadType": "str",
              "x": 100, "y": 80, "wires": [["tpl"]]}
    debug = {"id": "out", "type": "debug", "z": Z, "active": True, "x": 500, "y": 80,
             "wires": []}
    conversion = nr_import([n for n in dashboard_export() if n["id"] != "inj"] + [
        inject, debug,
        {**TEMPLATE, "format": "<b>{{msg.payload}}</b>", "wires": [["out"]]}])
    assert not errors(conversion), errors(conversion)
    made = flowrt_id(conversion, "tpl")
    result = run_imported(conversion, into=made, inputs=[{"payload": "<i>21.5</i>"}])
    assert result.errors == []
    assert [m["payload"] for m in result.messages[(made, 0)]] == ["<i>21.5</i>"]
