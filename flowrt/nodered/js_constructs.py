"""The constructs in a function node's JavaScript that flowrt's QuickJS cannot run as Node-RED's
V8 does, found in the source at import so that they are flagged rather than silently differing.

Locale formatting is the main case: QuickJS has no Intl, and the function node's
``js_locale.js`` provides a subset of it (the locales en-US, sv-SE and en-CA; date, time,
``dateStyle``/``timeStyle`` short and medium, the fields, ``hour12``/``hourCycle``, the time
zone UTC or the process zone; number grouping, fraction digits, percent). A ``toLocale*``
call or ``Intl`` use outside that subset is named here with the exact text of the call.
Besides: ``Date.prototype.toString`` prints no zone name, and the other ``Intl`` services
(Collator, PluralRules, RelativeTimeFormat, ...) do not exist.

The scan reads the text, not a parse tree: a construct inside a string or a comment is flagged
too, which errs on the side of saying too much."""

from __future__ import annotations

import re

LOCALES = {"en-US", "en", "sv-SE", "sv", "en-CA"}
DATE_OPTIONS = {"dateStyle", "timeStyle", "year", "month", "day", "weekday", "hour", "minute",
                "second", "hour12", "hourCycle", "timeZone"}
NUMBER_OPTIONS = {"minimumFractionDigits", "maximumFractionDigits", "useGrouping", "style"}
VALUES = {
    "dateStyle": {"short", "medium"}, "timeStyle": {"short", "medium"},
    "year": {"numeric", "2-digit"}, "month": {"numeric", "2-digit", "short", "long"},
    "day": {"numeric", "2-digit"}, "weekday": {"short", "long"},
    "hour": {"numeric", "2-digit"}, "minute": {"numeric", "2-digit"},
    "second": {"numeric", "2-digit"}, "hourCycle": {"h11", "h12", "h23", "h24"},
    "timeZone": {"UTC", "Etc/UTC", "GMT"}, "style": {"decimal", "percent"},
}
DATE_CALLS = ("toLocaleDateString", "toLocaleTimeString")
EN_US_ONLY = {("dateStyle", "long"), ("dateStyle", "full")}

_CALL = re.compile(
    r"\.(toLocaleString|toLocaleDateString|toLocaleTimeString)\s*\("
    r"|\bIntl\s*\.\s*(\w+)(?:\s*\()?"
)
_OPTION = re.compile(r"([A-Za-z_$][\w$]*|\"[^\"]*\"|'[^']*')\s*:\s*(\"[^\"]*\"|'[^']*'|[^,}]+)")
_STRING = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|`[^`$]*`)\s*$")


def js_caveats(source: str) -> list[str]:
    """What in ``source`` (a function node's code) runs differently from Node-RED, one
    sentence each, naming the construct as written."""
    found: list[str] = []
    for m in _CALL.finditer(source):
        service = m.group(2)
        if service is not None and service not in ("DateTimeFormat", "NumberFormat"):
            found.append(f"`Intl.{service}` does not exist in flowrt's JavaScript")
            continue
        if not m.group(0).endswith("("):
            continue
        args, end = _arguments(source, m.end())
        call = source[m.start():end].lstrip(".")
        if service == "DateTimeFormat" or m.group(1) in DATE_CALLS:
            allowed = DATE_OPTIONS
        elif service == "NumberFormat":
            allowed = NUMBER_OPTIONS
        else:  # a Date's or a Number's toLocaleString: which one is not known from the text
            allowed = DATE_OPTIONS | NUMBER_OPTIONS
        problem = _problem(args, allowed)
        if problem:
            found.append(f"`{call}`: {problem}; flowrt formats a subset of V8's locales")
    if re.search(r"\.formatToParts\s*\(", source):
        found.append("`formatToParts` does not exist in flowrt's Intl subset")
    return found


def _arguments(source: str, start: int) -> tuple[list[str], int]:
    """The top-level argument texts of the call whose arguments begin at ``start``."""
    depth, args, begin, i = 0, [], start, start
    quote = ""
    while i < len(source):
        c = source[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                args.append(source[begin:i])
                return [a for a in args if a.strip()], i + 1
            depth -= 1
        elif c == "," and depth == 0:
            args.append(source[begin:i])
            begin = i + 1
        i += 1
    return [a for a in args if a.strip()], len(source)


def _problem(args: list[str], allowed: set[str]) -> str:
    locale = "en-US"
    if args:
        lit = _STRING.match(args[0])
        if lit:
            locale = lit.group(1)[1:-1]
            if locale not in LOCALES:
                return f"the locale '{locale}' is not in the subset (en-US, sv-SE, en-CA)"
        elif args[0].strip() not in ("undefined", "[]"):
            return "the locale is not a string written in the code"
    if len(args) < 2:
        return ""
    options = args[1].strip()
    if not options.startswith("{"):
        return "the options are not an object written in the code"
    for key, value in _OPTION.findall(options):
        key = key.strip("\"'")
        if key not in allowed:
            return f"the option {key} is not in the subset"
        text = value.strip()
        if text[:1] in "\"'":
            text = text[1:-1]
            if key in VALUES and text not in VALUES[key] and not (
                (key, text) in EN_US_ONLY and locale in ("en-US", "en")
            ):
                return f"{key}: '{text}' is not in the subset"
        elif key in VALUES:
            return f"the value of {key} is not written in the code"
    return ""
