"""flow-test: send a test message into a flow and check what comes back, as
node-red-contrib-prib-functions' ``test`` node."""

from __future__ import annotations

from typing import Any

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    Output,
    Transform,
    Value,
    clone,
    compile_expression,
    compile_value,
    field,
    parse_path,
)

from .flow_test_compare import check_equal, js_type

_ESCAPES = [(r"\n", "\n"), (r"\'", "'"), (r"\"", '"'), (r"\&", "&"), (r"\r", "\r"),
            (r"\t", "\t"), (r"\b", "\b"), (r"\f", "\f")]


def unescape(text: str) -> str:
    """The contrib's ``escapeSpecialChars``: ``\\n``, ``\\t``... written out become the
    characters."""
    for written, char in _ESCAPES:
        text = text.replace(written, char)
    return text


class FlowTest(Transform):
    """Send a test message into a flow, and check the message that comes back.

    ### Inputs

    A message without `_test` (an inject) starts a test: it leaves on output 1 with
    `payload` and `topic` set and `_test: {id, result}` (this node's id, the expected
    value). Wire the flow under test back into this node: a message with `_test` is
    checked.

    ### Outputs

    1. the test message, into the flow under test;
    2. a failed test: the message with `_test.error` (`Test failed`, or why the check could
       not run), `_test.testedValue` and `_test.errorDetails` (`equal object test failure
       different data types, number vs string`...);
    3. a passed test: the message, `_test` removed.

    ### Details

    The value at `property` (the whole message when none) is compared with `expected` as
    the contrib does: JavaScript's loose `==` first (`"1"` equals `1`), then numbers within
    `error_factor` (the relative difference `|expected - value| / expected` must be below
    it), then objects and arrays key by key. With `condition` (a JSONata expression over the
    value, `$boolean(...)`) the test passes when it is true. `unescape` turns `\\n`, `\\t`...
    written in a text `payload` and `expected` into the characters. Two quirks are kept: a
    boolean that differs fails twice (two messages on output 2), and a negative expected
    number passes any value under `error_factor`.

    ```yaml
    start: {type: inject, to: case}
    case: {type: flow-test, payload: {type: json, value: "[1, 2, 3]"}, expected: 6,
           property: result, to: {0: total, 1: failed, 2: passed}}
    total: {type: data-analysis, action: sum, to: case}
    failed: {type: debug}
    passed: {type: debug}
    ```
    """

    type = "flow-test"
    outputs = 3
    icon = "check"

    evaluates = {"jsonata": ("payload", "expected")}

    class Config(NodeConfig):
        payload: Value = field("", description="The test message's payload.",
                               examples=[{"type": "json", "value": "[1, 2, 3]"}])
        expected: Value = field(None, description="The value the tested property must have "
                                "when the message comes back.", examples=[6])
        condition: str | None = field(
            None, description="A JSONata expression over the tested value that must be "
            "true (instead of `expected`).", examples=["$boolean(payload.count = 2)"])
        property: str | None = field(
            "payload", description="The property tested when the message comes back; none: "
            "the whole message.", examples=["payload.result"])
        error_factor: float | None = field(
            None, description="Numbers pass within this relative difference from the "
            "expected one; none: only equal numbers.", examples=[0.001])
        unescape: bool = field(False, description="Turn `\\n`, `\\t`... written in a text "
                               "payload and expected value into the characters.")
        topic: str = field("", description="The test message's topic.")

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config = self.config
        if config.property is not None:
            parse_path(config.property)
        self.payload = compile_value(config.payload, self.ctx)
        self.expected = compile_value(config.expected, self.ctx)
        self.condition = None
        self.setup_error = ""
        if config.condition is not None:
            try:
                self.condition = compile_expression(config.condition, self.ctx)
            except Exception as exc:  # noqa: BLE001 - the contrib's node runs on, failing checks
                self.setup_error = f"Invalid setup {exc}"
                self.ctx.status("red", "ring", self.setup_error[:60])
        self.texts = config.unescape

    def process(self, msg: Message) -> Output:
        if msg.get("_test"):
            return self._check(msg)
        expected = self.expected(msg)
        if self.texts and isinstance(expected, str):
            expected = unescape(expected)
        msg["_test"] = {"id": self.ctx.node_id, "result": expected}
        msg["topic"] = self.config.topic
        payload = self.payload(msg)
        if self.texts and isinstance(payload, str):
            payload = unescape(payload)
        msg["payload"] = None if payload is MISSING else payload
        self.ctx.status("yellow", "ring", "waiting on response")
        return msg

    def _tested(self, msg: Message) -> Any:
        """The tested value; a property under a missing one fails as JavaScript does."""
        if self.config.property is None:
            return msg
        value: Any = msg
        keys = parse_path(self.config.property)
        for key in keys:
            if value is None or value is MISSING:
                what = "null" if value is None else "undefined"
                raise LookupError(f"Cannot read properties of {what} (reading '{key}')")
            if isinstance(value, dict):
                value = value.get(key, MISSING)
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                value = value[key]
            else:
                value = MISSING
        if self.texts and isinstance(self.config.expected, str):
            if value not in (None, MISSING, "", 0, False) and not isinstance(value, str):
                raise LookupError(
                    f"escapeSpecialChars expecting string found {js_type(value)}")
            value = unescape(value) if isinstance(value, str) else value
        return value

    def _check(self, msg: Message) -> Output:
        test = msg["_test"]
        if self.setup_error:
            return self._error(msg, f"Test failed on get data {self.setup_error}")
        try:
            tested = self._tested(msg)
        except LookupError as exc:
            return self._error(msg, f"Test failed on get data {exc}")
        if not isinstance(test, dict) or test.get("id") != self.ctx.node_id:
            sender = test.get("id") if isinstance(test, dict) else test
            return self._error(msg, f"Sent by another test {sender}")
        if self.condition is not None:
            try:
                verdict = self.condition(tested, None)
            except Exception as exc:  # noqa: BLE001 - the contrib fails the test with it
                return self._failed(msg, tested, [str(exc)])
            if verdict is True:
                return self._passed(msg)
            reasons = ["no data, expecting boolean"] if verdict is None else []
            return self._failed(msg, tested, [*reasons, "jsonata not true"])
        reasons = check_equal(tested, test.get("result", MISSING), self.config.error_factor)
        if not reasons:
            return self._passed(msg)
        return self._failed(msg, tested, [f"equal object test failure {r}" for r in reasons])

    def _passed(self, msg: Message) -> Output:
        self.ctx.status("green", "ring", "Success")
        del msg["_test"]
        return [None, None, msg]

    def _failed(self, msg: Message, tested: Any, reasons: list[str]) -> Output:
        test = msg["_test"]
        test["testedValue"] = (
            {k: v for k, v in tested.items() if k != "_test"} if tested is msg else tested)
        test["errorDetails"] = reasons[-1]  # the contrib sends one object: its last state
        return self._error(msg, "Test failed", len(reasons))

    def _error(self, msg: Message, error: str, times: int = 1) -> Output:
        if isinstance(msg.get("_test"), dict):
            msg["_test"]["error"] = error
        self.ctx.error(error)
        self.ctx.status("red", "ring", "error")
        return [None, [msg, *(clone(msg) for _ in range(times - 1))] if times > 1 else msg,
                None]

