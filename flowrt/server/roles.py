"""Who may do what: a role, and the flow files it reaches (:class:`Grant`).

Roles are ordered, each holding the rights of those before it:

- ``viewer`` reads flows, revisions, state, context, debug messages and the dashboard;
- ``editor`` also saves and deletes flow files, validates, imports, presses inject buttons;
- ``deployer`` also deploys and rolls back (which runs what was saved);
- ``admin`` also handles users, keys and secrets (an import or a Node-RED deploy carrying
  credentials writes them into the secrets store).

A grant may be limited to some flow files (``files: [a.yaml, plant/*]``): the holder then
sees and changes only those (:meth:`Grant.allows`); ``*`` matches within one folder, ``**``
across folders, ``?`` one character. What a route needs is declared once, in
:mod:`flowrt.server.access`.

A user or token given no role is ``admin``, as every user and token was before roles existed:
an existing auth file or ``FLOWRT_TOKENS`` keeps the rights it had (a silent downgrade would
break a CI job or a rollback in production), and the server warns at start-up about each one
so the operator can give it the least role it needs.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from typing import Any

from flowrt.errors import ConfigError


class Role(enum.IntEnum):
    VIEWER = 1
    EDITOR = 2
    DEPLOYER = 3
    ADMIN = 4

    @property
    def label(self) -> str:
        return self.name.lower()


ROLES = tuple(r.label for r in Role)
DEFAULT_ROLE = Role.ADMIN
"""The role of a user or token that names none (see the module's docstring for why)."""


def parse_role(text: Any, where: str) -> Role:
    """The role named ``text``; ConfigError naming ``where`` and the roles otherwise."""
    try:
        return Role[str(text).strip().upper()]
    except KeyError:
        raise ConfigError(f"{where}: role {text!r} is not one of {', '.join(ROLES)}") from None


@functools.lru_cache(maxsize=1024)
def _pattern(glob: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out))


@dataclass(frozen=True)
class Grant:
    """A role, and the flow files it reaches (None: all of them)."""

    role: Role = DEFAULT_ROLE
    files: tuple[str, ...] | None = None
    explicit: bool = True
    """False when the role was not given (the default applied): warned about at start."""

    @property
    def limited(self) -> bool:
        return self.files is not None

    def at_least(self, role: Role) -> bool:
        return self.role >= role

    def allows(self, name: str | None) -> bool:
        """Whether the flow file ``name`` (as the API names it) is one of this grant's."""
        if self.files is None:
            return True
        if not name:
            return False
        return any(_pattern(glob).fullmatch(name) for glob in self.files)

    def public(self) -> dict[str, Any]:
        return {"role": self.role.label,
                "files": None if self.files is None else list(self.files)}


FULL = Grant(Role.ADMIN, None)
"""What a request has when auth is off (the server then listens on loopback only)."""


def parse_files(value: Any, where: str) -> tuple[str, ...] | None:
    """``files:`` of a user (a list of globs), or None when not given."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: files is a list of flow file names or globs, such as "
                          "[a.yaml, plant/*]")
    for glob in value:
        if glob.startswith("/") or ".." in glob.split("/"):
            raise ConfigError(f"{where}: files entry {glob!r} must be relative to the flows "
                              "directory, without '..'")
    return tuple(v.strip() for v in value)


def grant_of(entry: Any, where: str) -> Grant:
    """The grant a user's entry in the auth file gives: a hash alone (no role given), or a
    mapping ``{password: <hash>, role: editor, files: [a.yaml]}``."""
    if not isinstance(entry, dict):
        return Grant(DEFAULT_ROLE, None, explicit=False)
    role = entry.get("role")
    return Grant(DEFAULT_ROLE if role is None else parse_role(role, where),
                 parse_files(entry.get("files"), where), explicit=role is not None)


def parse_token(item: str, index: int) -> tuple[str, str, Grant]:
    """One ``FLOWRT_TOKENS`` entry: ``token``, ``name:token`` or ``name:token:role``; its
    name, token and grant. Tokens hold no ``:`` of their own then (a role is the last part
    only when it names a role, so an older token holding ``:`` keeps working)."""
    name, sep, rest = item.partition(":")
    if not sep:
        return f"token{index + 1}", item, Grant(DEFAULT_ROLE, None, explicit=False)
    token, sep, role = rest.rpartition(":")
    if sep and role.strip().upper() in Role.__members__:
        return name, token, Grant(parse_role(role, f"FLOWRT_TOKENS ({name})"), None)
    return name, rest, Grant(DEFAULT_ROLE, None, explicit=False)
