"""node-red-contrib-postgresql's mustache queries, as statements with bound parameters.

The node renders its query with mustache.js (``Mustache.render(query, {msg})``) and runs the
text, so message text becomes SQL: a payload holding ``'; DROP TABLE x; --`` in
``'{{{msg.payload}}}'`` runs as SQL. flowrt's postgres-query sends values apart from the
statement. :func:`bind_tags` rewrites each tag where a value stands into a parameter ``:mN``
whose SQL (postgres-query's ``text_params``) is what stood there, rendered at run time as
mustache.js renders it and sent as the value PostgreSQL would have read:

- a string literal holding tags (``'{{{msg.payload.name}}}'``, ``'%{{msg.topic}}%'``) becomes
  one parameter, the literal's text;
- a tag standing alone where a value stands (after ``=``, ``<``, ``>``, ``+``, ``-``, ``*``,
  ``/``, ``LIMIT``, ``OFFSET``, ``LIKE``, or as an argument of ``VALUES (...)`` or of a
  function, and followed by ``,``, ``)``, ``;``, an operator, a keyword or the end) becomes one
  too: a number when its text is one, else text PostgreSQL reads as the type expected there.

A tag anywhere else writes SQL from the message: a name (``FROM {{msg.table}}``), a quoted
identifier, a dollar-quoted body, an escape-string literal, a whole clause
(``WHERE {{{msg.payload}}}``), a list of values (``IN ({{{msg.ids}}})``), a select list, or a
tag that is not a message property. :func:`bind_tags` refuses those with the reason; the
importer maps a query made of one raw tag (``{{{msg.payload}}}``: the message is the statement)
to postgres-query's ``allow_msg_query`` instead, which the scripts policy governs.
"""

from __future__ import annotations

import re

TAG = re.compile(r"\{\{\{[^{}]*\}\}\}|\{\{[^{}]*\}\}")
_NAME = re.compile(r"msg(?:\.[^.\s{}]+)+")
_WORD_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")
_WORD_AFTER = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)")
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_]\w*)?\$")
_VALUE_AFTER_WORDS = {"limit", "offset", "like", "ilike", "then", "else", "when"}
_VALUE_AFTER_OPERATORS = set("=<>+-*/%")
_NOT_CALLS = {"in", "values", "where", "and", "or", "not", "on", "select", "by", "from",
              "exists", "any", "all", "using", "into", "returning", "set", "as"}
"""Words before `(` that do not make it a function call (whose arguments are values)."""
WHOLE = re.compile(r"\s*(?:\{\{\{\s*(msg(?:\.[^.\s{}]+)+)\s*\}\}\}|\{\{&\s*(msg(?:\.[^.\s{}]+)+)"
                   r"\s*\}\})\s*;?\s*")
"""A query made of one raw tag: the message property is the whole statement."""


class NotAValue(ValueError):
    """A tag sits where it writes SQL rather than a value; the text says where."""


def bind_tags(query: str) -> tuple[str, dict[str, str]]:
    """The query with each tag (or literal holding tags) replaced by ``:mN``, and
    parameter name -> its text template. Raises NotAValue where a tag writes SQL."""
    out: list[str] = []
    texts: dict[str, str] = {}

    def param(template: str) -> str:
        _check_names(template)
        name = f"m{len(texts) + 1}"
        texts[name] = template
        return f":{name}"

    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if query.startswith(("--", "/*"), i):
            end = _comment_end(query, i)
            out.append(TAG.sub("", query[i:end]))  # renders into a comment: no effect
            i = end
        elif c == "'":
            end = _quoted_end(query, i, "'")
            body = query[i + 1:end - 1]
            if TAG.search(body):
                if _special_literal(query, i):
                    raise NotAValue(f"a tag sits in the special string literal "
                                    f"{query[max(0, i - 2):end]!r} (escapes, bits or bytes)")
                out.append(param(query[i:end]))  # the literal, quotes and all
            else:
                out.append(query[i:end])
            i = end
        elif c == '"' or (c == "$" and _dollar_quote(query, i)):
            end = _quoted_end(query, i, '"') if c == '"' else _dollar_end(query, i)
            if TAG.search(query[i:end]):
                where = "a quoted name" if c == '"' else "a dollar-quoted text"
                raise NotAValue(f"a tag sits in {where}, {query[i:end][:60]!r}")
            out.append(query[i:end])
            i = end
        elif (tag := TAG.match(query, i)) is not None:
            _check_value_position(query, tag.start(), tag.end(), "".join(out))
            out.append(param(tag.group()))
            i = tag.end()
        else:
            out.append(c)
            i += 1
    return "".join(out), texts


