"""The xml node, through the real engine: xml2js's shapes both ways, msg.options, and XML
bombs refused without expanding them."""

from __future__ import annotations

import json
import resource
from typing import Any

import pytest

from flowrt.testing import FlowResult, run_flow


def run(msgs: list[dict[str, Any]], **options: Any) -> FlowResult:
    node = {"type": "xml", **options}
    return run_flow(json.dumps({"flowrt": 1, "nodes": {"x": node}}), inputs=msgs)


DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("<note><to>Tove</to><from>Jani</from></note>",
         {"note": {"to": ["Tove"], "from": ["Jani"]}}),
        ('<list><item id="7">hot</item><item id="8"/><item>cold</item></list>',
         {"list": {"item": [{"_": "hot", "$": {"id": "7"}}, {"$": {"id": "8"}}, "cold"]}}),
        ('<?xml version="1.0"?>\n<r>\n  <b>1</b>\n  <b>2</b>\n</r>\n', {"r": {"b": ["1", "2"]}}),
        ("<a>text<b/>more</a>", {"a": {"_": "textmore", "b": [""]}}),
        ("<a>  </a>", {"a": "  "}),
        ("<a><![CDATA[ ]]></a>", {"a": " "}),
        ("<a><![CDATA[<x>&]]>!</a>", {"a": "<x>&!"}),
        ("<a>&lt;&amp;&#65;</a>", {"a": "<&A"}),
        ('<ns:a xmlns:ns="urn:x"><ns:b ns:c="d">e</ns:b></ns:a>',
         {"ns:a": {"$": {"xmlns:ns": "urn:x"}, "ns:b": [{"_": "e", "$": {"ns:c": "d"}}]}}),
        ("<!-- c --><a><!-- in -->x</a>", {"a": "x"}),
        ("   ", None),
        ("\ufeff<a>1</a>", {"a": "1"}),
        # line breaks and tabs stay as written (expat alone would normalize them)
        ('<?xml version="1.0"?>\r\n<r>\r\n <b x="a\tb\r\nc">1\r\n2</b>'
         "<c><![CDATA[x\r\ny]]></c></r>",
         {"r": {"b": [{"_": "1\r\n2", "$": {"x": "a\tb\r\nc"}}], "c": ["x\r\ny"]}}),
        ({"note": {"to": "Tove", "from": ["Jani"]}},
         DECLARATION + "<note><to>Tove</to><from>Jani</from></note>"),
        ({"a": 1, "b": "x"}, DECLARATION + "<root><a>1</a><b>x</b></root>"),
        ({"a": {"n": 1.5, "t": True, "z": None}}, DECLARATION + "<a><n>1.5</n><t>true</t><z/></a>"),
        ({"a": {"_": "x<y & z>", "$": {"q": '"t"\n<&>'}}},
         DECLARATION + '<a q="&quot;t&quot;&#xA;&lt;&amp;>">x&lt;y &amp; z&gt;</a>'),
        ({"a": {"b": [1, None, {"c": 2}]}}, DECLARATION + "<a><b>1</b><b/><b><c>2</c></b></a>"),
        ([{"a": 1}, {"b": 2}], DECLARATION + "<root><a>1</a><b>2</b></root>"),
    ],
)
def test_conversion(payload: Any, expected: Any) -> None:
    result = run([{"payload": payload}])
    assert result.errors == [] and result.warnings == []
    assert result.payloads("x") == [expected]


def test_keys_of_the_node_and_of_the_message() -> None:
    text = '<a x="1">t<b/></a>'
    assert run([{"payload": text}], attr="A", text_key="T").payloads("x") == [
        {"a": {"T": "t", "A": {"x": "1"}, "b": [""]}}]
    got = run([{"payload": text, "options": {"attrkey": "at", "charkey": "ch"}}])
    assert got.payloads("x") == [{"a": {"ch": "t", "at": {"x": "1"}, "b": [""]}}]
    # as in Node-RED, the options used are written back to msg.options
    assert got.sent("x")[0]["options"] == {"attrkey": "at", "charkey": "ch", "async": True}
    node_wins = run([{"payload": text, "options": {"attrkey": "at"}}], attr="A")
    assert node_wins.payloads("x") == [{"a": {"_": "t", "A": {"x": "1"}, "b": [""]}}]


