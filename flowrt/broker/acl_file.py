"""Mosquitto's ``acl_file`` format, read into the embedded broker's topic ACLs
(:mod:`flowrt.broker.access`), so that people moving from Mosquitto keep their file.

::

    # a comment: a line whose first non-blank character is #, never the end of a line
    # every user: %u is its name, %c its client id
    pattern readwrite devices/%u/#
    # the lines below are the user dashboard's
    user dashboard
    topic read devices/#
    topic deny devices/secret/#
    topic dashboard/state

``read`` lets a client subscribe (and receive), ``write`` publish, ``readwrite`` (or no access
word) both, ``deny`` neither, whatever else grants it. Where this differs from Mosquitto, it is
narrower: a ``deny`` line wins over every grant (Mosquitto lets a user's own grant win over a
``pattern ... deny``); ``%u`` and ``%c`` are put into ``topic`` lines too; a name or client id
holding ``+``, ``#`` or ``/`` is never put into a pattern; a topic with a space after an
unknown access word (``topic reed a/#``) is refused as a typo. ``topic`` lines before the first
``user`` line are Mosquitto's rules for clients without a user name: the embedded broker with
users has no such client, so they are ignored, and said so. Any other line is refused with its
file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flowrt.errors import ConfigError

ACCESS = {"read": ("subscribe",), "write": ("publish",), "readwrite": ("subscribe", "publish"),
          "deny": ("deny",)}
"""An access word -> the kinds of rule it adds (see :func:`flowrt.broker.access.allows`)."""
EVERYONE = "*"

Acl = dict[str, dict[str, list[str]]]
"""User name (or ``*``) -> {"publish": [...], "subscribe": [...], "deny": [...]}."""


@dataclass
class AclFile:
    """An ACL file read: the rules, the users it names (each with its ``user`` line), and
    notes for the operator (lines read but of no effect)."""

    acl: Acl = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_acl_file(path: str | Path) -> AclFile:
    """The rules of a Mosquitto ACL file; ConfigError naming the file and line (and what to
    write instead) for anything it cannot take."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: the MQTT ACL file is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the MQTT ACL file: {exc.strerror}") from exc
    return parse_acl(text, name)


def parse_acl(text: str, name: str = "<acl>") -> AclFile:
    """:func:`read_acl_file` for text already read (``name`` for the messages)."""
    read = AclFile()
    user: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{name}:{number}"
        keyword, rest = _split(line)
        if keyword == "user":
            user = _user(rest, where)
            read.users.setdefault(user, number)
            read.acl.setdefault(user, {})
        elif keyword in ("topic", "pattern"):
            kinds, topic = _rule(keyword, rest, where)
            if keyword == "pattern":
                owner = EVERYONE
            elif user is None:
                read.notes.append(
                    f"{where}: `{line}` is for clients without a user name, and the embedded "
                    "broker asks every client to log in: ignored (put it under a `user` line, "
                    "or make it a `pattern` line for every user)")
                continue
            else:
                owner = user
            rules = read.acl.setdefault(owner, {})
            for kind in kinds:
                rules.setdefault(kind, []).append(topic)
        else:
            raise ConfigError(
                f"{where}: unknown line `{line[:80]}`: an MQTT ACL file has `user NAME`, "
                "`topic [read|write|readwrite|deny] TOPIC`, `pattern [read|write|readwrite|"
                "deny] TOPIC` and `# comments` lines")
    return read


def _user(rest: str, where: str) -> str:
    if not rest:
        raise ConfigError(f"{where}: `user` needs a name (`user NAME`), as given with "
                          "--mqtt-user NAME=SECRET")
    if rest == EVERYONE:
        raise ConfigError(f"{where}: `user *` is not a user: write the rules for every user "
                          "as `pattern` lines")
    return rest


def _rule(keyword: str, rest: str, where: str) -> tuple[tuple[str, ...], str]:
    word, after = _split(rest)
    if word in ACCESS:
        kinds, topic = ACCESS[word], after
    elif after:
        raise ConfigError(f"{where}: `{word}` is not read, write, readwrite or deny (a topic "
                          f"with no access word is readwrite, and has no space): write "
                          f"`{keyword} read {after}`, or the access you meant")
    else:
        kinds, topic = ACCESS["readwrite"], rest
    if not topic:
        raise ConfigError(f"{where}: `{keyword}` needs a topic (`{keyword} "
                          "[read|write|readwrite|deny] TOPIC`)")
    levels = topic.split("/")
    for index, level in enumerate(levels):
        if "#" in level and (level != "#" or index != len(levels) - 1):
            raise ConfigError(f"{where}: `{topic}`: `#` must be a whole level, the last one "
                              "(`sensors/#`)")
        if "+" in level and level != "+":
            raise ConfigError(f"{where}: `{topic}`: `+` must be a whole level "
                              "(`sensors/+/temperature`)")
    return kinds, topic


def _split(text: str) -> tuple[str, str]:
    """The first word of ``text`` and the rest, both stripped (spaces or tabs between)."""
    parts = text.split(None, 1)
    return (parts[0] if parts else ""), (parts[1].strip() if len(parts) > 1 else "")
