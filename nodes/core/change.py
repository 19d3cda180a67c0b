"""change: set, change, delete or move message properties and context values."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    NodeContext,
    NodeError,
    Output,
    Pattern,
    StepCode,
    Transform,
    TypedValue,
    clone,
    compile_value,
    field,
    lookup,
    parse_path,
    step_function,
)

from .change_rules import ChangeRule
from .js_coercion import to_str
from .targets import compile_target, target_parts

Apply = Callable[[Message], None]
_PLAIN = frozenset((str, int, float, bool))


class Change(Transform):
    """Set, change, delete or move message properties and flow or global context values.

    ### Inputs

    Any message.

    ### Outputs

    The same message, after the rules were applied in order.

    ### Details

    Each rule does one thing to a target: a message property (`payload.x`) or a context key
    (`{type: flow, value: count}`, `{type: global, value: site}`).

    - `set: target` with `to: value`: the value is a literal or a typed value
      (`{type: msg, value: topic}`, `{type: jsonata, value: "payload * 2"}`...). A value read
      from msg or context is shared, not copied, unless `deep_copy: true`. Setting beneath a
      value that is not an object (`payload.x` when payload is text) leaves the message
      unchanged and warns.
    - `change: target` with `from` and `to`: in text, every occurrence of `from` is replaced by
      `to`; a regular expression `from: {type: re, value: "(\\\\d+)C"}` may use `$1`, `$&` in
      `to` (a match that runs longer than 1 s fails the message, naming the pattern). When the
      whole text equals `from`, or a number or boolean equals it, the whole value becomes `to`
      (which keeps its type).
    - `delete: target`.
    - `move: target` with `to: target`.

    ```yaml
    tidy:
      type: change
      rules:
        - set: payload.received
          to: {type: date}
        - change: topic
          from: {type: re, value: "^plant/"}
          to: site/
        - move: payload.temp
          to: payload.celsius
        - delete: payload.raw
    ```

    A JSONata expression that fails sends the message to catch nodes and stops it. A `from`
    read from the message or context that is not text, a number or a boolean is reported
    (catch nodes get it) and that rule does nothing; the other rules still apply and the
    message goes on, as in Node-RED.
    """

    type = "change"
    icon = "edit"
    evaluates = {"jsonata": ("rules[].to",), "regex": ("rules[].from",)}

    class Config(NodeConfig):
        rules: list[ChangeRule] = field(
            description="What to do, in order.",
            examples=[[{"set": "payload", "to": {"type": "msg", "value": "topic"}}]],
            min_length=1,
        )

    async def start(self) -> None:
        self._rules = [_compile(rule, self.ctx) for rule in self.config.rules]
        self._only = self._rules[0] if len(self._rules) == 1 else None

    def fast_code(self) -> StepCode | None:
        """The fast step of one literal set one or two names deep, as lines a fused run writes
        into its code (from the config alone; see :meth:`fast_process`)."""
        sets = self._literal_sets()
        return None if sets is None else _one_set(sets)

    def fast_process(self) -> Callable[[Message], Output] | None:
        """This node's ``process`` when every rule sets a literal text, number or boolean at
        a message property of names (``payload.x``): each rule walks to the object holding
        its property and sets it; the first rule finding no object on its way returns
        NotImplemented having changed nothing (``process`` creates or warns), a later one
        leaves itself and the rest to their general code, as ``process`` would run them. A
        fused run calls it in place of ``process`` (flowrt/run/fuse_code.py)."""
        sets = self._literal_sets()
        return None if sets is None else _fast_sets(sets, self._rules)

    def _literal_sets(self) -> list[tuple[tuple[str, ...], str, Any]] | None:
        """(names to the object, the name set in it, the value) of each rule, when every rule
        sets a literal at a message property of names; else None."""
        sets: list[tuple[tuple[str, ...], str, Any]] = []
        for rule in self.config.rules:
            if rule.action != "set" or type(rule.to) not in _PLAIN:
                return None
            scope, path = target_parts(rule.target)
            keys = parse_path(path)
            if scope != "msg" or not all(type(k) is str for k in keys):
                return None
            sets.append((cast(tuple[str, ...], keys[:-1]), cast(str, keys[-1]), rule.to))
        return sets

    def process(self, msg: Message) -> Output:
        only = self._only
        if only is not None:
            only(msg)
            return msg
        for apply in self._rules:
            apply(msg)
        return msg


def _fast_sets(sets: list[tuple[tuple[str, ...], str, Any]], rules: list[Apply]
               ) -> Callable[[Message], Output]:
    """The fast step of literal sets (see :meth:`Change.fast_process`); ``rules``: the
    general code of each."""
    code = _one_set(sets)
    if code is not None:
        return step_function(code)

    def set_all(msg: Message) -> Output:
        for i, (head, last, value) in enumerate(sets):
            obj: Any = msg
            for key in head:
                obj = obj.get(key)
                if type(obj) is not dict:
                    break
            else:
                obj[last] = value
                continue
            if i == 0:
                return NotImplemented  # type: ignore[no-any-return]
            for apply in rules[i:]:
                apply(msg)
            return msg
        return msg

    return set_all


_SET_TOP = ("msg[{0}] = {1}", "out = msg")
_SET_IN = (*lookup("o", "msg", "{0}"),
           "if type(o) is dict:",
           "    o[{1}] = {2}",
           "    out = msg",
           "else:",
           "    out = NotImplemented")
"""The step of one literal set one or two names deep, as code (:mod:`flowrt.step_code`):
a second name whose object is missing (or no dict) is left to ``process``, which creates it."""


def _one_set(sets: list[tuple[tuple[str, ...], str, Any]]) -> StepCode | None:
    if len(sets) != 1 or len(sets[0][0]) > 1:
        return None
    ((head, last, value),) = sets
    return StepCode(_SET_IN, (head[0], last, value)) if head else StepCode(_SET_TOP,
                                                                          (last, value))


def _compile(rule: ChangeRule, ctx: NodeContext) -> Apply:
    target = compile_target(rule.target, ctx)
    if rule.action == "delete":

        def delete(msg: Message) -> None:
            target.delete(msg)

        return delete
    if rule.action == "move":
        dest = compile_target(rule.to, ctx)

        def move(msg: Message) -> None:
            value = target.get(msg)
            target.delete(msg)
            if value is MISSING:
                dest.delete(msg)
            else:
                dest.set(msg, value)

        return move
    new_value = compile_value(rule.to, ctx)
    if rule.action == "set" and type(rule.to) in _PLAIN:
        value, set_value = rule.to, target.set  # a literal text, number or boolean: no copy

        def set_plain(msg: Message) -> None:
            if not set_value(msg, value):
                ctx.warn(f"cannot set {target.path}: a value on the way is not an object", msg)

        return set_plain
    if rule.action == "set":
        deep = rule.deep_copy

        def set_(msg: Message) -> None:
            value = new_value(msg)
            if value is MISSING:
                target.delete(msg)
                return
            if deep:
                value = clone(value)
            if not target.set(msg, value):
                ctx.warn(f"cannot set {target.path}: a value on the way is not an object", msg)

        return set_
    search = _compile_search(rule.from_, ctx)

    def change(msg: Message) -> None:
        current = target.get(msg)
        try:
            kind, text, replace = search(msg)
        except NodeError as exc:  # as Node-RED: reported, the rule does nothing, the rest go on
            ctx.error(exc, msg)
            return
        if isinstance(current, str):
            value = new_value(msg)
            if kind != "re" and current == text:
                target.set(msg, value)
            else:
                changed = replace(_replacement(to_str(value)), current)
                # as Node-RED: text replaced by exactly "true"/"false" becomes the boolean
                target.set(msg, value if type(value) is bool and changed == to_str(value)
                           else changed)
        elif kind == "num" and type(current) in (int, float) and current == float(text):
            target.set(msg, new_value(msg))
        elif kind == "bool" and type(current) is bool and to_str(current) == text:
            target.set(msg, new_value(msg))

    return change


Replace = Callable[[Callable[[Any], str], str], str]
"""``replace(function of the match, text)``: every match of the search in the text replaced."""

Search = tuple[str, str, Replace]
"""(kind: str/num/bool/re, the text of the value, how to replace it); a pattern's replacement
is bounded in time and size (see :func:`flowrt.api.compile_regex`)."""


def _search_of(value: Any) -> Search:
    if isinstance(value, bool):
        kind = "bool"
    elif isinstance(value, int | float):
        kind = "num"
    elif isinstance(value, str):
        kind = "str"
    else:
        what = "nothing (the value is missing)" if value is MISSING else type(value).__name__
        raise NodeError(f"change: from must be text, a number or a boolean; got {what}")
    text = to_str(value)
    return kind, text, re.compile(re.escape(text)).sub


def _compile_search(search: Any, ctx: NodeContext) -> Callable[[Message], Search]:
    if isinstance(search, Pattern):
        found: Search = ("re", "", search.regex.sub)
        return lambda msg: found
    if isinstance(search, TypedValue) and search.type in ("msg", "flow", "global", "env"):
        get = compile_value(search, ctx)
        return lambda msg: _search_of(get(msg))
    constant = compile_value(search, ctx)({})
    fixed = _search_of(constant)
    return lambda msg: fixed


_JS_TOKEN = re.compile(r"\$(\$|&|`|'|\d{1,2}|<[^>]*>)")


@lru_cache(maxsize=256)
def _replacement(template: str) -> Callable[[re.Match[str]], str]:
    """A re.sub replacement that reads JavaScript's ``$1``, ``$&``, ``$<name>``, ``$$``."""
    if "$" not in template:
        return lambda match: template

    def replace(match: re.Match[str]) -> str:
        def token(t: re.Match[str]) -> str:
            tok = t.group(1)
            if tok == "$":
                return "$"
            if tok == "&":
                return match.group(0)
            if tok == "`":
                return match.string[: match.start()]
            if tok == "'":
                return match.string[match.end() :]
            if tok.startswith("<"):
                name = tok[1:-1]
                found = name in match.re.groupindex
                return (match.group(name) or "") if found else t.group(0)
            groups = match.re.groups
            if 1 <= int(tok) <= groups:
                return match.group(int(tok)) or ""
            if len(tok) == 2 and 1 <= int(tok[0]) <= groups:
                return (match.group(int(tok[0])) or "") + tok[1]
            return t.group(0)

        return _JS_TOKEN.sub(token, template)

    return replace
