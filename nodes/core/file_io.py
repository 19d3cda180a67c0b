"""What the file nodes share: the encoding config type and how I/O errors are reported."""

from __future__ import annotations

import codecs
from typing import Annotated, TypeAlias

from pydantic import AfterValidator

from flowrt.api import FileRefused, NodeError


def _check_encoding(value: str) -> str:
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(
            f"unknown encoding {value!r}; for example utf-8, latin-1, cp1252"
        ) from None
    return value


Encoding: TypeAlias = Annotated[str, AfterValidator(_check_encoding)]
"""A config field naming a text encoding Python knows (checked when the flow is loaded)."""


def file_problem(exc: OSError, path: str, doing: str, hint: str = "") -> NodeError:
    """A NodeError naming the path, what was wrong and what to do, for an OSError from file
    I/O. A file the operator's rule keeps flows from says so, and how the rule is set."""
    if isinstance(exc, FileRefused):
        return NodeError(f"cannot {doing} '{path}': {exc}")
    if isinstance(exc, FileNotFoundError):
        why = "no such file or directory"
    elif isinstance(exc, IsADirectoryError):
        why = "it is a directory"
    elif isinstance(exc, NotADirectoryError):
        why = "a part of the path is not a directory"
    elif isinstance(exc, PermissionError):
        why = "permission denied"
    else:
        why = exc.strerror or str(exc)
    return NodeError(f"cannot {doing} '{path}': {why}" + (f"; {hint}" if hint else ""))
