"""A fused run's loop as straight-line Python: what :func:`flowrt.run.fuse._loop` does for each
node, written out once per node, with each node's rules in its *fast step* when it has one.

The generic loop (``_loop``) unpacks a tuple for each node, tests whether the node is the last
and whether traces are looked for, and sets each node's delivery around its ``process``. The
code made here does the same for the same nodes, with no loop and no such tests: each node is a
block of statements over names bound to that node's counts, context, process and id. Its
source is made only of identifiers and numbers this module writes (``s0``, ``c1``, the count of
a node's ports): every value of the flow (node ids, rules, constants) is bound by name, as a
global of the run's own namespace, never written into the text, so nothing an author wrote is
ever code. The code of a shape (which nodes have a fast step, their ports, whether the run ends
in a next input) is compiled once and cached, so a flow of many runs of one shape compiles one.

A node's **fast step** (``fast_process()``, offered by its type, see :data:`FAST_METHOD`) is its
``process`` specialised for its config: given the message (a dict, exactly), it returns what
``process`` would and does to the message what ``process`` would, or returns ``NotImplemented``
having done nothing (its guards did not hold: the block then calls ``process`` under the node's
delivery, as the node's own input would). It reads nothing of the node's context, so its block
sets no delivery around it, unless the type says its step may (:data:`FAST_DELIVERED`: a
script's step runs the author's code, which may send or report as the node). The step is asked
of the node at its first message (the node has started by then), and once; a node failing to
make one has none (logged). A type may instead give its step as lines of code, from its config
when the flow is wired (:mod:`flowrt.step_code`): the block holds the lines in place of the call
(``q<k>``, the node's process, tells them whether metrics armed the node: then they stand
aside), and lines that put the message itself on a port (a switch's) make no list.

A switch whose ports all lead to the next node (:func:`flowrt.run.fuse._links`) is a link too:
its block takes the one message of its list output (a message on one port, None on the others)
as a single dict output; any other output (two messages, a message on a port wired nowhere)
goes out by the node's own emit, as it would hop by hop.

**Counts.** A block counts nothing of its node: the run counts each message that enters it
once (``r[0]``), and for node ``k`` a message that leaves before its block (a trace,
``r[1 + 2k]``) or stops in it (it failed, or sent something other than one message on:
``r[2 + 2k]``). Each node's counts in and out are made from these when anything reads them
(:func:`~flowrt.run.fuse_counts.flush_counts`: ``Runtime.stats`` is a
:class:`~flowrt.run.fuse_counts.Counts`, which
flushes on each read; a hot swap flushes before it unwires the runs; a run's input that is no
longer referenced flushes as it goes). The sums are linear, so a read while a message is in
the run (it counts at the nodes ahead of it already) is made right once the message has left:
after it, every count is exactly hop by hop's.

**Metrics.** Arming a node (:mod:`flowrt.run.metrics`) puts its timed process in its cell
(``p0[0]``), makes its fast step decline, and counts the node in ``armed[0]`` of each compiled
loop it is in, until that process has run (:func:`flowrt.run.fuse._step`). Each loop is
compiled twice: while ``armed[0]``, its messages take the code whose blocks call their node's
cell and test whether their lines stand aside (the cell holds another function than the
process, ``q0``), so that the armed node's message is timed by its process, as hop by hop;
else the code that calls ``q0`` itself and runs the lines with no test.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flowrt.run.fuse_counts import RUNS, flusher
from flowrt.run.tracing import TRACE_KEY
from flowrt.step_code import StepCode

if TYPE_CHECKING:
    from flowrt.run.context import NodeContext
    from flowrt.run.ports import Fail, Input
    from flowrt.types import Message, Output

log = logging.getLogger("flowrt.run")

FAST_METHOD = "fast_process"
"""A node type's optional method: ``node.fast_process()`` returns its fast step (a callable of
the message, see the module docs) or None when its config has none."""

FAST_DELIVERED = "fast_delivered"
"""A node type's optional class attribute: True when its fast step may use the node's context
as its process does (send, report), so its block sets the node's delivery around the step too."""

