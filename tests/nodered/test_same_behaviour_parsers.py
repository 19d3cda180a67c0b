"""The xml and html nodes give what Node-RED's give: each case of a table is a message through
its own node, in one Node-RED and in flowrt, and the debug nodes must receive the same payloads
(nothing, on both sides, where the node fails)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home

FAILS = "(nothing: the node failed)"

XML_CASES: list[tuple[dict[str, Any], Any, dict[str, Any] | None]] = [
    # (the xml node's Node-RED properties, msg.payload, msg.options)
    ({}, "<note><to>Tove</to><from>Jani</from></note>", None),
    ({}, '<list><item id="7">hot</item><item id="8"/><item>cold</item></list>', None),
    ({}, '<?xml version="1.0"?>\n<r>\n  <b>1</b>\n  <b>2</b>\n</r>\n', None),
    ({}, "<a>text<b/>more</a>", None),
    ({}, "<a>  </a>", None),
    ({}, "<a><![CDATA[<x> & y]]></a>", None),
    ({}, "<a>&lt;&amp;&#65;&#x42;</a>", None),
    ({}, '<ns:a xmlns:ns="urn:x"><ns:b ns:c="d">e</ns:b></ns:a>', None),
    ({}, "<!-- c --><a><!-- in -->x</a>", None),
    ({}, '<?xml version="1.0"?>\r\n<r>\r\n <b x="a\tb\r\nc">1\r\n2</b>\r\n'
         "<c><![CDATA[x\r\ny]]></c></r>\r\n", None),
    ({}, "   ", None),
    ({}, "<a><b>", None),
    ({}, "not xml", None),
    ({}, '<!DOCTYPE z [<!ENTITY e "ee">]><z>&e;&e;</z>', None),
    ({"attr": "A", "chr": "T"}, '<a x="1">t<b/></a>', None),
    ({}, '<a x="1">t<b/></a>', {"attrkey": "at", "charkey": "ch"}),
    ({}, "<a><b>1</b><b>2</b><c>3</c></a>", {"explicitArray": False}),
    ({}, "<a><b>1</b></a>", {"explicitRoot": False}),
    ({}, "<a x='1'><b>1</b></a>", {"mergeAttrs": True}),
    ({}, "<a x='1'>t</a>", {"ignoreAttrs": True}),
    ({}, "<a> t  u </a>", {"trim": True}),
    ({}, "<a> t  u </a>", {"normalize": True}),
    ({}, "<A><B>x</B></A>", {"normalizeTags": True}),
    ({}, "<a>t</a>", {"explicitCharkey": True}),
    ({}, "<a><b/></a>", {"emptyTag": "E"}),
    ({}, {"note": {"to": "Tove", "from": ["Jani"]}}, None),
    ({}, {"a": 1, "b": "x"}, None),
    ({}, {"a": {"n": 1.5, "t": True, "z": None, "e": ""}}, None),
    ({}, {"a": {"_": "x<y & z>", "$": {"q": '"t"\n\t<&>'}}}, None),
    ({}, {"a": {"b": [1, None, {"c": 2}], "d": []}}, None),
    ({}, [{"a": 1}, {"b": 2}], None),
    ({}, {"1a": "x"}, None),
    ({}, {"a": {"b": "x", "c": {"$": {"k": "v"}}}}, {}),
    ({}, {"a": 1, "b": 2}, {"rootName": "doc", "headless": True}),
    ({}, {"a": {"b": "x"}}, {"renderOpts": {"pretty": True, "indent": "\t"}}),
    ({"attr": "A"}, {"a": {"$": {"k": "v"}, "A": "x"}}, None),
]


PAGE = (
    "<html><head><title>T</title><style>p {}</style></head><body>"
    "<ul id='list'><li class='item' data-n='1'> One &amp; <b>two</b> </li>"
    "<li class='item'>\u00e9<br>3<script>var s = 1 < 2;</script></li><li></li></ul>"
    "<p>a<p title='x \"y\"'>b <!-- c --> d &nbsp; &copy; \U0001F600</p>"
    "<table><tr><td>1</td><td>2</td></tr></table><div>\n  <img src='i.png' alt=''>\n"
    "<svg viewBox='0 0 1 1'><foreignObject><p>x</p></foreignObject></svg></div>"
    "</body></html>"
)

HTML_CASES: list[tuple[dict[str, Any], Any, dict[str, Any] | None]] = [
    # (the html node's Node-RED properties, msg.payload, other properties of the message)
    *[({"tag": tag, "ret": ret}, PAGE, None)
      for tag in ("#list li", "p", "td", "div", "table", "h1", "li:nth-child(2)", "[title]")
      for ret in ("html", "text", "attr", "compl")],
    ({"tag": "li", "ret": "text", "as": "multi"}, PAGE, None),
    ({"tag": "li", "ret": "html", "as": "multi", "outproperty": "found"}, PAGE, None),
    ({"tag": "a", "ret": "compl", "chr": "content"}, "<a href='/x'>go</a>", None),
    ({"tag": "", "ret": "attr"}, "<a href='/x'>go</a>", {"select": "a"}),
    ({"tag": "p[[[", "ret": "text"}, "<p>x</p>", None),
    ({"tag": "p", "ret": "text"}, "plain <p>text</p> only", None),
]


def case_flow(index: int, properties: dict[str, Any], payload: Any,
              options: dict[str, Any] | None, node_type: str = "xml") -> list[dict[str, Any]]:
    """An inject sending ``payload`` (and ``options``, or for html the message properties it
    holds) through an xml or html node into a debug node."""
    tab = f"t{index}"
    kind, shown = ("str", payload) if isinstance(payload, str) else ("json", json.dumps(payload))
    props: list[dict[str, Any]] = [{"p": "payload"}]
    if options is not None and node_type == "xml":
        props.append({"p": "options", "v": json.dumps(options), "vt": "json"})
    for key, value in (options or {}).items() if node_type == "html" else ():
        props.append({"p": key, "v": value, "vt": "str"})
    defaults: dict[str, Any] = ({"attr": "", "chr": ""} if node_type == "xml" else
                                {"outproperty": "payload", "as": "single", "chr": "_"})
    return [
        {"id": tab, "type": "tab", "label": tab},
        {"id": f"i{index}", "type": "inject", "z": tab, "props": props, "payload": shown,
         "payloadType": kind, "wires": [[f"x{index}"]]},
        {"id": f"x{index}", "type": node_type, "z": tab, "property": "payload", **defaults,
         **properties, "wires": [[f"d{index}"]]},
        {"id": f"d{index}", "type": "debug", "z": tab, "wires": []},
    ]


def results(received: dict[str, dict[str, list[Any]]], count: int) -> list[Any]:
    out = []
    for index in range(count):
        got = received[f"case{index}"].get(f"d{index}", [])
        out.append(got[0] if len(got) == 1 else FAILS if not got else got)
    return out


def test_xml_cases_give_what_node_red_gives(tmp_path: Path) -> None:
    flows = {f"case{index}": fire_injects(case_flow(index, *case))
             for index, case in enumerate(XML_CASES)}
    ours = results({name: run_flowrt(nodes) for name, nodes in flows.items()}, len(XML_CASES))
    expected = sum(1 for result in ours if result != FAILS)
    theirs = results(run_nodered(flows, nodered_home(), tmp_path, expected), len(XML_CASES))
    differing = {json.dumps(XML_CASES[i]): {"flowrt": ours[i], "node-red": theirs[i]}
                 for i in range(len(XML_CASES)) if ours[i] != theirs[i]}
    assert differing == {}, json.dumps(differing, indent=1, ensure_ascii=False)
    assert FAILS in ours and expected > len(XML_CASES) - 6


def test_html_cases_give_what_node_red_gives(tmp_path: Path) -> None:
    flows = {f"case{index}": fire_injects(case_flow(index, *case, node_type="html"))
             for index, case in enumerate(HTML_CASES)}
    received = {name: run_flowrt(nodes) for name, nodes in flows.items()}
    expected = sum(len(got) for debug in received.values() for got in debug.values())
    ours = results(received, len(HTML_CASES))
    theirs = results(run_nodered(flows, nodered_home(), tmp_path, expected), len(HTML_CASES))
    differing = {json.dumps(HTML_CASES[i][0]): {"flowrt": ours[i], "node-red": theirs[i]}
                 for i in range(len(HTML_CASES)) if ours[i] != theirs[i]}
    assert differing == {}, json.dumps(differing, indent=1, ensure_ascii=False)
    assert FAILS in ours and sum(1 for r in ours if r not in (FAILS, [])) > 25
