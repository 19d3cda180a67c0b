"""``${NAME}`` and ``${NAME:-default}`` substitution.

- Names are looked up in the flow's ``env`` first, then the process environment (without
  flowrt's own variables, :data:`OWN_VARIABLES`).
- A value that is exactly one reference takes the type of what it resolves to: a flow variable
  keeps its YAML type (``THRESHOLD: 30`` stays a number); a process variable or a default is read
  as a YAML scalar, so ``"30"`` becomes 30, ``"true"`` becomes true, except in a field that
  wants a string, which gets the variable's text (:func:`parse_substituted`).
- Inside a longer string a reference is replaced by its text.
- ``$${`` writes a literal ``${``.

Every node also has Node-RED's own variables (:func:`node_variables`: ``NR_NODE_ID``,
``NR_FLOW_NAME``...), in its ``${...}`` references as in what it reads at run time.

It also says which references hold secrets (:func:`secret_references`): what a field declared
``secret`` takes, the password of an address, what sits under a key named like a credential
(:func:`names_credential`), and any reference whose own name is one. Checking and compiling use
it to hide those values from what they print (see :mod:`flowrt.secrets.redact`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar

CREDENTIAL_WORDS = re.compile(
    r"(?:password|passwd|secret|token|apikey|"
    r"(?:^|_)(?:pwd|api_key|access_?key|private_?key|authorization|bearer|credentials?))$"
)
"""The last word(s) of a key, once normalised by :func:`key_words`, that name a credential."""
URL_PASSWORD = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]*:)(?P<password>[^@/\s]+)@"
)
"""An address with a password in it: ``amqp://user:password@host``."""
NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"
"""A variable's name: letters, digits and ``_``, not starting with a digit."""
REFERENCE_PATTERN = r"\$\{(" + NAME_PATTERN + r")(?::-([^}]*))?\}"
"""One reference, ``${NAME}`` or ``${NAME:-default}`` (groups: the name, the default). This is
the grammar's one declaration: the published schema's ``envref`` (and through it the editor)
and the Node-RED conversion take it from here. It is also a valid ECMAScript pattern."""
REFERENCE_SCHEMA = {
    "type": "string",
    "pattern": "^" + REFERENCE_PATTERN + "$",
    "description": "A reference to an environment variable: ${NAME} or ${NAME:-default}.",
}
"""A value that is one reference, as JSON Schema: ``$defs/envref`` of the published schema and
of the node catalog's schemas, where the editor reads it."""
NAME = re.compile("^" + NAME_PATTERN + "$")
REFERENCE = re.compile(r"\$\$\{|" + REFERENCE_PATTERN)
WHOLE = re.compile("^" + REFERENCE_PATTERN + "$")

OWN_VARIABLES = frozenset({"FLOWRT_SECRETS_KEY", "FLOWRT_TOKENS", "FLOWRT_AUTH_FILE",
                           "FLOWRT_SECRETS", "FLOWRT_GROUP_DB"})
"""The variables of flowrt's own configuration: a reference never resolves to one (nor does a
node see one: flowrt.run.context), whatever environment it is given."""
NODE_VARIABLES = ("NR_NODE_ID", "NR_NODE_NAME", "NR_NODE_PATH", "NR_FLOW_ID", "NR_FLOW_NAME",
                  "NR_GROUP_ID", "NR_GROUP_NAME", "NR_SUBFLOW_ID", "NR_SUBFLOW_NAME",
                  "NR_SUBFLOW_PATH")
"""Node-RED's variables about the node that reads them (nodered.org/docs/user-guide/
environment-variables), given by :func:`node_variables`."""
Lookup = Callable[[str], Any]
MISSING = object()
T = TypeVar("T")


