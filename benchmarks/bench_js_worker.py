"""What the function node's worker process costs a message: QuickJS in the server process
against the same context in the node's worker, one round trip a message and pipelined.

    python benchmarks/bench_js_worker.py            # 8 rounds of 5,000 messages each way
    python benchmarks/bench_js_worker.py --rounds 3 --n 2000

Each round runs chain5's function step (``msg.payload.y = msg.payload.v * 2; return msg;``)
on a small message ``n`` times through :class:`flowrt_nodes.function.js_engine.JsEngine` called
directly (inside the server, the default under ``--scripts allow``), then ``n`` times through
:class:`flowrt_nodes.function.js_process.JsProcess` (the default under ``sandboxed``) waiting for
each reply before the next request (``worker``: one round trip a message), then ``n`` times
as the node sends them, without waiting, the replies taken as they come (``pipelined``),
alternating so that noise on this shared machine hits all three. It prints the microseconds
per message of each round (wall clock) and the medians, and the server's CPU time a message
when pipelined. The whole-flow figures are in bench_function.py.

Figures after pipelining (commit 883c459; load average 10 to 11.5 on 2 cores from other work,
so the wall clock mostly measures waiting for a core; the default run):

    inline     us/msg  median 83.1   best 73.4
    worker     us/msg  median 1032.7 best 815.3   (one round trip a message)
    pipelined  us/msg  median 86.7   best 38.3    server CPU 9.1 us a message

A round trip a message pays two wake-ups, each waiting for a core; pipelined, the messages cost
the worker's time in parallel with the server's and the server's CPU time.

The figures below are from before pipelining, when the node ran one round trip a message.

Figures (2 cores shared with other work, load average 2 to 2.5, Python 3.11.7, quickjs-ng
0.17.0.2; the default run, twice):

    inline  us/msg  median 13.9  best 12.4        median 20.5  best 12
    worker  us/msg  median 51.7  best 48.0        median 51.4  best 38
    worker/inline   3.7x: 38 us more              2.5x: 31 us more

A profile of the server's side shows where the time goes: of about 80 us a message under the
profiler, 55 us waiting in ``poll`` for the reply and 23 us in the ``write`` that wakes the
worker; the Python of both sides is under 10 us.

The engine itself, QuickJS-ng (quickjs-ng 0.17.0.2) against QuickJS 2021 (quickjs 1.19.4), each
in a venv of its own, inside one process: a call that parses chain5's message, changes it and
stringifies it, 16 us against 23 us; a tight arithmetic loop of 2e7 turns, 3.5 s against 1.6 to
2.4 s.

The difference is one round trip over two pipes (about 4 us between two Python processes on an
idle machine, measured with a bare ping-pong) plus framing and Python on both sides; on a loaded
machine each wake-up of the other process can wait for a core.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowrt_nodes.function.js_engine import JsEngine  # noqa: E402
from flowrt_nodes.function.js_process import JsProcess  # noqa: E402
from flowrt_nodes.function.js_values import to_json  # noqa: E402

CODE = {"body": "msg.payload.y = msg.payload.v * 2;\nreturn msg;", "initialize": "",
        "finalize": ""}
SETTINGS: dict[str, Any] = {"id": "fn", "name": "", "outputs": 1, "code": CODE, "timeout": 0,
                            "memory_limit": 64, "env": "{}"}
MSG = {"payload": {"v": 0.6180339887, "i": 4242, "x": 1}, "_msgid": "4f2a9c1e00000001"}


def _nothing(value: Any) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    engine = JsEngine(SETTINGS, get=lambda s, k: "", keys=lambda s: "[]")
    worker = JsProcess(SETTINGS, timeout=0, get=lambda s, k: "", keys=lambda s: "[]",
                       spawn=lambda coro: coro.close(), on_lost=_nothing)
    worker.start()
    while worker.busy:  # its opening
        worker.request(b"C", lambda: to_json(MSG) + "\0", _nothing, wait=5.0)
    inline: list[float] = []
    process: list[float] = []
    pipelined: list[float] = []
    pipelined_cpu: list[float] = []
    replies: list[Any] = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        for _ in range(args.n):
            engine.enter("call", to_json(MSG), None)
        inline.append((time.perf_counter() - started) / args.n * 1e6)
        started = time.perf_counter()
        for _ in range(args.n):
            reply = worker.request(b"C", lambda: to_json(MSG) + "\0", _nothing, wait=5.0)
            if reply is None or reply[0] != "R":
                raise SystemExit(f"the worker failed: {reply}")
        process.append((time.perf_counter() - started) / args.n * 1e6)
        replies.clear()
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            worker.request(b"C", lambda: to_json(MSG) + "\0", replies.append, wait=0)
        worker._wait(lambda: worker.busy, 60.0)
        if len(replies) != args.n or any(reply[0] != "R" for reply in replies):
            raise SystemExit(f"the worker failed: {replies[:1]}")
        pipelined.append((time.perf_counter() - started) / args.n * 1e6)
        pipelined_cpu.append((time.process_time() - cpu) / args.n * 1e6)
    worker.close()
    for name, values in (("inline", inline), ("worker", process), ("pipelined", pipelined)):
        print(f"{name:10} us/msg  {' '.join(f'{v:5.1f}' for v in values)}   "
              f"median {statistics.median(values):.1f}  best {min(values):.1f}")
    print(f"pipelined: server CPU {statistics.median(pipelined_cpu):.1f} us a message")
    ratio = statistics.median(process) / statistics.median(inline)
    print(f"worker/inline   {ratio:.1f}x: "
          f"{statistics.median(process) - statistics.median(inline):.0f} us more per message")


if __name__ == "__main__":
    main()
