"""Regular expressions written by a flow author, matched with a time bound.

Python's ``re`` backtracks: a pattern such as ``(a|aa)+$`` takes exponential time on a text
of a's ending in a b, and a match runs on the event loop's thread, so one message could stop
every flow of the server. :func:`compile_regex` compiles a flow author's pattern once (when the
flow is loaded, so a syntax error is a load error) with the ``regex`` package, which accepts
``re``'s syntax (and JavaScript's ``(?<name>...)`` groups, ``\\p{L}`` classes...) and stops a
match after a timeout. A match, search, split or substitution that runs longer than
:data:`REGEX_SECONDS` raises :class:`RegexTimeout`, a :class:`~flowrt.errors.NodeError`
naming the pattern: the message fails, catch nodes see it, the flow goes on.

Why a time bound and not a linear-time engine (RE2): JavaScript regular expressions, which
Node-RED flows bring, have backreferences and lookaround, which linear engines lack. A
substitution is also bounded in size: its result may not pass :data:`REGEX_TEXT_LIMIT`
characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

import regex  # type: ignore[import-untyped]

from flowrt.errors import NodeError
from flowrt.expressions.js_regex import translate

Syntax = Literal["python", "javascript"]
"""How a pattern is written: Python's ``re`` syntax (flowrt's own), or JavaScript's, as the
Node-RED flows it imports wrote it (translated by :mod:`flowrt.expressions.js_regex`)."""

REGEX_SECONDS = 1.0
"""How long one match, search, split or substitution may run."""

REGEX_TEXT_LIMIT = 10_000_000
"""The most characters a substitution may produce."""

Match = Any
"""A match object of the ``regex`` package (the same interface as ``re.Match``)."""

Replacement = str | Callable[[Match], str]


class RegexTimeout(NodeError):
    """A regular expression ran longer than its time limit on a text."""


def _shown(pattern: str) -> str:
    return repr(pattern if len(pattern) <= 80 else pattern[:77] + "...")


class BoundedRegex:
    """A compiled pattern whose every use is bounded in time (and a substitution in size)."""

    __slots__ = ("pattern", "compiled", "seconds")

    def __init__(self, pattern: str, compiled: Any, seconds: float) -> None:
        self.pattern = pattern
        self.compiled = compiled
        self.seconds = seconds

    @property
    def groups(self) -> int:
        return int(self.compiled.groups)

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self.compiled.groupindex)

    def _timeout(self, text: str) -> RegexTimeout:
        return RegexTimeout(
            f"the regular expression {_shown(self.pattern)} ran longer than "
            f"{self.seconds:g} s (the time limit of one match) on a text of {len(text)} "
            "characters and was stopped: it backtracks too much; rewrite it without nested "
            "or overlapping repetition such as (a+)+ or (a|aa)+"
        )

    def search(self, text: str, pos: int = 0) -> Match | None:
        try:
            return self.compiled.search(text, pos, timeout=self.seconds)
        except TimeoutError:
            raise self._timeout(text) from None

    def match(self, text: str, pos: int = 0) -> Match | None:
        try:
            return self.compiled.match(text, pos, timeout=self.seconds)
        except TimeoutError:
            raise self._timeout(text) from None

    def fullmatch(self, text: str) -> Match | None:
        try:
            return self.compiled.fullmatch(text, timeout=self.seconds)
        except TimeoutError:
            raise self._timeout(text) from None

    def finditer(self, text: str) -> Iterator[Match]:
        try:
            yield from self.compiled.finditer(text, timeout=self.seconds)
        except TimeoutError:
            raise self._timeout(text) from None

    def split(self, text: str, maxsplit: int = 0) -> list[str | Any]:
        """As ``re.split``; built on :meth:`finditer`, whose time bound holds (the ``regex``
        package's own split can run several times its timeout)."""
        out: list[str | Any] = []
        end = done = 0
        for found in self.finditer(text):
            if maxsplit and done >= maxsplit:
                break
            out.append(text[end : found.start()])
            out.extend(found.groups())
            end = found.end()
            done += 1
        out.append(text[end:])
        return out

    def sub(self, repl: Replacement, text: str, count: int = 0) -> str:
        """Replace matches (all when ``count`` is 0) by ``repl``: a text with ``\\1``-style
        references, or a function of the match."""
        expand = (lambda m: m.expand(repl)) if isinstance(repl, str) else repl
        out: list[str] = []
        size, end, done = 0, 0, 0
        for found in self.finditer(text):
            piece = text[end : found.start()]
            made = expand(found)
            size += len(piece) + len(made)
            if size > REGEX_TEXT_LIMIT:
                raise NodeError(
                    f"replacing {_shown(self.pattern)} would make a text of more than "
                    f"{REGEX_TEXT_LIMIT:,} characters, the size limit of a substitution"
                )
            out += (piece, made)
            end = found.end()
            done += 1
            if done == count:
                break
        if size + len(text) - end > REGEX_TEXT_LIMIT:
            raise NodeError(
                f"replacing {_shown(self.pattern)} would make a text of more than "
                f"{REGEX_TEXT_LIMIT:,} characters, the size limit of a substitution"
            )
        out.append(text[end:])
        return "".join(out)


def compile_regex(
    pattern: str, *, ignore_case: bool = False, multiline: bool = False,
    seconds: float = REGEX_SECONDS, syntax: Syntax = "python",
) -> BoundedRegex:
    """A flow author's pattern, compiled once; ValueError saying what is wrong with it. A
    JavaScript pattern matches what it matches in JavaScript (``multiline`` is its ``m``)."""
    flags = regex.V0
    if ignore_case:
        flags |= regex.IGNORECASE
    source = pattern
    if syntax == "javascript":
        try:
            source = translate(pattern, multiline)
        except ValueError as exc:
            raise ValueError(
                f"invalid JavaScript regular expression {_shown(pattern)}: {exc}") from None
    elif multiline:
        flags |= regex.MULTILINE
    try:
        compiled = regex.compile(source, flags)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise ValueError(f"invalid regular expression {_shown(pattern)}: {exc}") from None
    return BoundedRegex(pattern, compiled, seconds)