def references(value: Any) -> Iterator[tuple[str, str | None]]:
    """Every (name, default) referenced anywhere in a value (strings, lists, mappings)."""
    if isinstance(value, str):
        if "${" not in value:
            return
        for match in REFERENCE.finditer(value):
            if match.group(1):
                yield match.group(1), match.group(2)
    elif isinstance(value, dict):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def scalar(text: str) -> Any:
    """Read text as a YAML 1.2 core scalar: int, float, bool, null or string."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("null", "~", ""):
        return None if low else ""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def substitute(value: Any, lookup: Lookup, missing: list[str] | None = None) -> Any:
    """Replace references in a value; names with no value and no default go to ``missing``."""
    if isinstance(value, str):
        if "${" not in value:
            return value
        whole = WHOLE.match(value)
        if whole:
            found = lookup(whole.group(1))
            if found is not MISSING:
                return found
            if whole.group(2) is not None:
                return scalar(whole.group(2))
            if missing is not None:
                missing.append(whole.group(1))
            return value

        text_of = getattr(lookup, "text", None)

        def replace(match: re.Match[str]) -> str:
            if not match.group(1):
                return "${"
            found = lookup(match.group(1))
            if found is not MISSING:
                text = text_of(match.group(1)) if text_of is not None else None
                if isinstance(text, str):  # as written: `0042`, `1e3`, `Infinity` stay so
                    return text
                return "" if found is None else str(found)
            if match.group(2) is not None:
                return match.group(2)
            if missing is not None:
                missing.append(match.group(1))
            return match.group(0)

        return REFERENCE.sub(replace, value)
    if isinstance(value, dict):
        return {k: substitute(v, lookup, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, lookup, missing) for v in value]
    return value


class EnvLookup:
    """What a name resolves to: the flow's env, then the process environment read as a YAML
    scalar. :meth:`text` gives a process variable's text as it was written, for a field that
    wants a string (a password ``123456``, a key ``0042``: see :func:`parse_substituted`)."""

    def __init__(self, flow_env: dict[str, Any], process_env: dict[str, str]) -> None:
        self.flow_env = flow_env
        self.process_env = process_env

    def __call__(self, name: str) -> Any:
        if name in self.flow_env:
            return self.flow_env[name]
        if name in self.process_env and name not in OWN_VARIABLES:
            return scalar(self.process_env[name])
        return MISSING

    def text(self, name: str) -> str | None:
        if name in self.flow_env or name in OWN_VARIABLES:
            return None
        return self.process_env.get(name)


@dataclass(frozen=True, slots=True)
class Named:
    """A node, flow, group or subflow instance as Node-RED's variables name it."""

    id: str
    name: str
    path: str = ""


def node_variables(node: Named, flow: Named, group: Named | None = None,
                   subflow: Named | None = None) -> dict[str, str]:
    """Node-RED's variables for a node: ``NR_NODE_ID``, ``NR_NODE_NAME`` (its label, or ""),
    ``NR_NODE_PATH`` (the ids from its flow's down to its own, joined by ``/``),
    ``NR_FLOW_ID`` and ``NR_FLOW_NAME`` (the flow it is on, an instance's inner nodes too); in a
    group ``NR_GROUP_ID`` and ``NR_GROUP_NAME`` (the innermost one); inside a subflow instance
    ``NR_SUBFLOW_ID``, ``NR_SUBFLOW_NAME`` and ``NR_SUBFLOW_PATH`` (the innermost instance).
    A node imported from Node-RED is named by its Node-RED ids (:mod:`flowrt.compile.build`)."""
    found = {"NR_NODE_ID": node.id, "NR_NODE_NAME": node.name, "NR_NODE_PATH": node.path,
             "NR_FLOW_ID": flow.id, "NR_FLOW_NAME": flow.name}
    if group is not None:
        found |= {"NR_GROUP_ID": group.id, "NR_GROUP_NAME": group.name}
    if subflow is not None:
        found |= {"NR_SUBFLOW_ID": subflow.id, "NR_SUBFLOW_NAME": subflow.name,
                  "NR_SUBFLOW_PATH": subflow.path}
    return found


def group_of(node_id: str, groups: Mapping[str, Any]) -> Named | None:
    """The innermost group (of a flow's ``groups``) that ``node_id`` is drawn in, if any."""
    for gid, group in groups.items():
        if any(member == node_id for member, _ in group.members):
            return Named(gid, group.label or "")
    return None


