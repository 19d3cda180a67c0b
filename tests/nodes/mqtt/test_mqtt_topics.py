"""Topic names and filters: the protocol's rules, matching, and how `flowrt validate` reports a
bad topic of an mqtt-in or mqtt-out node with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flowrt_nodes.mqtt.mqtt_topics import Filter, check_topic_name, matches, parse_filter

from flowrt.cli.commands import main


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("plant/line1/temperature", Filter("plant/line1/temperature", None)),
        ("plant/+/temperature", Filter("plant/+/temperature", None)),
        ("plant/#", Filter("plant/#", None)),
        ("#", Filter("#", None)),
        ("+", Filter("+", None)),
        ("/", Filter("/", None)),
        ("a//b", Filter("a//b", None)),
        ("$SYS/broker/#", Filter("$SYS/broker/#", None)),
        ("$share/workers/jobs/#", Filter("jobs/#", "workers")),
        ("$share/g/+", Filter("+", "g")),
    ],
)
def test_valid_filters(text: str, parsed: Filter) -> None:
    assert parse_filter(text) == parsed


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("plant/#/x", "# must be a whole level and the last one"),
        ("plant#", "# must be a whole level"),
        ("plant/temp+", "+ must be a whole level"),
        ("a\x00b", "NUL"),
        ("x" * 65_536, "longer than 65535 bytes"),
        ("$share/g", "must be $share/GROUP/TOPIC"),
        ("$share//a", "must be $share/GROUP/TOPIC"),
        ("$share/g/", "no filter after its group"),
        ("$share/g+/a", "may not hold + or #"),
        ("$share/g/a/#/b", "# must be a whole level"),
    ],
)
def test_invalid_filters(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=".") as caught:
        parse_filter(text)
    assert words in str(caught.value)


@pytest.mark.parametrize("topic", ["a/+", "#", "a/#", ""])
def test_topic_names_take_no_wildcards(topic: str) -> None:
    with pytest.raises(ValueError, match="wildcard|empty"):
        check_topic_name(topic)


@pytest.mark.parametrize(
    ("topic_filter", "topic", "expected"),
    [
        ("a/b", "a/b", True),
        ("a/b", "a/c", False),
        ("a/+", "a/b", True),
        ("a/+", "a/b/c", False),
        ("a/+", "a", False),
        ("a/+/c", "a/b/c", True),
        ("a/#", "a", True),
        ("a/#", "a/b/c", True),
        ("a/#", "b/a", False),
        ("#", "a/b", True),
        ("+/+", "/a", True),
        ("#", "$SYS/load", False),
        ("+/load", "$SYS/load", False),
        ("$SYS/#", "$SYS/load", True),
    ],
)
def test_matching(topic_filter: str, topic: str, expected: bool) -> None:
    assert matches(topic_filter, topic) is expected


def test_validate_reports_bad_topics_with_file_and_line(tmp_path: Path) -> None:
    flow = tmp_path / "plant.yaml"
    flow.write_text(
        "flowrt: 1\n"
        "connections:\n"
        "  plant: {type: mqtt-broker, url: 'mqtt://127.0.0.1'}\n"
        "nodes:\n"
        "  readings:\n"
        "    type: mqtt-in\n"
        "    connection: plant\n"
        "    topic: plant/#/temperature\n"
        "    to: alert\n"
        "  alert:\n"
        "    type: mqtt-out\n"
        "    connection: plant\n"
        "    topic: plant/+/alerts\n"
    )
    result = CliRunner().invoke(main, ["validate", str(flow)])
    assert result.exit_code == 1, result.output
    assert f"{flow}:8:" in result.output and "node 'readings' (mqtt-in)" in result.output
    assert f"{flow}:13:" in result.output and "node 'alert' (mqtt-out)" in result.output
    assert "# must be a whole level" in result.output
    assert "wildcard" in result.output
