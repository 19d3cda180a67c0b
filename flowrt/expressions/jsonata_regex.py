"""JSONata's regular expressions as JSONata (in Node-RED) runs them.

- A ``/pattern/flags`` literal is JavaScript's regular expression (translated by
  :mod:`flowrt.expressions.js_regex`), compiled when the expression is parsed, with a time bound
  on each match (:mod:`flowrt.expressions.bounded_regex`): :func:`regex_engine`, given to every
  parse of jsonata-python (``$eval`` reuses it).
- The matches are walked as JSONata walks them (:class:`JsonataRegex`): each search starts where
  the last match ended, a later match of no characters is error D1004 (it would never
  progress), and ``$split`` keeps no groups.
- ``$replace`` is JSONata's (:func:`replace`): one walk over the matches up to the limit, ``$0``,
  ``$n`` and ``$$`` read in the replacement as JSONata reads them (any other character, a
  backslash too, is itself), a function given ``{match, start, end, groups}``; a text pattern
  is replaced by the replacement as it is. jsonata-python's own replaces again in its result for
  each step of a limit and reads a replacement with Python's rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from flowrt.errors import NodeError
from flowrt.expressions.bounded_regex import BoundedRegex, Match, compile_regex
from flowrt.expressions.js_regex import translate
from flowrt.expressions.jsonata_limits import REGEX_SECONDS, TEXT_LIMIT


class JsonataRegex(BoundedRegex):
    """A compiled JSONata regular expression, walked as JSONata walks it."""

    __slots__ = ()

    def finditer(self, text: str) -> Iterator[Match]:
        found = self.search(text, 0)
        while found is not None:
            yield found
            if found.end() >= len(text):
                return
            found = self.search(text, found.end())
            if found is not None and found.end() == found.start():
                from jsonata.jexception import JException  # type: ignore[import-untyped]

                raise JException("D1004", -1, self.pattern)

    def split(self, text: str, maxsplit: int = 0) -> list[str | Any]:
        out: list[str | Any] = []
        end = 0
        for found in self.finditer(text):
            out.append(text[end : found.start()])
            end = found.end()
        out.append(text[end:])
        return out


def regex_engine(pattern: str, flags: Any) -> BoundedRegex:
    """JSONata's ``/pattern/flags`` literals, compiled with a time bound; ValueError for a
    pattern JavaScript refuses."""
    try:
        translated = translate(pattern, multiline=flags.multiline)
    except ValueError as exc:
        raise ValueError(f"invalid regular expression /{pattern}/: {exc}") from None
    compiled = compile_regex(translated, ignore_case=flags.case_insensitive,
                             seconds=REGEX_SECONDS).compiled
    return JsonataRegex(pattern, compiled, REGEX_SECONDS)


def substitute(replacement: str, found: Match) -> str:
    """The text that replaces one match: JSONata's reading of ``$0``, ``$n`` and ``$$``."""
    groups = found.groups()
    digits = 1 if not groups else math.floor(math.log10(len(groups))) + 1
    out: list[str] = []
    position = 0
    index = replacement.find("$")
    while index != -1 and position < len(replacement):
        out.append(replacement[position:index])
        position = index + 1
        after = replacement[position:position + 1]
        if after == "$":
            out.append("$")
            position += 1
        elif after == "0":
            out.append(found.group())
            position += 1
        else:
            number = _leading_int(replacement[position:position + digits])
            if digits > 1 and number is not None and number > len(groups):
                number = _leading_int(replacement[position:position + digits - 1])
            if number is None:
                out.append("$")
            else:
                if 0 < number <= len(groups) and groups[number - 1] is not None:
                    out.append(groups[number - 1])
                position += len(str(number))
        index = replacement.find("$", position)
    out.append(replacement[position:])
    return "".join(out)


def _leading_int(text: str) -> int | None:
    """JavaScript's ``parseInt(text, 10)`` for digits: the leading digits, or None (NaN)."""
    end = 0
    while end < len(text) and text[end] in "0123456789":
        end += 1
    return int(text[:end]) if end else None


def replace(text: Any, pattern: Any, replacement: Any, limit: Any = None) -> Any:
    """JSONata's ``$replace``."""
    from jsonata.functions import Functions  # type: ignore[import-untyped]
    from jsonata.jexception import JException

    plain_text = isinstance(pattern, str) and pattern != "" and isinstance(replacement, str)
    if (not isinstance(text, str) or not (plain_text or isinstance(pattern, JsonataRegex))
            or (limit is not None and limit < 0)):
        return Functions.replace(text, pattern, replacement, limit)  # its checks and errors
    made = _Made()
    position = count = 0
    if limit is not None and limit == 0:
        return text
    if isinstance(pattern, str):
        index = text.find(pattern)
        while index != -1 and (limit is None or count < limit):
            made.add(text[position:index], replacement)
            position, count = index + len(pattern), count + 1
            index = text.find(pattern, position)
    else:
        for found in pattern.finditer(text):
            if limit is not None and count >= limit:
                break
            if isinstance(replacement, str):
                replaced = substitute(replacement, found)
            else:
                replaced = Functions.func_apply(replacement, [{
                    "match": found.group(), "start": found.start(), "end": found.end(),
                    "groups": list(found.groups())}])
                if not isinstance(replaced, str):
                    raise JException("D3012", -1, replaced)
            made.add(text[position:found.start()], replaced)
            position, count = found.end(), count + 1
    made.add(text[position:])
    return made.text()


class _Made:
    """A text made piece by piece, refused once it passes the size limit of a text."""

    __slots__ = ("pieces", "size")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.size = 0

    def add(self, *pieces: str) -> None:
        self.size += sum(len(p) for p in pieces)
        if self.size > TEXT_LIMIT:
            raise NodeError(f"$replace would make a text of more than {TEXT_LIMIT:,} "
                            "characters, the limit of an expression")
        self.pieces.extend(pieces)

    def text(self) -> str:
        return "".join(self.pieces)


def regex_functions() -> dict[str, Any]:
    """The built-in functions of regular expressions run as JSONata runs them, to bind over
    jsonata-python's own."""
    import jsonata  # type: ignore[import-untyped]

    lam, native = jsonata.Jsonata.JLambda, jsonata.Jsonata.JFunction
    return {"replace": native(lam(replace), "<s-(sf)(sf)n?:s>")}