def make_lookup(flow_env: dict[str, Any], process_env: dict[str, str]) -> EnvLookup:
    return EnvLookup(flow_env, process_env)


def parse_substituted(parse: Callable[[Any], T], raw: Any, lookup: Lookup,
                      missing: list[str] | None = None) -> T:
    """``parse(substitute(raw))``; where that fails only because a string was wanted and one
    whole ``${NAME}`` gave a number or a boolean (a numeric password, a key with leading
    zeros), the variable's text is used there instead. Raises what ``parse`` raises."""
    from pydantic import ValidationError

    config = substitute(raw, lookup, missing)
    try:
        return parse(config)
    except ValidationError as exc:
        if not _texts_back(config, raw, exc.errors(), lookup):
            raise
    return parse(config)


def _texts_back(config: Any, raw: Any, errors: Any, lookup: Lookup) -> bool:
    text_of: Callable[[str], str | None] | None = getattr(lookup, "text", None)
    if text_of is None:
        return False
    changed = False
    for err in errors:
        if err.get("type") != "string_type":
            continue
        *parents, last = err["loc"]
        at, where = raw, config
        for key in parents:
            try:
                at, where = at[key], where[key]
            except (KeyError, IndexError, TypeError):
                break
        else:
            try:
                value = at[last]
            except (KeyError, IndexError, TypeError):
                continue
            whole = WHOLE.match(value) if isinstance(value, str) else None
            text = text_of(whole.group(1)) if whole else None
            if text is not None and isinstance(where, dict | list):
                where[last] = text
                changed = True
    return changed


def is_reference(value: Any) -> bool:
    """True for a string that is exactly one ``${...}`` reference."""
    return isinstance(value, str) and WHOLE.match(value) is not None


def key_words(key: str) -> str:
    """A key as lower-case words joined by ``_``: ``X-Api-Key`` and ``xApiKey`` give
    ``x_api_key``; for a property path (``headers.authorization``) only its last part."""
    last = re.split(r"[.\[\]]", key.strip("[]'\" "))
    name = next((part for part in reversed(last) if part), key)
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return re.sub(r"[^a-z0-9]+", "_", spaced.lower()).strip("_")


def names_credential(key: object) -> bool:
    """True for a key or variable named like a credential (``password``, ``auth_token``,
    ``X-Api-Key``; not ``token_url`` nor ``password_file``)."""
    return isinstance(key, str) and CREDENTIAL_WORDS.search(key_words(key)) is not None


def secret_references(config: dict[str, Any], secret_fields: frozenset[str]) -> set[str]:
    """The names of the references a configuration uses for secrets: anywhere in a field of
    ``secret_fields``, under a key named like a credential, as the password of an address, or
    named like a credential themselves. A default (``${NAME:-text}``) is written in the flow,
    so only the name counts."""
    found: set[str] = set()

    def walk(value: Any, secret: bool) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, secret or names_credential(key))
        elif isinstance(value, list):
            for item in value:
                walk(item, secret)
        elif isinstance(value, str) and "${" in value:
            for name, _ in references(value):
                if secret or names_credential(name):
                    found.add(name)
            for match in URL_PASSWORD.finditer(value):
                found.update(name for name, _ in references(match["password"]))

    for key, value in config.items():
        walk(value, key in secret_fields or names_credential(key))
    return found


class WithoutOwn(MutableMapping[str, Any]):
    """The process environment as nodes see it: without flowrt's own variables (the store's
    key, the API's tokens...), whatever environment the runtime was given. A view, not a
    copy: every node of a runtime shares the one environment."""

    def __init__(self, env: Mapping[str, Any]) -> None:
        self._env = env

    def __getitem__(self, name: str) -> Any:
        if name in OWN_VARIABLES:
            raise KeyError(name)
        return self._env[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._env if name not in OWN_VARIABLES)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return name not in OWN_VARIABLES and name in self._env

    def __setitem__(self, name: str, value: Any) -> None:
        raise TypeError("the process environment is read-only")

    def __delitem__(self, name: str) -> None:
        raise TypeError("the process environment is read-only")
