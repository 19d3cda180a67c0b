"""Fused runs: a linear run of synchronous nodes made one loop of calls.

Hop by hop (:mod:`flowrt.run.dispatch`), a message costs each node its input closure (the
count, the delivery it runs under, the failure handling) and its output's (the type test, the
count out, the call of the next input). A *run* is a chain ``n0 -> n1 -> ... -> nk`` where each
link ``ni -> ni+1`` holds:

- ``ni`` is synchronous (it has a ``process`` and no queue), no complete node watches it, and
  it is traced only by the path recorder (a light trace) if at all;
- each wired port of ``ni`` is wired to one target, the same ``ni+1`` (one port, or a switch
  whose ports all lead there), which no other wire reaches;
- nothing is tapped (tests' taps see each hop).

Each node ``ni`` of a run but the last gets, in place of the input
:func:`~flowrt.run.dispatch.make_input` made it (its *own* input), a loop over the run from
``ni`` on: so a message that leaves the loop, or a node's ``send``, reaches the rest of the run
fused too. The loop calls each node's ``process`` in turn and does for it what the node's own
input and output would: count the message in and, when it sends one dict on, out; set
``ctx.delivery`` while it runs (and put back the one before); on an exception, fail the message
in that node, with that node's id and the message it was given (catch nodes and the log see
what they see hop by hop). The last node sends what it returns by its own emit; a last node
that may not be in a loop (queued, watched, a sink: its input counts what it wrote) is handed
the message by its own input. A loop leaves where hop by hop would do something else:

- a node returns anything but one dict (None, a list, a message per port): its output goes
  out by the node's own emit, as hop by hop, reaching the next node's input; but for a node
  of several ports, a list with one message on a port leading on and None on the others is
  that message going on (a switch's routing; two messages still go out by its emit, the first
  lent and the second given, as hop by hop, and a single message on port 0 when port 0 leads
  nowhere too);
- a message carrying a trace (``TRACE_KEY``) reaches a node: that node's own input takes it
  (the traced one, :func:`~flowrt.run.dispatch._traced_or_plain`).

The given/lent rule is kept: a given message is given on (one target: the last delivery,
given). A reader's lent input is a loop lending along the readers at the start of the run, as
their lent inputs would, that copies the message where it first reaches a node that may change
it (``_copying`` of dispatch), which gets the copy given.

The given loops are compiled to straight-line code, with each node's fast step where its type
offers one, counting each message once for the run, its nodes' counts made from that when read
(:mod:`flowrt.run.fuse_code`); the loop described here (:func:`_loop`) takes the
messages that are not exactly a dict, and the lent ones. Metrics time the one message after
each arming: each node's step holds its process in a list its armer changes to a timed one
(and its fast step to one declining), which changes it back when it ran (or not: every message
timed); a compiled loop tests for that only while one of its nodes is armed. The nodes' own
inputs stay as they were, for the messages that leave a run and for a hot swap, which parks
messages hop by hop while nodes change (:func:`unfused`).
"""

from __future__ import annotations

from collections.abc import Mapping
from time import perf_counter
from typing import TYPE_CHECKING

from flowrt.message import clone
from flowrt.run.fuse_code import Block, Fast, compiled, declined, fast_cell, fast_delivered
from flowrt.run.tracing import TRACE_KEY
from flowrt.step_code import StepCode, code_of

if TYPE_CHECKING:
    from flowrt.run.context import NodeContext
    from flowrt.run.delivery import Delivery
    from flowrt.run.dispatch import Inputs, Process, Station, Wiring
    from flowrt.run.ports import Fail, Input
    from flowrt.types import Message, Output

Step = tuple[list[int], "NodeContext", list["Process"], str, "Input", bool]
"""One node of a run's loop: (its counts, its context, [its process, its process], its id, its
own input, whether it is the run's last). The first process is in a list that arming changes
(:func:`_step`); the second is never changed,
shared by every loop the node is in. The last node sends by its emit whatever it returns."""

Ports = tuple[bool, ...] | None
"""A node of several ports in a run: for each, whether it leads to the next node (one port:
None)."""
Link = tuple[str, Ports]
"""The next node of a node's run, and its ports (:data:`Ports`)."""

LONGEST = 32
"""Nodes in one loop at most: a longer run is loops each handing on to the next (each node of a
run has a loop from it to the end, this bounds their size)."""


