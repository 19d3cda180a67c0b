"""`flowrt test`: discovery, doubles, expectations, diffs, reports and exit codes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowrt.cli.commands import main

FLOW = """\
flowrt: 1
id: alerts
env: {LIMIT: 30}
nodes:
  readings: {type: inject, repeat: 60, payload: {type: json, value: {celsius: 20}}, to: check}
  check:
    type: switch
    property: payload.celsius
    rules: [{gt: "${LIMIT}"}, {else: true}]
    to: {0: hot, 1: fine}
  hot: {type: change, rules: [{set: topic, to: alert}], to: out}
  fine: {type: debug}
  out: {type: debug}
"""


def write_case(tmp: Path, test: str, flow: str = FLOW) -> Path:
    (tmp / "alerts.yaml").write_text(flow)
    path = tmp / "alerts.test.yaml"
    path.write_text(test)
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["test", *args])
    return result.exit_code, result.output


PASSING = """\
flowrt-test: 1
cases:
  - name: hot readings become alerts
    replace: [readings]
    send:
      - {from: readings, msg: {payload: {celsius: 35}}}
      - {to: check, at: 10, msg: {payload: {celsius: 31}}}
    expect:
      - at: out
        messages: [{payload: {celsius: 35}, topic: alert}, {payload: {celsius: 31}, topic: alert}]
      - {sent: check, port: 1, count: 0}
      - errors: 0
  - name: the limit is set per case
    replace: [readings]
    env: {LIMIT: 40}
    send: [{from: readings, msg: {payload: {celsius: 35}}}]
    expect:
      - {at: fine, count: 1, jsonpath: {"$.payload.celsius": 35}}
  - name: a real inject repeats on simulated time
    until: 600
    expect:
      - {at: fine, count: 10, jsonata: "payload.celsius = 20"}
"""


def test_passing_cases_exit_zero(tmp_path: Path) -> None:
    write_case(tmp_path, PASSING)
    code, out = run(str(tmp_path))
    assert code == 0, out
    assert out.splitlines()[-1] == "3 cases, 0 failed"


def test_a_broken_expectation_fails_with_its_line_and_a_diff(tmp_path: Path) -> None:
    path = write_case(tmp_path, PASSING.replace("topic: alert}]", "topic: alarm}]"))
    code, out = run(str(path))
    assert code == 1
    assert "FAIL hot readings become alerts" in out
    assert "alerts.test.yaml:9:" in out
    assert '-    "topic": "alarm"' in out and '+    "topic": "alert"' in out
    assert out.splitlines()[-1] == "3 cases, 1 failed"


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ("{at: out, count: 2}", "expected 2 message(s) arrived at 'out'; got 1"),
        ("{at: out, contains: [{topic: nope}]}", "not found"),
        ("{at: out, jsonata: 'payload.celsius < 30'}", "does not satisfy"),
        ("{at: out, jsonpath: {'$.topic': x}}", "$.topic is \"alert\", expected \"x\""),
        ("{at: out, schema: {required: [missing]}}", "does not match the schema"),
        ("{errors: 1}", "expected 1 error(s); 0 were raised"),
        ("{status: {node: out, text: x}}", "node 'out' set no status"),
    ],
)
def test_each_kind_of_expectation_can_fail(tmp_path: Path, expect: str, message: str) -> None:
    write_case(tmp_path, f"""\
flowrt-test: 1
replace: [readings]
cases:
  - name: one
    send: [{{from: readings, msg: {{payload: {{celsius: 35}}}}}}]
    expect:
      - {expect}
""")
    code, out = run(str(tmp_path))
    assert code == 1 and message in out, out


@pytest.mark.parametrize(
    ("test", "where", "code"),
    [
        ("flowrt-test: 1\ncases:\n  - name: x\n    expect:\n      - {at: out, cont: []}\n",
         ":5:", "E050"),
        ("flowrt-test: 1\ncases:\n  - name: x\n    expect:\n      - {at: nowhere, count: 0}\n",
         ":5:", "E051"),
        ("flowrt-test: 2\ncases: []\n", ":1:", "E050"),
        ("flowrt-test: 1\ncases:\n  - name: x\n    send: [{msg: {}}]\n    expect: [{errors: 0}]\n",
         ":4:", "E050"),
    ],
)
def test_a_broken_test_file_exits_two_with_its_position(
    tmp_path: Path, test: str, where: str, code: str
) -> None:
    write_case(tmp_path, test)
    exit_code, out = run(str(tmp_path))
    assert exit_code == 2, out
    assert f"alerts.test.yaml{where}" in out and code in out


def test_no_test_files_is_a_usage_error(tmp_path: Path) -> None:
    assert run(str(tmp_path))[0] == 2


def test_junit_and_github_reports(tmp_path: Path) -> None:
    write_case(tmp_path, PASSING.replace("count: 10", "count: 11"))
    report = tmp_path / "report.xml"
    code, _ = run("--format", "junit", "-o", str(report), str(tmp_path))
    assert code == 1
    root = ET.fromstring(report.read_text())
    assert root.get("tests") == "3" and root.get("failures") == "1"
    [failure] = root.iter("failure")
    assert "expected 11 message(s)" in (failure.get("message") or "")
    code, out = run("--format", "github", str(tmp_path))
    [annotation] = [line for line in out.splitlines() if line.startswith("::error")]
    assert ",line=22,col=9," in annotation and "%0A" in annotation


def test_replaced_nodes_open_no_connection_and_read_nothing(tmp_path: Path) -> None:
    flow = FLOW.replace("nodes:\n", "nodes:\n  extra: {type: file-in, filename: /nonexistent}\n")
    write_case(tmp_path, "flowrt-test: 1\nreplace: [{type: file-in}, readings]\ncases:\n"
               "  - name: x\n    send: [{to: extra, msg: {payload: 1}}]\n"
               "    expect: [{errors: 0}, {at: extra, count: 1}]\n", flow)
    code, out = run(str(tmp_path))
    assert code == 0, out


def test_context_is_set_per_case(tmp_path: Path) -> None:
    flow = ("flowrt: 1\nnodes:\n  read:\n    type: change\n    rules:\n"
            "      - set: payload\n        to: {type: flow, value: level}\n")
    write_case(tmp_path, "flowrt-test: 1\ncases:\n  - name: x\n    context: {flow: {level: 7}}\n"
               "    send: [{to: read, msg: {}}]\n"
               "    expect: [{sent: read, messages: [{payload: 7}]}]\n", flow)
    code, out = run(str(tmp_path))
    assert code == 0, out


def test_a_jsonata_expectation_reads_javascript_regexes(tmp_path: Path) -> None:
    write_case(tmp_path, """\
flowrt-test: 1
replace: [readings]
cases:
  - name: one
    send: [{from: readings, msg: {payload: {celsius: 35}}}]
    expect:
      - {at: out, count: 1, jsonata: '$contains(topic, /(?<=al+)ert$/)'}
""")
    code, out = run(str(tmp_path))
    assert code == 0, out