Fast = Callable[["Message"], "Output"]


@dataclass(frozen=True, slots=True)
class Block:
    """One node of a run, as its block of code sees it."""

    counts: list[int]
    ctx: NodeContext
    process: list[Callable[[Message], Output]]
    """[its process, or the timed one while metrics armed it; then, last, its process]"""
    node_id: str
    own: Input
    """The node's own input (a traced message leaves the loop there)."""
    fast: list[Fast] | None
    """[its fast step], resolved at the first message (:func:`fast_cell`); None: it has none."""
    ports: tuple[bool, ...] | None
    """A switch-like link: for each port, whether it leads to the next node; None: one port."""
    last: bool
    """The run's last node: what it returns goes out by its own emit."""
    delivered: bool = False
    """Its fast step runs under the node's delivery too (:data:`FAST_DELIVERED`)."""
    code: StepCode | None = None
    """Its step as lines written into the block (:mod:`flowrt.step_code`), in place of a
    call of ``fast``; it stands aside while metrics arm the node (its process cell holds
    another function than the process it held when the run was compiled)."""


def fast_cell(node: Any) -> list[Fast] | None:
    """The cell of a node's fast step: at first a function asking the node for it (once; a
    node whose config has none gets one that always declines), None when its type has none."""
    make = getattr(type(node), FAST_METHOD, None)
    if make is None:
        return None
    cell: list[Fast] = []

    def first(msg: Message) -> Output:
        try:
            made = make(node)
        except Exception:  # a step that cannot be made is none: process does it all
            log.exception("%s: no fast step", getattr(node, "id", node))
            made = None
        cell[0] = made if made is not None else declined
        return cell[0](msg)

    cell.append(first)
    return cell


def fast_delivered(node: Any) -> bool:
    """Whether the fast step of ``node``'s type needs the node's delivery (see the module docs)."""
    return bool(getattr(type(node), FAST_DELIVERED, False))


def declined(msg: Message) -> Output:
    """The fast step of a node that has none."""
    return NotImplemented  # type: ignore[no-any-return]


def compiled(blocks: Sequence[Block], end: Input | None, fail: Fail, checked: bool,
             generic: Input, armed: list[int]) -> Input:
    """The input running ``blocks`` in turn then ``end`` (None: the last block is the run's
    last node), or ``generic`` for a message that is not exactly a dict; ``armed[0]``: how
    many of the nodes metrics armed (see the module docs)."""
    shape = (tuple((b.fast is not None, b.ports, b.last, b.delivered,
                    None if b.code is None else (b.code.lines, len(b.code.values),
                                                 b.code.ports, b.code.declines))
                   for b in blocks),
             end is not None, checked)
    counted = [0] * (1 + 2 * len(blocks))
    values: list[Any] = [fail, end, generic, TRACE_KEY, _one, counted, on_port, armed]
    for b in blocks:
        values += [b.ctx, b.process, b.fast, b.node_id, b.own, b.process[-1]]
        values += b.code.values if b.code is not None else ()
    made: Input = _factory(shape)(*values)
    flush = flusher(counted, [(b.counts, b.last) for b in blocks])
    made.flush_counts = flush  # type: ignore[attr-defined]
    RUNS.add(made)
    weakref.finalize(made, flush)  # a run no longer wired keeps none of its counts
    return made


Inlined = tuple[tuple[str, ...], int, int, bool] | None
"""A block's step lines, how many values they take, whether they may name a port (the
node's count of ports, else 0) and whether they may decline, or None."""
Shape = tuple[tuple[tuple[bool, tuple[bool, ...] | None, bool, bool, Inlined], ...], bool, bool]


