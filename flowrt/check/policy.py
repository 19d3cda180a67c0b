"""The script policy: which nodes that run a flow author's code a server accepts.

A flow file is code when it holds a ``script`` node (Python, with the rights of the flowrt
process) and, to a lesser degree, a ``function`` node (JavaScript in QuickJS, with no file,
network or process bindings), or a query node (SQL, Flux, InfluxQL: run by a database with the
rights of the connection). Whoever can deploy to a server can run that code on it. On a
laptop that is the same person as the one running flowrt; on a server that others can reach it
is not, so ``flowrt serve`` and ``flowrt run`` take ``--scripts``:

========== ==============================================================================
allow      every node runs (the default of ``flowrt run``, and of ``flowrt serve`` on loopback)
sandboxed  nodes whose code runs unrestricted are refused, and sandboxed code must have a
           ``timeout`` (the default of ``flowrt serve`` bound to any other address)
deny       every node that runs a flow author's code is refused; templates, JSONata and
           regular expressions still run, sandboxed and bounded
========== ==============================================================================

Node types say what they evaluate once, on their class (``evaluates``, and ``runs_code`` for
packs written before it, in :mod:`flowrt.api`); :mod:`flowrt.evaluated` says which policy
allows each kind, so a third-party pack's nodes fall under the same policy. A refused node is a
diagnostic (E060) naming its file, line, column and id, reported with the checker's other
errors: the flows are refused as a whole before anything starts, and the editor shows the same
problem while editing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any, Literal, get_args

from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.errors import ConfigError
from flowrt.evaluated import KINDS, refused_kinds
from flowrt.load.document import Document
from flowrt.load.env import MISSING, make_lookup, substitute
from flowrt.load.project import Project
from flowrt.registry.discover import Registry

ScriptPolicy = Literal["allow", "sandboxed", "deny"]
POLICIES: tuple[str, ...] = get_args(ScriptPolicy)
ENV_VAR = "FLOWRT_SCRIPTS"

TIMEOUT_CAP_VAR = "FLOWRT_SANDBOX_TIMEOUT"
MEMORY_CAP_VAR = "FLOWRT_SANDBOX_MEMORY"
TIMEOUT_CAP = 30.0
"""Most seconds of ``timeout`` sandboxed code may have (the operator sets another cap with
FLOWRT_SANDBOX_TIMEOUT in the server's environment)."""
MEMORY_CAP = 256
"""Most megabytes of ``memory_limit`` sandboxed code may have (FLOWRT_SANDBOX_MEMORY)."""
ISOLATION_VAR = "FLOWRT_JS_ISOLATION"
"""``inline`` or ``worker``: where function nodes run JavaScript (nodes/function reads it too).
Unset, the policy decides: in a worker process of each node under ``sandboxed`` (the authors
are not trusted: a crash of the engine, or native code it cannot interrupt, must stay in the
node), inside the server process under ``allow`` (whoever may deploy may run Python anyway;
no round trip per message). A sandboxed server refuses ``inline``."""

_running: ScriptPolicy = "allow"


def configure(policy: ScriptPolicy) -> None:
    """Set the policy this process runs flows under (`flowrt run` and `flowrt serve` do)."""
    global _running
    _running = policy


def current() -> ScriptPolicy:
    """The policy this process runs flows under (``allow`` unless configured)."""
    return _running

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


def refuses_type(cls: Any, policy: ScriptPolicy) -> bool:
    """True when ``policy`` refuses a node class for what it evaluates (see
    :mod:`flowrt.evaluated`)."""
    return bool(refused_kinds(cls, policy))


def refused_types(registry: Registry, policy: ScriptPolicy) -> list[str]:
    """The node types of the registry that ``policy`` refuses (for the editor's palette)."""
    return sorted(spec.type for spec in registry if refuses_type(spec.cls, policy))


def check_policy(
    project: Project, registry: Registry, policy: ScriptPolicy, option: str = "--scripts",
    env: Mapping[str, str] | None = None,
) -> list[Diagnostic]:
    """An E060 error for each enabled node of the project that ``policy`` refuses.

    Disabled nodes and disabled flow files are left alone: they do not run, and are checked
    again when a deploy enables them. ``env``: the process environment ``${VAR}`` references
    are substituted from (the sandbox's limits are judged on the values that will run).
    """
    if policy == "allow":
        return []
    found: list[Diagnostic] = []
    caps = sandbox_caps() if policy == "sandboxed" else (TIMEOUT_CAP, MEMORY_CAP)
    for doc in project.documents:
        if doc.disabled:
            continue
        envs = _node_envs(doc, dict(env or {}))
        for node in doc.all_nodes():
            spec = registry.get(node.type)
            if node.disabled or spec is None:
                continue
            problem = None
            if policy == "sandboxed" and spec.cls.runs_code == "sandboxed":
                problem = next(filter(None, (
                    _over_limits(spec, node.config, make_lookup(e, dict(env or {})), caps)
                    for e in envs.get(id(node), [doc.env]))), None)
            if problem is not None:
                found.append(diagnostic(
                    "E060",
                    f"{problem}, and the script policy is `{option} {policy}`",
                    f"set `timeout` to the most seconds one run of the code may take, more than "
                    f"0 and at most {caps[0]:g} (e.g. 5), and `memory_limit` to at most "
                    f"{caps[1]} (MB); the operator sets these caps with {TIMEOUT_CAP_VAR} and "
                    f"{MEMORY_CAP_VAR}",
                    node=node.id, node_type=node.type, path=node.path,
                    file=doc.file, line=node.span.line, column=node.span.column,
                ))
                continue
            kinds = refused_kinds(spec.cls, policy)
            if not kinds:
                continue
            found.append(diagnostic(
                "E060",
                f"a {node.type} node {_what(kinds)}, and the script policy is "
                f"`{option} {policy}`",
                _hint(kinds, policy, option),
                node=node.id, node_type=node.type, path=node.path,
                file=doc.file, line=node.span.line, column=node.span.column,
            ))
    return found


def sandbox_caps(environ: Mapping[str, str] | None = None) -> tuple[float, int]:
    """The operator's caps on sandboxed code: (timeout seconds, memory megabytes), from the
    server's environment, never a flow's."""
    source = os.environ if environ is None else environ
    timeout = _cap(source, TIMEOUT_CAP_VAR, TIMEOUT_CAP)
    memory = _cap(source, MEMORY_CAP_VAR, MEMORY_CAP)
    return timeout, int(memory)


def _cap(source: Mapping[str, str], name: str, default: float) -> float:
    text = source.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a positive number; got {text!r}")
    return value


def _node_envs(doc: Document, process_env: dict[str, str]) -> dict[int, list[dict[str, Any]]]:
    """The ``env`` each node inside a subflow may see (by ``id`` of the node): the flow's and
    the subflow's parameters, with their defaults and with each instance's values. Nodes not
    listed see the flow's ``env``."""
    found: dict[int, list[dict[str, Any]]] = {}
    for name, sub in doc.subflows.items():
        defaults = {k: p.get("default") for k, p in sub.params.items()}
        envs = [{**doc.env, **defaults}]
        lookup = make_lookup(doc.env, process_env)
        for instance in doc.all_nodes():
            if instance.subflow_type == name and not instance.disabled:
                envs.append({**doc.env, **defaults, **substitute(instance.env, lookup)})
        for node in sub.nodes.values():
            found[id(node)] = envs
    return found


def _over_limits(spec: Any, config: dict[str, Any], lookup: Any,
                 caps: tuple[float, int]) -> str | None:
    """What is wrong with the limits of sandboxed code (its `timeout` and `memory_limit`,
    after `${VAR}` substitution), or None. A reference with no value yet is judged when it
    has one (the server checks again at deploy)."""
    if spec.cls.runs_code != "sandboxed":
        return None
    if spec.type == "function" and os.environ.get(ISOLATION_VAR, "").strip().lower() == "inline":
        return (f"a {spec.type} node would run its code inside the server process "
                f"({ISOLATION_VAR}=inline), where a crash of the engine ends the server")
    fields = spec.fields
    for name, cap, unit in (("timeout", caps[0], "s"), ("memory_limit", caps[1], "MB")):
        if name not in fields:
            continue
        raw = config.get(name, fields[name].get("default", 0))
        missing: list[str] = []
        value = substitute(raw, lookup, missing)
        if missing or value is MISSING:
            continue
        shown = f"`{name}: {raw}` ({value!r})" if raw != value else f"`{name}: {raw}`"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{shown} is not a number"
        if not math.isfinite(value) or value <= 0:
            return (f"a {spec.type} node without a `timeout` may run forever and stall every "
                    f"flow of the server: {shown}" if name == "timeout"
                    else f"{shown} is not a limit")
        if value > cap:
            return f"{shown} is over the sandbox's cap of {cap:g} {unit}"
    return None


def _what(kinds: list[str]) -> str:
    """What a refused node runs, for E060."""
    if "python" in kinds:
        return "runs code with the rights of the flowrt process"
    if "command" in kinds:
        return "runs system commands with the rights of the flowrt process"
    if "javascript" in kinds:
        return "runs a flow author's code"
    known = [KINDS[k] for k in kinds if k in KINDS]
    if not known:
        return f"runs a flow author's code ({', '.join(kinds)})"
    return f"runs {known[0].title} a flow author writes, {known[0].runs}"


def _hint(kinds: list[str], policy: ScriptPolicy, option: str) -> str:
    needed = "sandboxed" if all("sandboxed" in KINDS[k].policies for k in kinds
                                if k in KINDS) and all(k in KINDS for k in kinds) else "allow"
    instead = ("use a `function` node (sandboxed JavaScript) instead, remove or disable it"
               if "python" in kinds and policy == "sandboxed"
               else "remove or disable the node")
    rights = ("; give the connection only the rights its flows need"
              if any(k in ("sql", "flux", "influxql") for k in kinds) else "")
    return (f"{instead}; or run with `{option} {needed}` ({ENV_VAR}={needed}) where only "
            f"trusted people can deploy{rights}")
