"""A node's fast step written as lines of Python, which a fused run writes into its own code.

A fast step (:mod:`flowrt.run.fuse_code`) called once per node per message costs a call, and
for the short steps of the commonest nodes (a change setting one property, a switch comparing
a number, a template printing one value) the call is about as dear as the step. A node type may
instead offer its step as a :class:`StepCode`, from ``node.fast_code()`` (:data:`CODE_METHOD`):
lines of Python that a compiled run places in the node's block, so the message goes through
without a call. The same lines make the step's function (:func:`step_function`), the one its
``fast_process`` returns: a node's step is written once, and its tests (which compare
``fast_process`` with ``process``) test the lines the run inlines.

**The lines' contract.** They read ``msg`` (a dict, exactly) and end having bound ``out``: what
``process`` would return, having done to the message what ``process`` would; or
``NotImplemented``, having done nothing (the block then calls ``process``). They may bind the
temporaries ``o``, ``x``, ``t``, ``k`` and ``exc`` (and ``port``: :attr:`StepCode.ports`), and
nothing else. A value they use (a key, a constant, a function) is written ``{0}``, ``{1}``...
and bound by name: the run's source names it ``v<node>_<i>`` and takes it as an argument, so no
value of the flow (a node id, a rule, a template's text) is ever written into code. The lines
themselves are constants of the node type's module: nothing an author wrote is in them. They
read nothing of the node's context, as a fast step does, unless the type's ``fast_delivered``
is True: then the run sets the node's delivery around them (a script's body may send as the
node).

``fast_code()`` is asked of a node when the flow is wired, before it starts: it may read the
node's config, and values the node made when it was constructed (a cell its start fills:
the script node's body).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

log = logging.getLogger("flowrt.run")

CODE_METHOD = "fast_code"
"""A node type's optional method: ``node.fast_code()`` returns its step as a :class:`StepCode`
(from its config alone) or None when its config has no such step."""

@dataclass(frozen=True, slots=True)
class StepCode:
    """A fast step as lines of Python (see the module docs)."""

    lines: tuple[str, ...]
    """Statements at no indentation (a nested block indents by four spaces)."""
    values: tuple[Any, ...]
    """What ``{0}``, ``{1}``... of the lines stand for."""
    ports: int = 0
    """A node of several ports (their count) whose lines may bind ``out`` to ``msg`` itself and
    ``port`` to the one port it goes out on, which stands for the list output with ``msg`` at
    ``port`` and None elsewhere (a run whose next node that port leads to makes no list); 0:
    the lines bind ``out`` only."""
    declines: bool = True
    """Whether the lines may bind ``out`` to ``NotImplemented``; False: they never do (a
    script's: what its body returns is checked as messages to send), and a run calls no
    ``process`` after them."""
    unported: tuple[str, ...] | None = None
    """Lines of several ports for a run in which every port leads to the next node: they bind
    ``out`` only, to ``msg`` wherever the lines would put it on a port (the port chosen is
    then of no consequence, and not worked out); None: the lines themselves serve."""

    def leading_on(self) -> StepCode:
        """The step for a run in which all of the node's ports lead to the next node."""
        if self.unported is None:
            return self
        return StepCode(self.unported, self.values, declines=self.declines)

    def written(self, names: list[str]) -> list[str]:
        """The lines with each value's placeholder replaced by its name in ``names``."""
        return [line.format(*names) for line in self.lines]


def lookup(target: str, mapping: str, key: str) -> tuple[str, ...]:
    """Lines binding ``target`` to ``mapping[key]``, None when the key is missing: what
    ``mapping.get(key)`` gives of a dict, as a subscript (no method call: about 60 machine
    instructions less a look-up; a ``try`` costs nothing until it catches)."""
    return ("try:", f"    {target} = {mapping}[{key}]", "except KeyError:", f"    {target} = None")


def indented(lines: tuple[str, ...], depth: int = 1) -> tuple[str, ...]:
    """``lines`` nested ``depth`` blocks deeper."""
    return tuple("    " * depth + line for line in lines)


def code_of(node: Any) -> StepCode | None:
    """``node``'s step as code, or None (its type offers none, its config has none, or making
    it failed: logged, and the node is run by its fast step or ``process``)."""
    make = getattr(type(node), CODE_METHOD, None)
    if make is None:
        return None
    try:
        code: StepCode | None = make(node)
    except Exception:
        log.exception("%s: no fast step code", getattr(node, "id", node))
        return None
    return code


def step_function(code: StepCode) -> Callable[[Any], Any]:
    """The step's function: its lines as the body of a function of ``msg`` returning ``out``
    (a message on a port the lines named, as the list output it stands for)."""
    make = _factory(code.lines, len(code.values), code.ports)
    return make(*code.values)  # type: ignore[no-any-return]


@lru_cache(maxsize=128)
def _factory(lines: tuple[str, ...], count: int, ports: int) -> Callable[..., Any]:
    names = [f"v{i}" for i in range(count)]
    body = [line.format(*names) for line in lines]
    ported = ["port = 0", *body, "if out is msg:", f"    out = [None] * {ports}",
              "    out[port] = msg"] if ports else body
    source = "\n".join([f"def make({', '.join(names)}):",
                        "    def step(msg):",
                        *("        " + line for line in ported),
                        "        return out",
                        "    return step", ""])
    namespace: dict[str, Any] = {}
    exec(compile(source, "<fast step>", "exec"), namespace)
    return namespace["make"]  # type: ignore[no-any-return]
