"""The script policy: which nodes that run a flow author's code a server accepts.

A flow file is code when it holds a ``script`` node (Python, with the rights of the flowrt
process) and, to a lesser degree, a ``function`` node (JavaScript in QuickJS, with no file,
network or process bindings). Whoever can deploy to a server can run that code on it. On a
laptop that is the same person as the one running flowrt; on a server that others can reach it
is not, so ``flowrt serve`` and ``flowrt run`` take ``--scripts``:

========== ==============================================================================
allow      every node runs (the default of ``flowrt run``, and of ``flowrt serve`` on loopback)
sandboxed  nodes whose code runs unrestricted are refused, and sandboxed code must have a
           ``timeout`` (the default of ``flowrt serve`` bound to any other address)
deny       every node that runs a flow author's code is refused
========== ==============================================================================

Node types say what they run once, on their class (``runs_code`` in :mod:`flowrt.api`), so a
third-party pack's nodes fall under the same policy. A refused node is a diagnostic (E060)
naming its file, line, column and id, reported with the checker's other errors: the flows are
refused as a whole before anything starts, and the editor shows the same problem while editing.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from flowrt.codes import diagnostic
from flowrt.errors import ConfigError, Diagnostic
from flowrt.load.project import Project
from flowrt.registry.discover import Registry

ScriptPolicy = Literal["allow", "sandboxed", "deny"]
POLICIES: tuple[str, ...] = get_args(ScriptPolicy)
ENV_VAR = "FLOWRT_SCRIPTS"

_REFUSED: dict[str, frozenset[str]] = {
    "allow": frozenset(),
    "sandboxed": frozenset({"unrestricted"}),
    "deny": frozenset({"sandboxed", "unrestricted"}),
}


def parse_policy(text: str, option: str = "--scripts") -> ScriptPolicy:
    """A policy from an option or the environment; ConfigError names the choices."""
    value = text.strip().lower()
    if value == "allow":
        return "allow"
    if value == "sandboxed":
        return "sandboxed"
    if value == "deny":
        return "deny"
    raise ConfigError(f"{option} is one of {', '.join(POLICIES)}; got {text!r}")


def default_policy(loopback: bool) -> ScriptPolicy:
    """What a server uses when not told: everything on loopback, where only this machine's users
    reach it; elsewhere no code that runs with the process's rights."""
    return "allow" if loopback else "sandboxed"


def refuses(runs_code: str | None, policy: ScriptPolicy) -> bool:
    """True when a node type whose class says ``runs_code`` may not run under ``policy``."""
    return runs_code is not None and runs_code in _REFUSED[policy]


def refused_types(registry: Registry, policy: ScriptPolicy) -> list[str]:
    """The node types of the registry that ``policy`` refuses (for the editor's palette)."""
    return sorted(spec.type for spec in registry if refuses(spec.cls.runs_code, policy))


def check_policy(
    project: Project, registry: Registry, policy: ScriptPolicy, option: str = "--scripts"
) -> list[Diagnostic]:
    """An E060 error for each enabled node of the project that ``policy`` refuses.

    Disabled nodes and disabled flow files are left alone: they do not run, and are checked
    again when a deploy enables them.
    """
    if policy == "allow":
        return []
    found: list[Diagnostic] = []
    for doc in project.documents:
        if doc.disabled:
            continue
        for node in doc.all_nodes():
            spec = registry.get(node.type)
            if node.disabled or spec is None:
                continue
            if policy == "sandboxed" and _unbounded(spec, node.config):
                found.append(diagnostic(
                    "E060",
                    f"a {node.type} node without a `timeout` may run forever and stall every "
                    f"flow of the server, and the script policy is `{option} {policy}`",
                    "set `timeout` to the most seconds one run of the code may take (e.g. 5)",
                    node=node.id, node_type=node.type, path=node.path,
                    file=doc.file, line=node.span.line, column=node.span.column,
                ))
                continue
            if not refuses(spec.cls.runs_code, policy):
                continue
            what = ("runs code with the rights of the flowrt process"
                    if spec.cls.runs_code == "unrestricted" else "runs a flow author's code")
            found.append(diagnostic(
                "E060",
                f"a {node.type} node {what}, and the script policy is "
                f"`{option} {policy}`",
                _hint(spec.cls.runs_code, policy, option),
                node=node.id, node_type=node.type, path=node.path,
                file=doc.file, line=node.span.line, column=node.span.column,
            ))
    return found


def _unbounded(spec: Any, config: dict[str, Any]) -> bool:
    """True for sandboxed code whose type has a `timeout` that this node leaves at 0 (no
    limit). A `${VAR}` is judged where it is known (a sandboxed server still checks at deploy,
    after substitution)."""
    if spec.cls.runs_code != "sandboxed" or "timeout" not in spec.fields:
        return False
    value = config.get("timeout", spec.fields["timeout"].get("default", 0))
    return isinstance(value, int | float) and not isinstance(value, bool) and value <= 0


def _hint(runs_code: str | None, policy: ScriptPolicy, option: str) -> str:
    needed = "sandboxed" if runs_code == "sandboxed" else "allow"
    instead = ("use a `function` node (sandboxed JavaScript) instead, remove or disable it"
               if runs_code == "unrestricted" and policy == "sandboxed"
               else "remove or disable the node")
    return (f"{instead}; or run with `{option} {needed}` ({ENV_VAR}={needed}) where only "
            "trusted people can deploy")
