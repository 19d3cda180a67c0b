"""What a node evaluates of what a flow's author writes, and what each script policy allows.

A node type declares once, on its class, which of its fields are evaluated and as what
(``evaluates`` in :mod:`flowrt.api`): ``{"jsonata": ("rules[].jsonata",), "regex": (...)}``.
A field is a configuration key, a path into one (``rules[].regex``: the ``regex`` key of each
rule), or a message property the node reads instead (``msg.template``). Typed values
(``{type: jsonata, value: ...}``) count as JSONata wherever they are accepted.

Each kind says where it runs, with whose rights, how flowrt keeps it in bounds, and which
``--scripts`` policies allow it. The design: ``deny`` runs no code of a flow author; templates,
expressions and regular expressions are allowed under it only because they are sandboxed and
bounded; code that runs elsewhere with rights flowrt cannot confine (SQL, Flux) needs
``sandboxed``; Python and system commands (the exec node) need ``allow``.
:mod:`flowrt.check.policy` refuses by this table, the catalog and ``flowrt nodes`` show it, and
the table in docs/security.md is generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Evaluated = Literal[
    "python", "command", "javascript", "sql", "flux", "influxql",
    "jinja", "mustache", "jsonata", "regex", "css", "path", "url",
]
"""The kinds of text a flow's author writes that a node evaluates."""

ALL_POLICIES = ("allow", "sandboxed", "deny")


@dataclass(frozen=True)
class Kind:
    """One kind of evaluated text: what it is, where it runs, how it is kept, who allows it."""

    title: str
    runs: str
    kept: str
    policies: tuple[str, ...]

    @property
    def code(self) -> bool:
        """True for code (refused under ``deny``), False for what is sandboxed and bounded."""
        return "deny" not in self.policies


KINDS: dict[str, Kind] = {
    "python": Kind(
        "Python", "in the flowrt process, with its rights (files, network, environment)",
        "not confined: only a timeout on synchronous code", ("allow",),
    ),
    "command": Kind(
        "system command", "as a process of the flowrt process's user, with its rights (files, "
        "network, environment, other programs)",
        "not confined: a timeout if the node sets one; its process group is killed when the "
        "flow stops", ("allow",),
    ),
    "javascript": Kind(
        "JavaScript", "in QuickJS-ng, with no file, network or process access: under "
        "`sandboxed` in a worker process of the node, under `allow` in the flowrt process; a "
        "body in the compiled subset (arithmetic and tests on the message: no calls but "
        "`Math`'s, no loops, no functions) is computed in the flowrt process on the message's "
        "values alone, under both",
        "a time limit and a memory limit per run", ("allow", "sandboxed"),
    ),
    "sql": Kind(
        "SQL", "in PostgreSQL, MySQL or MariaDB, with the rights of the connection's database "
        "role or user",
        "by the role's grants only: flowrt does not read the statement", ("allow", "sandboxed"),
    ),
    "flux": Kind(
        "Flux", "in InfluxDB 2.x, with the rights of the connection's token (Flux can reach "
        "the network and other databases from the InfluxDB server)",
        "by the token's permissions only", ("allow", "sandboxed"),
    ),
    "influxql": Kind(
        "InfluxQL", "in InfluxDB 1.x, with the rights of the connection's user",
        "by the user's privileges only", ("allow", "sandboxed"),
    ),
    "jinja": Kind(
        "Jinja template", "in the flowrt process, in Jinja's immutable sandbox",
        "no attribute starting with `_`, no Python internals; a time limit, a size limit on "
        "texts and lists, a recursion limit", ALL_POLICIES,
    ),
    "mustache": Kind(
        "mustache template", "in the flowrt process", "names are looked up in mappings and "
        "lists only (no attributes, no lambdas, no partials); a time and a size limit",
        ALL_POLICIES,
    ),
    "jsonata": Kind(
        "JSONata expression", "in the flowrt process (jsonata-python)",
        "reads mappings and lists only; a time limit, a size limit on texts and lists, a "
        "recursion limit; its regular expressions are bounded as below", ALL_POLICIES,
    ),
    "regex": Kind(
        "regular expression", "in the flowrt process (the `regex` package)",
        "a time limit per match and a size limit on a substitution", ALL_POLICIES,
    ),
    "css": Kind(
        "CSS selector", "in the flowrt process (lexbor, through selectolax)",
        "selects elements of the message's document only: no script runs and nothing is "
        "fetched", ALL_POLICIES,
    ),
    "path": Kind(
        "file path", "read or written by the flowrt process, with its rights",
        "under `sandboxed` and `deny`, the directories named with `--files` (see Secrets)",
        ALL_POLICIES,
    ),
    "url": Kind(
        "URL", "requested by the flowrt process, from its network",
        "http and https only; whatever the process can reach", ALL_POLICIES,
    ),
}


def kinds_of(cls: Any) -> dict[str, tuple[str, ...]]:
    """A node class's declaration: kind -> fields, including what ``runs_code`` says for a
    class that declares only that (a third-party pack written before ``evaluates``)."""
    found: dict[str, tuple[str, ...]] = dict(getattr(cls, "evaluates", {}) or {})
    runs_code = getattr(cls, "runs_code", None)
    implied = {"sandboxed": "javascript", "unrestricted": "python"}.get(runs_code or "")
    if implied is not None and implied not in found:
        found[implied] = ()
    return found


def refused_kinds(cls: Any, policy: str) -> list[str]:
    """The kinds a node class evaluates that ``policy`` does not allow."""
    return [kind for kind in kinds_of(cls) if policy not in _policies(kind)]


def _policies(kind: str) -> tuple[str, ...]:
    """The policies allowing a kind; an unknown one (a pack's typo) only under ``allow``."""
    known = KINDS.get(kind)
    return known.policies if known is not None else ("allow",)
