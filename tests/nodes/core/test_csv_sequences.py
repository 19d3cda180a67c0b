"""The csv node in message sequences (CSV text in parts, objects written in parts) and the
options that Node-RED's RFC 4180 mode imports as (names kept as written, list rows by column)."""

from __future__ import annotations

import json
from typing import Any

from flowrt.testing import FlowResult, run_flow
from tests.nodered.helpers import node, nr_import, tab


def run(msgs: list[dict[str, Any]], **options: Any) -> FlowResult:
    flow = {"flowrt": 1, "nodes": {"c": {"type": "csv", **options}}}
    result = run_flow(json.dumps(flow), inputs=msgs)
    assert result.errors == [] and result.warnings == []
    return result


def lines(*texts: str, sequence: str = "s", count_on_last_only: bool = False) -> list[Any]:
    """Each text as one part of a sequence, as a split node sends the lines of a text."""
    out = []
    for index, text in enumerate(texts):
        parts: dict[str, Any] = {"id": sequence, "index": index}
        if not count_on_last_only or index == len(texts) - 1:
            parts["count"] = len(texts)
        out.append({"payload": text, "parts": parts})
    return out


def test_header_part_names_the_columns_of_the_next_parts() -> None:
    result = run(lines("w,x\n", "1,2\n", "3,4\n"), header_in=True)
    msgs = result.sent("c")
    assert [m["payload"] for m in msgs] == [{"w": 1, "x": 2}, {"w": 3, "x": 4}]
    # the incoming parts stay, shifted back by the header part; the last part's row completes
    assert [(m["parts"]["id"], m["parts"]["index"], m["parts"]["count"]) for m in msgs] == [
        ("s", 0, 2), ("s", 1, 2)]
    assert [m.get("complete") for m in msgs] == [None, True]
    assert all(m["columns"] == "w,x" for m in msgs)


def test_skipped_parts_then_the_header_part() -> None:
    result = run(lines("junk\n", "more\n", "w,x\n", "1,2\n", "3,4\n"), header_in=True,
                 skip_lines=2)
    msgs = result.sent("c")
    assert [m["payload"] for m in msgs] == [{"w": 1, "x": 2}, {"w": 3, "x": 4}]
    assert [(m["parts"]["index"], m["parts"]["count"]) for m in msgs] == [(0, 2), (1, 2)]


def test_a_header_is_read_again_by_each_message_outside_a_sequence() -> None:
    result = run([{"payload": "a\n1\n"}, {"payload": "b\n2\n"}], header_in=True)
    assert result.payloads("c") == [{"a": 1}, {"b": 2}]
    assert [m["parts"]["count"] for m in result.sent("c")] == [1, 1]


def test_parts_kept_without_header_or_skip() -> None:
    [msg] = run([{"payload": "1,2\n", "parts": {"id": "X", "index": 3, "count": 4}}],
                columns=["a", "b"]).sent("c")
    assert msg["payload"] == {"a": 1, "b": 2}
    assert msg["parts"] == {"id": "X", "index": 3, "count": 4} and msg["complete"] is True


def test_a_last_part_without_rows_still_completes_the_sequence() -> None:
    msgs = run(lines("1\n", "\n"), columns=["a"]).sent("c")
    assert [m.get("payload") for m in msgs] == [{"a": 1}, None]
    assert msgs[1]["complete"] is True and "parts" not in msgs[1]


def test_output_all_gathers_the_rows_of_a_sequence() -> None:
    inputs = lines("a,b", "1,2", "3,4", "5,6", count_on_last_only=True)
    [msg] = run(inputs, header_in=True, output="all").sent("c")
    assert msg["payload"] == [{"a": 1, "b": 2}, {"a": 3, "b": 4}, {"a": 5, "b": 6}]
    assert msg["columns"] == "a,b" and "parts" not in msg


def test_output_all_gathers_again_for_the_next_sequence() -> None:
    inputs = lines("1", "2", sequence="s1") + lines("3", sequence="s2")
    result = run(inputs, columns=["n"], output="all")
    assert result.payloads("c") == [[{"n": 1}, {"n": 2}], [{"n": 3}]]


def test_output_all_drops_an_unfinished_sequence_when_another_begins() -> None:
    inputs = lines("1", "2", "3", sequence="s1")[:2] + lines("4", "5", sequence="s2")
    result = run(inputs, columns=["n"], output="all")
    assert result.payloads("c") == [[{"n": 4}, {"n": 5}]]


def test_output_all_reads_a_whole_text_in_a_sequence_as_one() -> None:
    # a part of several lines is a CSV text of its own: its first row is the header again
    inputs = [{"payload": "a\n1\n2\n", "parts": {"id": "s", "index": 1, "count": 3}}]
    [msg] = run(inputs, header_in=True, output="all").sent("c")
    assert msg["payload"] == [{"a": 1}, {"a": 2}] and msg["parts"]["index"] == 1


def test_writing_a_sequence_keeps_the_first_parts_column_names() -> None:
    row = {"a": 4, "b": 3, "c": 2}
    inputs: list[dict[str, Any]] = [
        {"payload": [row], "columns": "a,,b", "parts": {"index": 0}},
        {"payload": [row], "parts": {"index": 1}},
        {"payload": [row]},  # not in a sequence: its own keys
    ]
    result = run(inputs, header_out="once")
    assert result.payloads("c") == ["a,,b\n4,,3\n", "4,,3\n", "4,3,2\n"]


def test_names_of_the_first_row_trimmed_or_kept() -> None:
    text = 'a, b ," c"\n1,2,3\n'
    trimmed = run([{"payload": text}], header_in=True, output="all").payloads("c")
    kept = run([{"payload": text}], header_in=True, output="all",
               trim_names=False).payloads("c")
    assert trimmed == [[{"a": 1, "b": 2, "c": 3}]]
    assert kept == [[{"a": 1, " b ": 2, " c": 3}]]


def test_node_red_rfc_mode_is_imported_as_kept_names_and_list_rows_by_column() -> None:
    def imported(**nr: Any) -> dict[str, Any]:
        conversion = nr_import([tab(), {"id": "c", "type": "csv", "z": "t1", "wires": [[]],
                                        **nr}])
        return node(conversion, "c")

    rfc = imported(spec="rfc", temp='a, B,"c,c"," d "', hdrin=True)
    assert rfc["columns"] == ["a", " B", "c,c", " d "]
    assert rfc["trim_names"] is False and rfc["list_rows"] == "columns"
    legacy = imported(temp='a, B,"c,c"," d "', hdrin=True)
    assert legacy["columns"] == ["a", "B", "c,c", "d"]
    assert "trim_names" not in legacy and "list_rows" not in legacy


def test_list_rows_by_column_follow_msg_columns_too() -> None:
    inputs = [{"payload": [[1, 2, 3, 4]], "columns": "a,,c"}]
    assert run(inputs, list_rows="columns").payloads("c") == ["1,,3\n"]
    assert run(inputs).payloads("c") == ["1,2,3,4\n"]
