"""Schema errors in a union (``anyOf``, ``oneOf``): which branch the value was meant for.

A value fails a union when it fails every branch, so jsonschema reports the union ("is not valid
under any of the given schemas") with each branch's errors inside. A person meant one branch: the
one of the value's kind. ``{type: jsonatax}`` where a literal or a typed value goes is a typed
value with a wrong ``type``, not "must be text"; ``to: 5`` is none of the kinds a wiring takes.
"""

from __future__ import annotations

from jsonschema.exceptions import ValidationError, best_match

UNIONS = ("anyOf", "oneOf")


def wrong_kind(error: ValidationError) -> bool:
    """True for a branch's error that says the value is not even of the branch's kind (a list
    where a mapping goes), rather than something about its content."""
    if error.relative_path:
        return False
    if error.validator == "type":
        return True
    if error.validator in UNIONS and error.context:
        return all(wrong_kind(e) for e in error.context)
    return False


def _branches(error: ValidationError) -> list[list[ValidationError]]:
    groups: dict[object, list[ValidationError]] = {}
    for e in error.context or ():
        groups.setdefault(e.relative_schema_path[0], []).append(e)
    return list(groups.values())


def narrow(error: ValidationError) -> ValidationError:
    """The error of the one branch of the value's kind, taken down through nested unions; the
    union's own error when no branch or several are of its kind."""
    while error.validator in UNIONS and error.context:
        fitting = [errs for errs in _branches(error) if not any(map(wrong_kind, errs))]
        if len(fitting) != 1:
            return error
        error = best_match(fitting[0])
    return error


def kinds(error: ValidationError) -> list[str]:
    """The JSON types a union takes, from its branches' errors (for a value of none of them)."""
    found: list[str] = []
    for e in error.context or ():
        if e.relative_path:
            continue
        if e.validator == "type":
            value = e.validator_value
            found.extend(value if isinstance(value, list) else [value])
        elif e.validator in UNIONS:
            found.extend(kinds(e))
    return list(dict.fromkeys(found))
