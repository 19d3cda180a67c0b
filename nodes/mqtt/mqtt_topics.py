"""MQTT topic names and filters: the rules of the protocol, checked when a flow is validated, and
the matching that routes a received message to the subscriptions it answers.

A topic *name* (what is published) is one or more levels joined by ``/``, with no wildcard. A
topic *filter* (what is subscribed) may use ``+`` for exactly one level and ``#``, last, for any
number of levels. ``$share/GROUP/FILTER`` is a shared subscription: the broker gives each
message to one subscriber of the group. Both are UTF-8 of at most 65,535 bytes, never empty and
never holding the NUL character.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_TOPIC_BYTES = 65_535
SHARE_PREFIX = "$share/"


class Filter(NamedTuple):
    """A subscription: the ``filter`` to match topics with, and the ``group`` if shared."""

    filter: str
    group: str | None


def _check_text(text: str, what: str) -> None:
    if not text:
        raise ValueError(f"the {what} is empty")
    if "\x00" in text:
        raise ValueError(f"the {what} {text!r} holds the NUL character")
    if len(text.encode("utf-8")) > MAX_TOPIC_BYTES:
        raise ValueError(f"the {what} is longer than {MAX_TOPIC_BYTES} bytes")


def check_topic_name(topic: str) -> str:
    """``topic`` if it can be published to; ValueError saying what is wrong otherwise."""
    _check_text(topic, "topic")
    if "+" in topic or "#" in topic:
        raise ValueError(
            f"the topic {topic!r} holds a wildcard (+ or #): a message is published to one "
            "topic; wildcards belong in the topic of an mqtt-in node"
        )
    return topic


def parse_filter(text: str) -> Filter:
    """The subscription ``text`` stands for; ValueError saying what is wrong otherwise."""
    _check_text(text, "topic filter")
    group: str | None = None
    topic_filter = text
    if text.startswith(SHARE_PREFIX):
        group, sep, topic_filter = text[len(SHARE_PREFIX) :].partition("/")
        if not sep or not group:
            raise ValueError(
                f"the shared subscription {text!r} must be $share/GROUP/TOPIC, "
                "with a group name and a topic filter"
            )
        if "+" in group or "#" in group:
            raise ValueError(f"the share group {group!r} in {text!r} may not hold + or #")
        if not topic_filter:
            raise ValueError(f"the shared subscription {text!r} has no filter after its group")
    levels = topic_filter.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            raise ValueError(
                f"in the topic filter {text!r}, # must be a whole level and the last one "
                "(as in plant/#)"
            )
        if "+" in level and level != "+":
            raise ValueError(
                f"in the topic filter {text!r}, + must be a whole level (as in plant/+/temperature)"
            )
    return Filter(topic_filter, group)


def matches(topic_filter: str, topic: str) -> bool:
    """True if ``topic`` (a name) matches ``topic_filter`` (no ``$share`` prefix).

    As the protocol says, a filter starting with a wildcard does not match topics that start
    with ``$`` (``#`` does not see ``$SYS/...``).
    """
    if topic_filter == topic:
        return True
    if topic.startswith("$") and topic_filter[:1] in ("+", "#"):
        return False
    wanted = topic_filter.split("/")
    levels = topic.split("/")
    for index, want in enumerate(wanted):
        if want == "#":
            return True
        if index >= len(levels):
            return False
        if want != "+" and want != levels[index]:
            return False
    return len(wanted) == len(levels)