def fuse_runs(stations: Mapping[str, Station], wiring: Wiring, inputs: Inputs) -> None:
    """Put in ``inputs`` a fused input for each node of each run of ``stations`` but its last
    (given, and lent for the first node when it is a reader), keeping the inputs it replaces
    in ``inputs.unfused``."""
    inputs.unfused.clear()
    if wiring.tap is not None or wiring.tap_in is not None:
        return
    links = _links(stations, wiring)
    targets = {target for target, _ in links.values()}
    for head in links:
        if head in targets:
            continue
        run = [head]
        while run[-1] in links and links[run[-1]][0] not in run:
            run.append(links[run[-1]][0])
        ports = [links[n][1] for n in run[:-1]] + [None]  # the last one sends by its emit
        given = _given_runs(run, ports, stations, wiring, inputs)
        lent = (_lent_run(run, ports, given, stations, wiring, inputs)
                if head in inputs.lent else None)
        for node_id, fused in zip(run[:-1], given, strict=True):
            inputs.unfused[node_id] = (inputs.given[node_id], inputs.lent.get(node_id))
            inputs.given[node_id] = fused
        if lent is not None:
            inputs.lent[head] = lent


def unfused(inputs: Inputs) -> tuple[dict[str, Input], dict[str, Input]]:
    """Every node's own inputs (given, lent), as they were before runs were fused."""
    given = dict(inputs.given)
    lent = dict(inputs.lent)
    for node_id, (own_given, own_lent) in inputs.unfused.items():
        given[node_id] = own_given
        if own_lent is not None:
            lent[node_id] = own_lent
    return given, lent


def _links(stations: Mapping[str, Station], wiring: Wiring) -> dict[str, Link]:
    """Node -> the next node of its run and, for a node of several ports, which of them lead
    there (see the module docs)."""
    wired_to: dict[str, int] = {}
    for st in stations.values():
        for port in st.planned.wires:
            for target in port:
                wired_to[target] = wired_to.get(target, 0) + 1
    nexts: dict[str, Link] = {}
    for node_id, st in stations.items():
        wires = st.planned.wires
        if not _loops(st, wiring):
            continue
        targets = {t for port in wires for t in port}
        if len(targets) != 1 or any(len(port) > 1 for port in wires):
            continue
        (target,) = targets
        ports = tuple(bool(port) for port in wires)
        if target in stations and wired_to[target] == sum(ports) and target != node_id:
            nexts[node_id] = (target, None if len(wires) == 1 else ports)
    return nexts


def _loops(st: Station, wiring: Wiring) -> bool:
    """True when ``st`` may be a node of a run's loop (not only its last node)."""
    return (st.queue is None and callable(getattr(st.node, "process", None))
            and st.planned.id not in wiring.watched
            and st.planned.spec.category != "sink"  # its input counts what it wrote
            and (st.trace is None or st.trace.light))


def _given_runs(run: list[str], ports: list[Ports], stations: Mapping[str, Station],
                wiring: Wiring, inputs: Inputs) -> list[Input]:
    """For each node of the run but the last, the input of a message given to it: a loop over
    the nodes from it on (:data:`LONGEST` at most), ending in the next loop or the last node's
    own input; compiled (:mod:`flowrt.run.fuse_code`), with the generic loop for the messages
    it does not take."""
    codes = [_leading(code_of(stations[n].node), port) for n, port in zip(run, ports, strict=True)]
    fasts = [None if code is not None else fast_cell(stations[n].node)
             for n, code in zip(run, codes, strict=True)]
    counted: list[list[list[int]]] = [[] for _ in run]  # node -> its loops' armed counts
    steps = _steps(run, ports, stations, wiring, inputs.given, fasts, counted)
    armed: list[list[int]] = []  # each loop's nodes that metrics armed (every message: now)
    for i in range(len(run) - 1):
        nodes = range(i, min(i + LONGEST, len(steps)))
        armed.append([sum(steps[k][2][0] is not steps[k][2][-1] for k in nodes)])
        for k in nodes:
            counted[k].append(armed[i])
    checked = _checked(run, stations)
    blocks = [Block(step[0], step[1], step[2], step[3], step[4],
                    None if code is not None else fast, port, step[5] and port is None,
                    fast_delivered(stations[n].node), code)
              for step, port, fast, n, code in zip(steps, ports, fasts, run, codes, strict=False)]
    fused: list[Input] = [inputs.given[run[-1]]] * (len(run) + 1)  # then ends in its own
    for i in reversed(range(len(run) - 1)):
        j = min(i + LONGEST, len(steps))
        generic = _loop(steps[i:j], fused[j], wiring.fail, lent=False, checked=checked)
        ends = None if blocks[j - 1].last else fused[j]
        fused[i] = compiled(blocks[i:j], ends, wiring.fail, checked, generic, armed[i])
    return fused[:len(run) - 1]


def _leading(code: StepCode | None, port: Ports) -> StepCode | None:
    """A node's step code for its place in a run: the lines for a run in which every one of
    its ports leads to the next node when they do (:meth:`StepCode.leading_on`)."""
    return code.leading_on() if code is not None and port and all(port) else code