def _check_names(template: str) -> None:
    for tag in TAG.finditer(template):
        inner = tag.group().strip("{}").strip()
        if tag.group().startswith("{{{") is False:
            inner = inner.removeprefix("&").strip()
        if not _NAME.fullmatch(inner):
            raise NotAValue(f"{tag.group()} is not a tag naming a message property "
                            "(sections, partials and other names are SQL text)")


def _check_value_position(query: str, start: int, end: int, before: str) -> None:
    tag = query[start:end]
    prev = before.rstrip()
    after = query[end:].lstrip()
    word = _WORD_BEFORE.search(prev)
    ok_before = bool(prev) and (
        prev[-1] in _VALUE_AFTER_OPERATORS
        or (word is not None and word.group(1).lower() in _VALUE_AFTER_WORDS)
        or (prev[-1] in "(," and _in_value_list(prev))
    )
    ok_after = (not after or after[0] in ",);=<>!+-*/%|:"
                or _WORD_AFTER.match(query, end) is not None)  # a keyword: AND, ORDER, ...
    opener = _opener_word(prev) if prev.endswith("(") and after.startswith(")") else None
    raw = tag.startswith("{{{") or tag.lstrip("{ ").startswith("&")
    if opener == "in" or (opener == "values" and raw):  # a raw tag alone: a list, as text
        raise NotAValue(f"{tag} fills `{opener.upper()} (...)` alone: it writes a list of "
                        "values as SQL text")
    if not (ok_before and ok_after):
        context = query[max(0, start - 30):min(len(query), end + 20)].replace("\n", " ")
        raise NotAValue(f"{tag} sits where SQL text is expected, not a value "
                        f"(`{context.strip()}`)")


def _in_value_list(prev: str) -> bool:
    """Whether the innermost open parenthesis before the end of ``prev`` holds values: a
    VALUES row, an IN list or a function's arguments."""
    word = _opener_word(prev)
    return word is not None and (word in ("values", "in") or word not in _NOT_CALLS)


def _opener_word(prev: str) -> str | None:
    """The word before the innermost parenthesis still open at the end of ``prev`` (``values``
    for a later row of a VALUES list); None outside parentheses or after no word."""
    depth = 0
    for j in range(len(prev) - 1, -1, -1):
        if prev[j] == ")":
            depth += 1
        elif prev[j] == "(":
            if depth == 0:
                head = prev[:j].rstrip()
                if head.endswith(",") and head[:-1].rstrip().endswith(")") and re.search(
                        r"\bvalues\b", head, re.I):
                    return "values"  # a later row of a VALUES list
                word = _WORD_BEFORE.search(head)
                return word.group(1).lower() if word else None
            depth -= 1
    return None


def _special_literal(query: str, i: int) -> bool:
    """Whether the literal opening at ``i`` is E'', B'', X'' or U&'' (not a plain one)."""
    if query[max(0, i - 2):i].upper() == "U&":
        return True
    return (i > 0 and query[i - 1] in "eEbBxX"
            and (i < 2 or not (query[i - 2].isalnum() or query[i - 2] == "_")))


def _comment_end(query: str, i: int) -> int:
    if query.startswith("--", i):
        end = query.find("\n", i)
        return len(query) if end < 0 else end
    end = query.find("*/", i + 2)
    return len(query) if end < 0 else end + 2


def _quoted_end(query: str, i: int, quote: str) -> int:
    j = i + 1
    while j < len(query):
        if query[j] == quote:
            if query.startswith(quote * 2, j):
                j += 2
                continue
            return j + 1
        j += 1
    return len(query)


def _dollar_quote(query: str, i: int) -> bool:
    return (i == 0 or not (query[i - 1].isalnum() or query[i - 1] == "_")) and bool(
        _DOLLAR_TAG.match(query, i))


def _dollar_end(query: str, i: int) -> int:
    tag = _DOLLAR_TAG.match(query, i)
    assert tag is not None
    end = query.find(tag.group(), tag.end())
    return len(query) if end < 0 else end + len(tag.group())
