"""Text from a message cannot forge a log record or drive the terminal.

A debug node printing a payload (which may come from any device on the broker), a node's
error text, a user name: in the text log format, a line break in them used to start what read
as a record of its own (a forged `flowrt.audit` login), and escape sequences went to the
terminal as they were. The JSON format escapes both already; it is checked too.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

FORGED = '06:00:00 INFO    flowrt.audit login user="admin" client=192.0.2.1 outcome=ok'
PAYLOAD = f"hello\n{FORGED}\r\x1b[2Jcleared\x07"
RECORD = re.compile(r"^\d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR|CRITICAL) ")


def run(tmp_path: Path, fmt: str) -> str:
    flow = tmp_path / "inject.yaml"
    flow.write_text(
        "flowrt: 1\nnodes:\n"
        f"  go: {{type: inject, once: true, payload: {{type: str, value: {json.dumps(PAYLOAD)}}},"
        " to: [log, fail]}\n"
        "  log: {type: debug, console: true}\n"
        "  fail: {type: json}\n"  # a payload that is not JSON: an error naming it
    )
    done = subprocess.run([sys.executable, "-m", "flowrt", "run", "--until-idle",
                           "--log-format", fmt, str(flow)],
                          capture_output=True, text=True, timeout=60)
    assert "cleared" in done.stderr, done.stderr
    return done.stderr


def test_text_logs_keep_a_message_inside_its_record(tmp_path: Path) -> None:
    log = run(tmp_path, "text")
    records = [line for line in log.splitlines() if RECORD.match(line)]
    assert not any("flowrt.audit" in line for line in records), log
    assert FORGED in log  # still shown, as part of the debug node's record
    assert "\x1b" not in log and "\r" not in log and "\x07" not in log
    assert "\\x1b[2J" in log


def test_json_logs_hold_one_record_per_line(tmp_path: Path) -> None:
    log = run(tmp_path, "json")
    lines = [line for line in log.splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert not any(r["logger"] == "flowrt.audit" for r in records)
    assert any(FORGED in r["message"] for r in records)
    assert "\x1b" not in log
