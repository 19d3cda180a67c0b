"""The limits of one JSONata evaluation besides its time: the texts and lists it makes, the
date pictures it reads, and its regular expressions.

- No text made by a function or ``&`` may pass :data:`TEXT_LIMIT` characters, nor all of them
  together :data:`MADE_LIMIT`, nor a list made by a range or a function :data:`LIST_LIMIT`
  items. :class:`Budget` checks the result of each step of an evaluation (jsonata-python's exit
  callback); ``$pad`` and ``$join``, which could build a huge text in one call, are checked
  before they build.
- A date picture (``$fromMillis``, ``$now``, ``$toMillis``) may not ask for widths over
  :data:`PICTURE_LIMIT`: jsonata-python pads to them, or computes ``10 ** width``, in one call
  that nothing can interrupt.
- Regular expressions (``/.../`` in ``$match``, ``$replace``, ``$split``, ``$contains``) are
  compiled with a time bound (:mod:`flowrt.expressions.jsonata_regex`).
"""

from __future__ import annotations

import re
from typing import Any

from flowrt.errors import NodeError
from flowrt.expressions.deadline import EVALUATION_SECONDS

TEXT_LIMIT = 10_000_000
"""The most characters of one text an expression may make."""

LIST_LIMIT = 1_000_000
"""The most items of one list an expression may make (a range, ``$append``...)."""

PICTURE_LIMIT = 64
"""The widest component a date picture may ask for (``[Y,64]``), in characters or digits."""

REGEX_SECONDS = EVALUATION_SECONDS / 2
"""How long one match of a regular expression in an expression may run: less than the whole
evaluation, so that a runaway pattern is reported as such, naming the pattern."""

MADE_LIMIT = 50_000_000
"""The most characters all the texts made by the functions and ``&`` of one evaluation may
have together (a loop building many large texts)."""

_PICTURE_PART = re.compile(r"\[[^\]]*\]?")
_NUMBER = re.compile(r"\d+")


def shown(expression: str) -> str:
    return repr(expression if len(expression) <= 80 else expression[:77] + "...")


class Budget:
    """Checks the result of each step of one evaluation against the size limits."""

    __slots__ = ("expression", "made")

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.made = 0

    def exit(self, exp: Any, input: Any, env: Any, result: Any) -> None:
        if exp.type not in _MAKERS:
            return
        if type(result) is str:
            size = len(result)
            if size > TEXT_LIMIT:
                self._refuse(f"a text of {size:,} characters", TEXT_LIMIT)
            self.made += size
            if self.made > MADE_LIMIT:
                self._refuse(f"texts of {self.made:,} characters in all", MADE_LIMIT)
        elif isinstance(result, list) and len(result) > LIST_LIMIT:
            self._refuse(f"a list of {len(result):,} items", LIST_LIMIT)

    def _refuse(self, what: str, limit: int) -> None:
        raise NodeError(
            f"the JSONata expression {shown(self.expression)} made {what}, more than the "
            f"limit of {limit:,}, and was stopped"
        )


_MAKERS = frozenset({"function", "partial", "binary", "apply"})
"""The steps whose texts are new (a call, ``&``), not read from the input."""


def _bounded_pad(text: Any, width: Any = None, char: Any = None) -> Any:
    from jsonata.functions import Functions  # type: ignore[import-untyped]

    if isinstance(width, int | float) and abs(width) > TEXT_LIMIT:
        raise NodeError(f"$pad to {width:,.0f} characters is more than the limit of "
                        f"{TEXT_LIMIT:,} of an expression")
    return Functions.pad(text, width, char)


def _bounded_join(texts: Any, separator: Any = None) -> Any:
    from jsonata.functions import Functions

    if isinstance(texts, list):
        glue = len(separator) if isinstance(separator, str) else 0
        size = sum(len(t) for t in texts if isinstance(t, str)) + glue * len(texts)
        if size > TEXT_LIMIT:
            raise NodeError(f"$join would make {size:,} characters, more than the limit of "
                            f"{TEXT_LIMIT:,} of an expression")
    return Functions.join(texts, separator)


def _check_picture(picture: Any) -> None:
    if not isinstance(picture, str):
        return
    for part in _PICTURE_PART.findall(picture):
        numbers = [int(n) for n in _NUMBER.findall(part)]
        if len(part) > PICTURE_LIMIT + 2 or any(n > PICTURE_LIMIT for n in numbers):
            raise NodeError(f"the date picture part {part[:40]!r} asks for more than "
                            f"{PICTURE_LIMIT} characters, the limit of a picture")


def _from_millis(millis: Any, picture: Any = None, zone: Any = None) -> Any:
    from jsonata.functions import Functions

    _check_picture(picture)
    return Functions.datetime_from_millis(millis, picture, zone)


def _now(picture: Any = None, zone: Any = None) -> Any:
    from jsonata.functions import Functions

    _check_picture(picture)
    return Functions.now(picture, zone)


def _to_millis(timestamp: Any, picture: Any = None) -> Any:
    from jsonata.functions import Functions

    _check_picture(picture)
    return Functions.datetime_to_millis(timestamp, picture)


def bounded_functions() -> dict[str, Any]:
    """The built-in functions checked before they run, to bind over jsonata-python's own."""
    import jsonata  # type: ignore[import-untyped]

    lam, native = jsonata.Jsonata.JLambda, jsonata.Jsonata.JFunction
    return {
        "pad": native(lam(_bounded_pad), "<s-ns?:s>"),
        "join": native(lam(_bounded_join), "<a<s>s?:s>"),
        "fromMillis": native(lam(_from_millis), "<n-s?s?:s>"),
        "now": native(lam(_now), "<s?s?:s>"),
        "toMillis": native(lam(_to_millis), "<s-s?:n>"),
    }