@lru_cache(maxsize=256)
def _factory(shape: Shape) -> Callable[..., Input]:
    """The maker of a shape's runs: given the values of :func:`_names`, in order, the run's
    ``fused`` function, its code compiled once for the shape. The values are the globals of
    the run's own namespace, not a closure's cells: a call of a function with free variables
    copies every cell into its frame and releases each as it returns (about 45 in chain5's run,
    some 500 machine instructions a message), a global is read where it is used."""
    names = _names(shape)
    code = compile(_source(shape), f"<fused run {len(shape[0])}>", "exec")

    def make(*values: Any) -> Input:
        namespace: dict[str, Any] = dict(zip(names, values, strict=True))
        exec(code, namespace)
        fused: Input = namespace["fused"]
        return fused

    return make


def _names(shape: Shape) -> list[str]:
    """The names a run's code reads its values by, in the order :func:`compiled` gives them."""
    names = ["fail", "end", "generic", "TRACE_KEY", "one", "r", "on_port", "armed"]
    for k, node in enumerate(shape[0]):
        names += [f"c{k}", f"p{k}", f"f{k}", f"n{k}", f"o{k}", f"q{k}"]
        names += [f"v{k}_{i}" for i in range(node[4][1] if node[4] is not None else 0)]
    return names


def _source(shape: Shape) -> str:
    nodes, ends, checked = shape
    lines: list[str] = []
    for name, armable in (("tested", True), ("fused", False)):
        lines += [f"def {name}(msg, d):",
                  "    if type(msg) is not dict:" if armable else
                  "    if type(msg) is not dict or armed[0]:",
                  "        return generic(msg, d)" if armable else
                  "        return tested(msg, d)",
                  "    r[0] += 1"]
        for k, (fast, ports, last, delivered, inlined) in enumerate(nodes):
            lines += _block(k, fast, ports, last, checked, delivered, inlined, armable)
        if ends:
            lines.append("    end(msg, d)")
    return "\n".join([*lines, ""])


def _block(k: int, fast: bool, ports: tuple[bool, ...] | None, last: bool, checked: bool,
           delivered: bool = False, inlined: Inlined = None, armable: bool = True) -> list[str]:
    """Node ``k``'s statements, at the function body's indentation (``armable``: testing
    whether metrics armed the node, see the module docs)."""
    call = f"p{k}[0]" if armable else f"q{k}"
    out: list[str] = []
    left, stop = f"r[{1 + 2 * k}] += 1", f"r[{2 + 2 * k}] += 1"
    failed = ["except Exception as exc:", f"    {stop}", f"    fail(n{k}, msg, d, exc)",
              "    return"]
    if checked:
        out += ["if TRACE_KEY in msg:", f"    {left}", f"    o{k}(msg, d)", "    return"]
    ported = ["port = 0"] if inlined is not None and inlined[2] else []
    if inlined is not None:  # the lines, while metrics have not armed the node
        step = StepCode(inlined[0], ()).written([f"v{k}_{i}" for i in range(inlined[1])])
        take = [*ported, *step] if not armable else [
            *ported, f"if p{k}[0] is q{k}:", *("    " + line for line in step), "else:",
            f"    out = {f'p{k}[0](msg)' if delivered else 'NotImplemented'}"]
    else:
        take = [f"out = f{k}[0](msg)" if fast else f"out = {call}(msg)"]
    if delivered or not (fast or inlined is not None):
        # under the node's delivery: its process, or its step, which may need it
        declined = ([f"    out = {call}(msg)"]
                    if fast or (inlined is not None and inlined[3]) else [])
        out += [f"prev = c{k}.delivery",
                f"c{k}.delivery = d",
                "try:",
                *("    " + line for line in take),
                *(["    if out is NotImplemented:", *("    " + line for line in ported),
                   *("    " + line for line in declined)] if declined else []),
                "except Exception as exc:",
                f"    c{k}.delivery = prev",
                *failed[1:],
                f"c{k}.delivery = prev"]
    else:  # a step needing no delivery; declined, the process under the node's delivery
        process = [*ported,
                   f"prev = c{k}.delivery",
                   f"c{k}.delivery = d",
                   "try:",
                   f"    out = {call}(msg)",
                   "finally:",
                   f"    c{k}.delivery = prev"]
        if last or ports is not None or ported:
            out += ["try:", *("    " + line for line in take),
                    "    if out is NotImplemented:", *("        " + line for line in process),
                    *failed]
        else:  # the commonest output, the message itself, passes one test
            out += ["try:", *("    " + line for line in take), *failed,
                    "if out is not msg:",
                    "    if out is NotImplemented:",
                    "        try:", *("            " + line for line in process),
                    *("        " + line for line in failed),
                    *("    " + line for line in _other(k, stop))]
            return ["    " + line for line in out]
    if inlined is not None and inlined[2]:
        if ports is not None and not last:
            return ["    " + line for line in out + _ported(k, ports, stop)]
        out += ["if port and out is msg:",  # the list it stands for, to the node's emit
                f"    out = on_port(msg, port, {inlined[2]})"]
    if last:
        out += ["if out is not None:", f"    c{k}.emit(out, d)", "return"]
    elif ports is None:  # the commonest output, the message itself, passes one test
        out += ["if out is not msg:", *("    " + line for line in _other(k, stop))]
    else:
        out += _one_of_ports(k, ports, stop)
    return ["    " + line for line in out]