def _lent_run(run: list[str], ports: list[Ports], given: list[Input],
              stations: Mapping[str, Station], wiring: Wiring, inputs: Inputs) -> Input:
    """The input of a message lent to the run's first node (a reader): lent along the run's
    first readers (:data:`LONGEST` at most), copied at the first node that is not one, which
    gets the rest given (``given``: the run's given inputs)."""
    readers = 1
    while readers < len(run) and run[readers] in inputs.lent:
        readers += 1
    loop = run[:min(readers, LONGEST)]
    checked = _checked(run, stations)
    if len(loop) == len(run):  # all readers: the last one is lent the message too
        steps = _steps(run, ports, stations, wiring, inputs.lent)
        return _loop(steps, inputs.lent[run[-1]], wiring.fail, lent=True, checked=checked)
    steps = _steps(loop, ports, stations, wiring, inputs.lent, ends=False)
    after = run[len(loop)]
    if after in inputs.lent:  # a reader still: lent on, by its own input
        return _loop(steps, inputs.lent[after], wiring.fail, lent=True, checked=checked)
    rest = given[len(loop)] if len(loop) < len(given) else inputs.given[after]

    def copying(msg: Message, d: Delivery) -> None:
        rest(clone(msg), d)

    return _loop(steps, copying, wiring.fail, lent=True, checked=checked)


def _checked(run: list[str], stations: Mapping[str, Station]) -> bool:
    """Whether the run's messages are looked at for a trace (the path recorder is on)."""
    return any(stations[n].trace is not None for n in run)


def _steps(run: list[str], ports: list[Ports], stations: Mapping[str, Station], wiring: Wiring,
           own: Mapping[str, Input], fasts: list[list[Fast] | None] | None = None,
           counted: list[list[list[int]]] | None = None, ends: bool = True) -> list[Step]:
    """The steps of the run's nodes, the last one's only when it can be one (``ends``: the run
    ends with it, else its nodes all pass their message on). A node whose single message goes
    out on port 0 which does not lead on (a switch) sends each output by its emit, as the
    last does."""
    last = run[-1]
    if ends and not _loops(stations[last], wiring):
        run = run[:-1]
    fasts = fasts or [None] * len(run)
    counted = counted or [[] for _ in run]
    return [_step(stations[n], own[n], (ends and n == last) or (p is not None and not p[0]),
                  fast, armed)
            for n, p, fast, armed in zip(run, ports, fasts, counted, strict=False)]


def _step(st: Station, own: Input, last: bool, fast: list[Fast] | None,
          armed: list[list[int]]) -> Step:
    """A node's step in the loops, with an armer for metrics in its station's ``armers``: it
    times its process for the next message after each arming (each message, with
    ``st.always``), as :func:`~flowrt.run.dispatch.make_input` does a node's input. Armed, a
    node's ``fast`` step (its cell) declines, so that the compiled code runs (and times) its
    process, and it counts in ``armed`` (the counts of the compiled loops it is in, which take
    the code testing each node while one is armed); timed, the step is put back."""
    process: Process = st.node.process  # type: ignore[attr-defined]
    cell = [process, process]  # the second stays: what an inlined step compares the first with
    if st.timing is not None and st.armers is not None:
        observe, always = st.timing.observe, st.always

        held: list[Fast] = []  # the fast step while armed

        def timed(msg: Message) -> Output:
            if not always:
                cell[0] = process
                for count in armed:
                    count[0] -= 1
                if held:
                    fast[0] = held.pop()  # type: ignore[index]
            start = perf_counter()
            out = process(msg)
            observe(perf_counter() - start)
            return out

        def arm() -> None:
            if cell[0] is not timed:
                cell[0] = timed
                for count in armed:
                    count[0] += 1
                if fast is not None:
                    held.append(fast[0])
                    fast[0] = declined

        st.armers.append(arm)
        if always:
            arm()
    return st.counts, st.ctx, cell, st.planned.id, own, last


def _loop(steps: list[Step], end: Input, fail: Fail, lent: bool, checked: bool) -> Input:
    """One function calling each step's process in turn (see the module docs), then ``end``
    with the last message. ``lent``: the steps' messages are lent; ``checked``: a message
    carrying a trace leaves the loop for the node's own input."""

    def fused(msg: Message, d: Delivery) -> None:
        for stats, ctx, cell, node_id, own, last in steps:
            if checked and TRACE_KEY in msg:
                own(msg, d)
                return
            stats[0] += 1
            prev = ctx.delivery
            ctx.delivery = d
            try:
                out = cell[0](msg)
            except Exception as exc:
                ctx.delivery = prev
                fail(node_id, msg, d, exc)
                return
            ctx.delivery = prev
            if last or type(out) is not dict:
                if out is not None:
                    (ctx.emit_lent if lent else ctx.emit)(out, d)
                return
            stats[1] += 1
            msg = out
        end(msg, d)

    return fused
