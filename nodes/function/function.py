"""function: Node-RED's function node, its JavaScript run as it is (QuickJS)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo, field_validator

from flowrt.api import Message, NodeConfig, Output, Transform, field

from .js_calls import JsCalls
from .js_engine import syntax_error

_FIELD_PARTS = {"func": "body", "initialize": "initialize", "finalize": "finalize"}


class Function(Transform):
    """Run JavaScript on each message: Node-RED's function node, with its code unchanged.

    ### Inputs

    Any message, as the JavaScript object `msg`.

    ### Outputs

    What the code returns, as in Node-RED: a message goes to output 1; an array has one entry
    per output (a message, an array of messages to send in order, or `null`); `null` or
    `undefined` sends nothing. Every message sent keeps the `_msgid` of the message handled.

    ### Details

    `func` is the body of a function of `msg`, run by QuickJS-ng (an ES2023 engine). Under
    `--scripts sandboxed` it runs in a process of the node's own, so a crash of the engine or
    code that will not stop cannot take the server down; under `allow` (whoever deploys may
    run Python anyway) inside the server, with no round trip per message
    (`FLOWRT_JS_ISOLATION=worker` or `inline` chooses). It sees what Node-RED gives it:

    - `node`: `send(msg | array)` (now, or later from a timer or after `await`), `done()`,
      `error(err, msg)` (with `msg`, catch nodes get that message), `warn`, `log`,
      `status({fill, shape, text})`, `on("close", handler)`, `id`, `name`, `outputCount`;
    - `context`, `flow`, `global`: `get(key)`, `set(key, value)`, `keys()`, with property
      paths (`"totals.today"`), arrays of keys and Node-RED's optional callbacks; an object
      from `get` may be changed in place, as with Node-RED's memory store;
    - `env.get(name)`: the node's environment (flow `env`, process environment, `NR_NODE_ID`);
    - `RED.util`: `cloneMessage`, `getMessageProperty`, `setMessageProperty`, `generateId`,
      `ensureString`, `ensureBuffer`, `normalisePropertyExpression`;
    - `setTimeout`, `clearTimeout`, `setInterval`, `clearInterval` on the engine's clock (flow
      tests run them on simulated time); `console.log`/`warn`/`error` go to the node's log;
    - `Buffer` (from, alloc, concat, toString as utf8, hex, base64 or latin1, the read and
      write methods for integers and floats): a Python `bytes` value arrives as a Buffer and
      a Buffer leaves as `bytes`.

    Code that uses `await` (or returns a Promise) is asynchronous: the message stays in flight
    until it settles, while other messages go on. Code that calls `node.done()` finishes its
    message when it calls it, as in Node-RED. `initialize` (*On Start*) runs once before the
    first message, and may be asynchronous: messages wait for it. `finalize` (*On Stop*) runs
    when the flow stops; pending timers are then cancelled.

    An exception fails the message with the error's text, worded as V8 words the common errors,
    and its line in the code (`TypeError: Cannot read properties of undefined (reading 'x')
    (line 3)`), and catch nodes get it; QuickJS gives no line for an error inside a function
    written on one line.

    Limits: `timeout` is the CPU time one run may take, counting the promise jobs it starts
    (code after `await`), regular expressions, timers' callbacks, On Start and On Stop; code
    that runs longer is stopped and its message fails (`function ran longer than its timeout
    of 5 s`), and the flow goes on. Code that uses the whole limit only holds up its own
    node's messages: one that takes more than 50 ms is finished asynchronously. In a worker
    process, the messages of code that does not name `context`, `flow` or `global` are sent
    ahead (up to 256 of them or 1 MB) and each is finished when its answer comes back, in
    order and always asynchronously; code that reads context runs one message at a time, so
    it reads context as it was when its message arrived. A worker
    that does not answer within twice the timeout plus 2 s is killed. `memory_limit` stops
    code that allocates too much the same way, and the node's JavaScript context is then made
    afresh (its variables and timers are lost, with a warning). If the worker process dies,
    the message it was running fails, the node's status says `JavaScript restarted` and a new
    worker takes the next message (On Start does not run again). A node may have 1000
    messages in progress, 1000 timers pending and 32 MB of JSON in context; past that the
    message, the timer or the write fails. Under `--scripts sandboxed` the `timeout` must be
    set, and both limits are capped (30 s and 256 MB unless the operator says otherwise).

    A body that only computes on the message and returns it (declarations, assignments to
    variables and message properties, `if`/`else`, `return`, arithmetic, comparisons, `&&`,
    `||`, `??`, `typeof`, `Math.round`/`floor`/`ceil`/`trunc`/`abs`/`min`/`max`: no loops,
    calls or functions), in a node with one output and no On Start code, runs as Python
    compiled from it, with JavaScript's semantics, in the server: a message it cannot handle
    exactly the same way (a string where a number is expected, a property of undefined)
    goes through QuickJS as described here, so the results are the same either way, but for
    one case, where the compiled body does what Node-RED does: an object the message shares
    with context (a change node's set from flow context shares it, as Node-RED's does) is
    changed in place by a compiled write, so the context sees it, as in Node-RED; through
    QuickJS the message is a copy and the context keeps its object as it was.
    `FLOWRT_JS_COMPILE=0` turns that off.

    Messages cross into JavaScript as JSON: datetimes arrive as ISO strings, NaN and the
    infinities stay numbers (nodes that write JSON write them as `null`, as Node-RED does),
    and a large binary payload costs time (its bytes cross as an array of numbers).
    `toLocaleString`, `toLocaleDateString`, `toLocaleTimeString`, `Intl.DateTimeFormat` and
    `Intl.NumberFormat` print as V8 does for the locales en-US (the default), sv-SE and en-CA
    with the common options (the Node-RED import flags code outside that subset). Common
    errors are worded as V8 words them (`Cannot read properties of undefined (reading 'x')`,
    `o.f is not a function`).
    Differences from Node-RED: no `require` or external modules (`libs`), no `util`,
    `process` or `URL`; `node.debug` and `node.trace` print nothing; with a `timeout`,
    context is handed to the code as a copy on each run (the scopes its code names), which
    costs time when the context holds much data; a rejected promise that nothing awaits is
    not reported; a date's `toString()` has no time zone name; other `Intl` services
    (Collator, PluralRules, RelativeTimeFormat...) do not exist; context keeps NaN as `null`.
    """

    type = "function"
    icon = "code"
    evaluates = {"javascript": ("func", "initialize", "finalize")}
    category = "script"
    runs_code = "sandboxed"

    class Config(NodeConfig):
        func: str = field(
            "\nreturn msg;",
            description="The body of a JavaScript function of `msg` (Node-RED's *On Message*).",
            examples=["msg.payload = msg.payload * 2;\nreturn msg;"],
            format="code:javascript",
        )
        outputs: int = field(1, description="Number of output ports.", ge=0, le=100)
        initialize: str = field(
            "",
            description="JavaScript run once when the flow starts (*On Start*); may use await.",
            examples=["flow.set('count', 0);"],
            format="code:javascript",
            advanced=True,
        )
        finalize: str = field(
            "",
            description="JavaScript run once when the flow stops (*On Stop*).",
            format="code:javascript",
            advanced=True,
        )
        timeout: float = field(
            0.0,
            description="Seconds of CPU time one run of the code may take before it is stopped "
            "and its message fails; 0: no limit, as in Node-RED.",
            ge=0,
            allow_inf_nan=False,
        )
        memory_limit: int = field(
            64,
            description="Megabytes of memory the node's JavaScript may use.",
            ge=1,
            le=65536,
            advanced=True,
        )

        @field_validator("func", "initialize", "finalize")
        @classmethod
        def _compiles(cls, value: str, info: ValidationInfo) -> str:
            problem = syntax_error(value, _FIELD_PARTS[str(info.field_name)])
            if problem is not None:
                raise ValueError(problem)
            return value

    config: Config

    @classmethod
    def output_count(cls, config: Any) -> int:
        return int(config.outputs)

    async def start(self) -> None:
        self._calls = JsCalls(self.id, self.ctx, self.config)
        try:
            await self._calls.init()
        except BaseException:
            self._calls.js.close()
            raise

    async def stop(self) -> None:
        calls: JsCalls | None = getattr(self, "_calls", None)
        if calls is not None:  # None: start failed before the worker was made
            await calls.fin()

    def process(self, msg: Message) -> Output:
        return self._calls.call(msg)