def _other(k: int, stop: str) -> list[str]:
    """A one-port node's output that is not the message itself: another message goes on, any
    other output by the node's emit."""
    return ["if type(out) is not dict:",
            f"    {stop}",
            "    if out is not None:",
            f"        c{k}.emit(out, d)",
            "    return",
            "msg = out"]


def _ported(k: int, ports: tuple[bool, ...], stop: str) -> list[str]:
    """The output of lines that may name a port (:attr:`StepCode.ports`): the message itself
    on ``port`` (0 when they named none: a message is port 0's) goes on when that port leads
    on, else by the node's emit, as the list it stands for; any other by
    :func:`_one_of_ports`."""
    out = ["if out is not msg:", *("    " + line for line in _one_of_ports(k, ports, stop))]
    leading = tuple(i for i, on in enumerate(ports) if on)
    if len(leading) < len(ports):
        out += [f"elif port not in {leading!r}:",
                f"    {stop}",
                f"    c{k}.emit(on_port(msg, port, {len(ports)}), d)",
                "    return"]
    return out


def on_port(msg: Message, port: int, count: int) -> list[Message | None]:
    """``msg`` on ``port`` of ``count`` ports, as a list output."""
    out: list[Message | None] = [None] * count
    out[port] = msg
    return out


def _one_of_ports(k: int, ports: tuple[bool, ...], stop: str) -> list[str]:
    """A switch-like node's output: its one message on a port leading on, else its emit
    (``stop``: the statement counting a message that stops in the node)."""
    out = ["if type(out) is not dict:",
           f"    if type(out) is not list or len(out) != {len(ports)}:",
           f"        {stop}",
           "        if out is not None:",
           f"            c{k}.emit(out, d)",
           "        return"]
    if ports == (True, True):
        out += ["    a, b = out",
                "    if b is None and type(a) is dict:",
                "        out = a",
                "    elif a is None and type(b) is dict:",
                "        out = b",
                "    else:",
                f"        {stop}",
                f"        c{k}.emit(out, d)",
                "        return"]
    else:
        wired = "(" + "".join(f"{bool(p)}, " for p in ports) + ")"
        out += [f"    sent = one(out, {wired})",
                "    if sent is None:",
                f"        {stop}",
                f"        c{k}.emit(out, d)",
                "        return",
                "    out = sent"]
    if not ports[0]:  # a single message goes to port 0, which leads elsewhere (nowhere)
        out += ["else:", f"    {stop}", f"    c{k}.emit(out, d)", "    return"]
    return out + ["msg = out"]


def _one(output: list[Any], wired: tuple[bool, ...]) -> Message | None:
    """The one message of a list output (one entry per port), when every other entry is None
    and its port leads on; else None (the output goes out by the node's emit)."""
    found: Message | None = None
    for port, item in enumerate(output):
        if item is None:
            continue
        if found is not None or type(item) is not dict or not wired[port]:
            return None
        found = item
    return found
