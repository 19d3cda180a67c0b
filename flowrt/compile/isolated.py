"""The check a plan needs, run in a forked child process.

``flowrt run`` must check its flows before it runs them, but the checker's libraries (networkx,
jsonschema) are a third of the process's memory and nothing at run time needs them. Forking a
child to check keeps them out of the long-running process: the child inherits the loaded project
and the registry, checks, sends the diagnostics back through a pipe and exits. Where fork is not
available, or the checker is already imported, the check runs in-process.

Asked to (``cache_options``), it first looks for the result of the same check kept by an earlier
process (:mod:`flowrt.compile.check_cache`), and keeps a passing check's result for the next:
`flowrt run` of a project that has not changed forks no child and imports no checker.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flowrt.diagnostics import Diagnostic
from flowrt.load.project import Project

if TYPE_CHECKING:
    from flowrt.check.policy import ScriptPolicy
from flowrt.registry.discover import Registry
from flowrt.secrets.redact import redact

log = logging.getLogger("flowrt.compile")
CHECKER = "flowrt.check.graph"
"""A module of the checker's own (``import flowrt.check`` loads none of them): imported
already, the check runs in-process, as there is nothing left to keep out."""


def check_isolated(
    project: Project, registry: Registry, env: Mapping[str, str], strict: bool = False,
    scripts: ScriptPolicy = "allow", cache_options: Mapping[str, Any] | None = None,
) -> list[Diagnostic]:
    """``check(project, registry, env=env, strict=strict, scripts=scripts)``'s diagnostics.
    With ``cache_options`` (the caller's options that change what it does with a check, such
    as `flowrt run`'s ``--check-ports``), a passing check's result is kept and used again."""
    if cache_options is None:
        return _check_forked(project, registry, env, strict, scripts)
    from flowrt.compile import check_cache

    options = {**cache_options, "strict": strict, "scripts": scripts}
    key = check_cache.check_key(project, registry, env, options)
    found = check_cache.cached(key) if key is not None else None
    if found is not None:
        log.debug("the check of these flows is the one kept under %s", key)
        return found
    found = _check_forked(project, registry, env, strict, scripts)
    # kept only if nothing it depends on changed while it ran (a schema file edited meanwhile)
    if key is not None and key == check_cache.check_key(project, registry, env, options):
        check_cache.keep(key, found)
    return found


def _check_forked(
    project: Project, registry: Registry, env: Mapping[str, str], strict: bool,
    scripts: ScriptPolicy,
) -> list[Diagnostic]:
    if not hasattr(os, "fork") or CHECKER in sys.modules:
        return _check(project, registry, env, strict, scripts)
    import pickle

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: check, report, leave without running any cleanup of the parent's
        code = 0
        try:
            os.close(read_end)
            data = pickle.dumps(_check(project, registry, env, strict, scripts))
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
        except BaseException:
            sys.stderr.write(redact(traceback.format_exc()))  # no secret value in the trace
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as source:
        data = source.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        log.warning("the checking process failed (status %s); checking in-process", status)
        return _check(project, registry, env, strict, scripts)
    found: list[Diagnostic] = pickle.loads(data)
    return found


def _check(
    project: Project, registry: Registry, env: Mapping[str, str], strict: bool,
    scripts: ScriptPolicy,
) -> list[Diagnostic]:
    from flowrt.check import check

    return check(project, registry, env=env, strict=strict, scripts=scripts)