@pytest.mark.parametrize(
    ("options", "text", "expected"),
    [
        ({"explicitArray": False}, "<a><b>1</b><b>2</b><c>3</c></a>",
         {"a": {"b": ["1", "2"], "c": "3"}}),
        ({"explicitRoot": False}, "<a><b>1</b></a>", {"b": ["1"]}),
        ({"mergeAttrs": True}, "<a x='1'><b>1</b></a>", {"a": {"x": ["1"], "b": ["1"]}}),
        ({"ignoreAttrs": True}, "<a x='1'>t</a>", {"a": "t"}),
        ({"trim": True}, "<a> t  u </a>", {"a": "t  u"}),
        ({"normalize": True}, "<a> t  u </a>", {"a": "t u"}),
        ({"normalizeTags": True}, "<A><B>x</B></A>", {"a": {"b": ["x"]}}),
        ({"explicitCharkey": True}, "<a>t</a>", {"a": {"_": "t"}}),
        ({"emptyTag": "E"}, "<a><b/></a>", {"a": {"b": ["E"]}}),
    ],
)
def test_parse_options(options: dict[str, Any], text: str, expected: Any) -> None:
    assert run([{"payload": text, "options": options}]).payloads("x") == [expected]


def test_build_options() -> None:
    value = {"a": {"b": "x", "c": {"$": {"k": "v"}}}}
    pretty = run([{"payload": value, "options": {}}]).payloads("x")
    assert pretty == [DECLARATION + '\n<a>\n  <b>x</b>\n  <c k="v"/>\n</a>']
    headless = run([{"payload": {"a": 1, "b": 2},
                     "options": {"rootName": "doc", "headless": True,
                                 "renderOpts": {"pretty": False}}}])
    assert headless.payloads("x") == ["<doc><a>1</a><b>2</b></doc>"]


def test_round_trip_and_property() -> None:
    flow = """
flowrt: 1
nodes:
  parse: {type: xml, property: payload.doc, to: write}
  write: {type: xml, property: payload.doc}
"""
    text = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><r a="1"><i>x</i><i>y</i></r>'
    result = run_flow(flow, inputs=[{"payload": {"doc": text}}, {"topic": "none"}])
    assert result.payloads("write") == [{"doc": text}, None]


@pytest.mark.parametrize("payload", ["<a><b></a>", "not xml", "<a/><b/>", "<a>&nbsp;</a>"])
def test_text_that_is_not_xml_is_an_error(payload: str) -> None:
    result = run([{"payload": payload}])
    assert result.sent("x") == []
    assert len(result.errors) == 1 and "xml:" in result.errors[0].message


@pytest.mark.parametrize("value", [{"1a": "x"}, {"a b": 1}, [{"a": 1}], {"a": {"_": None}}])
def test_objects_that_cannot_be_xml_are_errors(value: Any) -> None:
    result = run([{"payload": value}])
    assert result.sent("x") == [] and len(result.errors) == 1


@pytest.mark.parametrize("payload", [5, True, b"<a/>"])
def test_other_values_are_dropped_with_a_warning(payload: Any) -> None:
    result = run([{"payload": payload}])
    assert result.sent("x") == [] and len(result.warnings) == 1


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'.replace("&lol0;", "&lol;")
              for i in range(1, 10))
    + "]><lolz>&lol9;</lolz>"
)
QUADRATIC = ('<!DOCTYPE q [<!ENTITY a "' + "x" * 100_000 + '">]><q>' + "&a;" * 100_000
             + "</q>")
EXTERNAL = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'


@pytest.mark.parametrize("bomb", [BILLION_LAUGHS, QUADRATIC, EXTERNAL],
                         ids=["billion-laughs", "quadratic", "external"])
def test_entity_attacks_are_refused_without_expanding(bomb: str) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run([{"payload": bomb}])
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.sent("x") == []
    assert len(result.errors) == 1 and "refused" in result.errors[0].message
    assert grown_kib < 100_000  # 10^9 "lol"s or 10^10 "x"s would be gigabytes
