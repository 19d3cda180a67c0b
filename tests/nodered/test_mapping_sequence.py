"""Mappings of split, join, sort, batch, json, yaml, xml, html, csv, file and file in nodes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.nodered.helpers import entry, errors, node, nr_import, run_imported, tab


def mapped(nr: dict[str, Any]) -> dict[str, Any]:
    conversion = nr_import([tab(), {"z": "t1", "wires": [[]], **nr}])
    assert not errors(conversion), errors(conversion)
    return node(conversion, nr["id"])


def test_split_forms() -> None:
    assert mapped({"id": "s", "type": "split", "splt": "\\n", "spltType": "str",
                   "arraySplt": 1, "arraySpltType": "len", "stream": False,
                   "addname": ""}) == {"type": "split"}
    assert mapped({"id": "s", "type": "split", "splt": "[13,10]", "spltType": "bin",
                   "arraySplt": "2", "stream": True, "addname": "key"}) == {
        "type": "split", "separator_bytes": [13, 10], "array_length": 2, "stream": True,
        "key_property": "key"}
    assert mapped({"id": "s", "type": "split", "splt": "3", "spltType": "len"})["length"] == 3
    assert mapped({"id": "s", "type": "split", "splt": ",", "spltType": "str"})[
        "separator"] == ","


def test_join_forms() -> None:
    assert mapped({"id": "j", "type": "join", "mode": "auto", "build": "object"}) == {
        "type": "join"}
    assert mapped({"id": "j", "type": "join", "mode": "custom", "build": "string",
                   "property": "payload", "propertyType": "msg", "key": "topic",
                   "joiner": "\\n", "joinerType": "str", "accumulate": "false",
                   "timeout": "", "count": "3"}) == {
        "type": "join", "mode": "manual", "build": "string", "joiner": "\n", "count": 3}
    data = mapped({"id": "j", "type": "join", "mode": "custom", "build": "object",
                   "propertyType": "full", "key": "name", "accumulate": True, "timeout": "5"})
    assert data == {"type": "join", "mode": "manual", "build": "object", "whole_message": True,
                    "key": "name", "timeout": 5, "accumulate": True}
    data = mapped({"id": "j", "type": "join", "mode": "reduce", "reduceExp": "$A+payload",
                   "reduceInit": "0", "reduceInitType": "num", "reduceFixup": "$A/$N",
                   "reduceRight": False})
    assert data == {"type": "join", "mode": "reduce", "reduce_expression": "$A+payload",
                    "reduce_initial": 0, "reduce_fixup": "$A/$N"}



def test_a_join_of_an_older_mode_name_joins_as_set_in_the_node() -> None:
    conversion = nr_import([
        tab(),
        {"id": "j", "type": "join", "z": "t1", "mode": "manual", "build": "object",
         "property": "payload", "propertyType": "msg", "key": "topic", "count": "2",
         "useparts": False, "wires": [[]]},
    ])
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "j") == {"type": "join", "mode": "manual", "build": "object",
                                     "count": 2}
    assert entry(conversion, "j").status == "mapped"
    result = run_imported(conversion, [{"topic": "a", "payload": 1},
                                       {"topic": "b", "payload": 2}], into="j")
    assert result.payloads("j") == [{"a": 1, "b": 2}]

def test_split_then_join_rebuilds_the_array() -> None:
    conversion = nr_import([
        tab(),
        {"id": "s", "type": "split", "z": "t1", "splt": "\\n", "spltType": "str",
         "arraySplt": 1, "arraySpltType": "len", "stream": False, "addname": "",
         "wires": [["c"]]},
        {"id": "c", "type": "change", "z": "t1", "rules": [
            {"t": "set", "p": "payload", "pt": "msg", "to": "payload * 10", "tot": "jsonata"}],
         "wires": [["j"]]},
        {"id": "j", "type": "join", "z": "t1", "mode": "auto", "build": "object",
         "wires": [[]]},
    ])
    result = run_imported(conversion, [{"payload": [1, 2, 3]}], into="s")
    assert result.payloads("j") == [[10, 20, 30]]


def test_sort_and_batch() -> None:
    assert mapped({"id": "o", "type": "sort", "order": "descending", "as_num": True,
                   "target": "payload", "targetType": "msg", "msgKey": "payload",
                   "msgKeyType": "elem"}) == {"type": "sort", "order": "descending",
                                              "numeric": True}
    assert mapped({"id": "o", "type": "sort", "targetType": "seq", "seqKey": "payload.n",
                   "seqKeyType": "msg"}) == {"type": "sort", "mode": "sequence",
                                             "key": "payload.n"}
    assert mapped({"id": "b", "type": "batch", "mode": "count", "count": 3, "overlap": 1}) == {
        "type": "batch", "count": 3, "overlap": 1}
    assert mapped({"id": "b", "type": "batch", "mode": "concat",
                   "topics": [{"topic": "a"}, {"topic": "b"}]})["topics"] == ["a", "b"]


def test_json_yaml_csv() -> None:
    assert mapped({"id": "j", "type": "json", "property": "payload", "action": "obj",
                   "pretty": True}) == {"type": "json", "action": "object", "pretty": True}
    assert mapped({"id": "y", "type": "yaml", "property": "body"}) == {
        "type": "yaml", "property": "body"}
    assert mapped({"id": "c", "type": "csv", "sep": "\\t", "hdrin": True, "hdrout": "all",
                   "multi": "mult", "ret": "\\r\\n", "temp": "a, b,\"c,d\"", "skip": "1",
                   "strings": False, "include_empty_strings": "",
                   "include_null_values": True}) == {
        "type": "csv", "columns": ["a", "b", "c,d"], "separator": "\t", "newline": "crlf",
        "header_in": True, "header_out": "all", "skip_lines": 1, "parse_numbers": False,
        "include_nulls": True, "output": "all"}


def test_xml_html() -> None:
    assert mapped({"id": "x", "type": "xml", "property": "payload", "attr": "",
                   "chr": ""}) == {"type": "xml"}
    assert mapped({"id": "x", "type": "xml", "property": "doc", "attr": "A",
                   "chr": "T"}) == {"type": "xml", "property": "doc", "attr": "A",
                                    "text_key": "T"}
    assert mapped({"id": "h", "type": "html", "property": "payload", "outproperty": "payload",
                   "tag": "li", "ret": "html", "as": "single", "chr": "_"}) == {
        "type": "html", "selector": "li"}
    assert mapped({"id": "h", "type": "html", "property": "body", "outproperty": "found",
                   "tag": "a[href]", "ret": "compl", "as": "multi", "chr": "c"}) == {
        "type": "html", "property": "body", "output_property": "found",
        "selector": "a[href]", "return": "compl", "output": "multiple", "text_key": "c"}


def test_csv_parses_as_node_red() -> None:
    conversion = nr_import([tab(), {"id": "c", "type": "csv", "z": "t1", "sep": ",",
                                    "hdrin": True, "hdrout": "none", "multi": "one",
                                    "ret": "\\n", "temp": "", "skip": "0", "strings": True,
                                    "wires": [[]]}])
    result = run_imported(conversion, [{"payload": "a,b\n1,x\n2,y\n"}], into="c")
    assert result.payloads("c") == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]


def test_file_nodes(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    assert mapped({"id": "f", "type": "file", "filename": str(target), "filenameType": "str",
                   "appendNewline": True, "createDir": True, "overwriteFile": "true",
                   "encoding": "none"}) == {"type": "file-out", "filename": str(target),
                                            "action": "overwrite",
                                            "create_directories": True}
    assert mapped({"id": "f", "type": "file", "filename": "", "appendNewline": False,
                   "overwriteFile": "false", "encoding": "latin1"}) == {
        "type": "file-out", "add_newline": False, "encoding": "latin-1"}
    assert mapped({"id": "g", "type": "file in", "filename": "in.txt", "filenameType": "str",
                   "format": "lines", "allProps": True}) == {
        "type": "file-in", "filename": "in.txt", "format": "lines", "keep_properties": True}
    conversion = nr_import([tab(), {"id": "f", "type": "file", "z": "t1", "filename": "",
                                    "filenameType": "jsonata", "wires": [[]]}])
    assert entry(conversion, "f").status == "unsupported"
    assert "msg.filename" in entry(conversion, "f").reason


def test_a_file_name_from_another_property_is_set_by_a_change_node_in_front(
        tmp_path: Path) -> None:
    target = tmp_path / "named.txt"
    conversion = nr_import([
        tab(),
        {"id": "c", "type": "change", "z": "t1", "rules": [
            {"t": "set", "p": "where", "pt": "msg", "to": str(target), "tot": "str"}],
         "wires": [["f"]]},
        {"id": "f", "type": "file", "z": "t1", "filename": "where", "filenameType": "msg",
         "appendNewline": True, "overwriteFile": "false", "wires": [["r"]]},
        {"id": "r", "type": "file in", "z": "t1", "filename": "where", "filenameType": "msg",
         "format": "utf8", "wires": [[]]},
    ])
    assert not errors(conversion), errors(conversion)
    assert entry(conversion, "f").status == "caveats"
    assert entry(conversion, "r").status == "caveats"
    assert node(conversion, "f") == {"type": "file-out", "to": "r-in"}
    result = run_imported(conversion, [{"payload": "one"}], into="c")
    assert target.read_text() == "one\n"
    assert [m["filename"] for m in result.received("r")] == [str(target)]
    assert result.payloads("r") == ["one\n"]


def test_an_imported_file_node_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "log.txt"
    conversion = nr_import([tab(), {"id": "f", "type": "file", "z": "t1",
                                    "filename": str(target), "filenameType": "str",
                                    "appendNewline": True, "overwriteFile": "false",
                                    "wires": [[]]}])
    run_imported(conversion, [{"payload": "one"}, {"payload": "two"}], into="f")
    assert target.read_text() == "one\ntwo\n"
