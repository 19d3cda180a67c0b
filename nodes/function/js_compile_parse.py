"""The JavaScript a function node may have compiled to Python (:mod:`.js_compile`): a strict
subset, read by a small tokenizer and recursive-descent parser that refuse anything else.

What is accepted, as a syntax tree of tuples (anything outside it returns None from
:func:`parse`, and the code runs in QuickJS as it would anyway):

- statements: ``const/let/var name = expr;`` (``let/var name;``), assignment (``= += -= *=
  /= %=``) to a name or a member path (``a.b``, ``a["b"]``), ``if (...) ... else ...``
  (with or without braces), ``return [expr];``, other expression statements, ``;``;
- expressions: number, string, ``true``/``false``/``null`` literals, names, member reads with
  a fixed key, ``Math.name(args)`` and ``Math.PI``/``Math.E``, unary ``- + ! typeof``, ``+ - *
  / %``, ``< <= > >= === !== == !=``, ``&& || ??`` (``??`` unmixed, as JavaScript demands),
  ``c ? a : b``, parentheses.

The tokenizer is exact where a looser one would change the meaning of a text JavaScript
accepts: ``++``/``--`` are tokens of their own (refused: ``a\\n++b`` is two statements), a
statement may end without ``;`` only before ``}``, the end, or on a new line before a name (a
token that cannot continue any JavaScript expression), ``return`` before a new line returns
undefined, comments end where JavaScript ends them (and text with U+2028/U+2029, which
JavaScript counts as line ends, is refused), a string knows only the escapes that mean the same
in every mode (octal escapes and line continuations are refused), a number is decimal with no
leading zero, separator or suffix. A regular expression is refused at its first ``/`` (a
division where an operand should be). Names and keys are checked by the compiler.
"""

from __future__ import annotations

import re
from typing import Any

Node = tuple[Any, ...]

_TOKEN = re.compile(r"""
    (?P<space>[ \t\v\f]+)
  | (?P<newline>\r\n|\r|\n)
  | (?P<comment>//[^\r\n]*|/\*[\s\S]*?\*/)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<string>'(?:[^'\\\r\n]|\\[^\r\n])*'|"(?:[^"\\\r\n]|\\[^\r\n])*")
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<punct>===|!==|\+\+|--|==|!=|<=|>=|&&|\|\||\?\?|[-+*/%]=|[-+*/%<>!=?:;,.()\[\]{}])
""", re.VERBOSE)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "\\": "\\",
            "'": "'", '"': '"'}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|0(?![0-9])|[ntrbfv\\'\"])|\\")
_MAX_SAFE = 2 ** 53

KEYWORDS = frozenset("""
    break case catch class const continue debugger default delete do else enum export extends
    false finally for function if import in instanceof new null return super switch this throw
    true try typeof var void while with yield let static implements interface package private
    protected public await async of get set arguments eval undefined NaN Infinity
""".split())
"""Words that are no name a body may declare or read as a variable (reserved words, and
words that mean something else in some position or mode)."""


class Refused(Exception):
    """The text is outside the subset (or is no JavaScript at all)."""


class Token:
    __slots__ = ("kind", "text", "value", "newline")

    def __init__(self, kind: str, text: str, value: Any, newline: bool) -> None:
        self.kind, self.text, self.value, self.newline = kind, text, value, newline


def _string(text: str) -> str:
    def escape(found: re.Match[str]) -> str:
        code = found.group(1)
        if code is None:  # octal, \u{...}, a letter that means itself, a line continuation
            raise Refused("escape")
        if len(code) > 1:
            return chr(int(code[1:], 16))
        if code == "0":
            return "\0"
        return _ESCAPES[code]

    value = _ESCAPE.sub(escape, text[1:-1])
    if re.search("[\ud800-\udfff]", value):  # JavaScript would join a pair; Python not
        raise Refused("surrogate")
    return value


def _number(text: str) -> int | float:
    if len(text) > 1 and text[0] == "0" and text[1].isdigit():  # legacy octal, or 08
        raise Refused("leading zero")
    value = float(text)
    return int(value) if value.is_integer() and abs(value) <= _MAX_SAFE else value


def tokenize(text: str) -> list[Token]:
    if "\u2028" in text or "\u2029" in text:
        raise Refused("line separator")
    opened = text.rfind("/*")
    if opened >= 0 and text.find("*/", opened + 2) < 0:
        # a '/*' no '*/' follows is no comment (a regular expression before '*', or no
        # JavaScript): refused before the pattern would scan the rest of the text at each one
        raise Refused("comment not closed")
    tokens: list[Token] = []
    newline = False
    at, end = 0, len(text)
    while at < end:
        found = _TOKEN.match(text, at)
        if found is None:
            raise Refused(f"character {text[at]!r}")
        kind, word = found.lastgroup or "", found.group()
        at = found.end()
        if kind == "space":
            continue
        if kind == "newline" or (kind == "comment" and ("\n" in word or "\r" in word)):
            newline = True
            continue
        if kind == "comment":
            continue
        if kind == "number":
            if at < end and (text[at].isalnum() or text[at] in "_$."):
                raise Refused("number suffix")
            value: Any = _number(word)
        elif kind == "string":
            value = _string(word)
        else:
            value = word
        tokens.append(Token(kind, word, value, newline))
        newline = False
    tokens.append(Token("end", "", None, newline))
    return tokens


_COMPARE = ("<", "<=", ">", ">=")
_EQUALITY = ("===", "!==", "==", "!=")
_ASSIGN = ("=", "+=", "-=", "*=", "/=", "%=")


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    @property
    def next(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def is_(self, text: str) -> bool:
        token = self.tokens[self.at]
        return token.kind in ("punct", "name") and token.text == text

    def expect(self, text: str) -> None:
        if not self.is_(text):
            raise Refused(f"expected {text!r}")
        self.at += 1

    # statements ------------------------------------------------------------------------

    def body(self) -> list[Node]:
        statements = []
        while self.next.kind != "end":
            statements.append(self.statement(top=True))
        return statements

    def statement(self, top: bool = False) -> Node:
        token = self.next
        if token.kind == "punct" and token.text == ";":
            self.take()
            return ("empty",)
        if token.kind == "name" and token.text in ("const", "let", "var"):
            if not top:
                raise Refused("declaration outside a block")
            return self.declaration()
        if token.kind == "name" and token.text == "if":
            return self.if_()
        if token.kind == "name" and token.text == "return":
            self.take()
            following = self.next
            if following.newline or following.kind == "end" or following.text in (";", "}"):
                value: Node | None = None  # `return` before a new line returns undefined
            else:
                value = self.expression()
            self.end()
            return ("return", value)
        if token.kind == "string" or token.text in ("(", "{", "[") or (
                token.kind == "name" and token.text in KEYWORDS - {"typeof", "true", "false",
                                                                    "null", "undefined",
                                                                    "NaN", "Infinity"}):
            raise Refused(f"statement {token.text!r}")  # directive, block, keyword...
        target = self.expression()
        if self.next.kind == "punct" and self.next.text in _ASSIGN:
            if target[0] not in ("name", "member"):
                raise Refused("assignment target")
            op = self.take().text
            value = self.expression()
            self.end()
            return ("assign", target, op, value)
        self.end()
        return ("expr", target)

    def end(self) -> None:
        """A statement's end: ``;``, or where JavaScript inserts one and nothing else could
        follow (see the module docs)."""
        token = self.next
        if token.kind == "punct" and token.text == ";":
            self.take()
        elif token.kind == "end" or (token.kind == "punct" and token.text == "}"):
            pass
        elif not (token.newline and token.kind == "name"
                  and token.text not in ("in", "instanceof")):
            raise Refused(f"statement end at {token.text!r}")

    def declaration(self) -> Node:
        kind = self.take().text
        name = self.take()
        if name.kind != "name":
            raise Refused("pattern")
        value: Node | None = None
        if self.is_("="):
            self.take()
            value = self.expression()
        elif kind == "const":
            raise Refused("const without value")
        if self.is_(","):
            raise Refused("several declarations")
        self.end()
        return ("decl", kind, name.text, value)

    def if_(self) -> Node:
        self.take()
        self.expect("(")
        test = self.expression()
        self.expect(")")
        then = self.branch()
        other = None
        if self.is_("else"):
            self.take()
            other = self.branch()
        return ("if", test, then, other)

    def branch(self) -> list[Node]:
        if self.is_("{"):
            self.take()
            statements = []
            while not self.is_("}"):
                if self.next.kind == "end":
                    raise Refused("unclosed block")
                statements.append(self.statement(top=True))
            self.take()
            return [("block", statements)]
        return [self.statement()]

    # expressions -----------------------------------------------------------------------

    def expression(self) -> Node:
        test = self.coalesce()
        if not self.is_("?"):
            return test
        self.take()
        then = self.expression()
        self.expect(":")
        return ("cond", test, then, self.expression())

    def coalesce(self) -> Node:
        left = self.logical("||")
        if not self.is_("??"):
            return left
        if left[0] == "logic":
            raise Refused("?? mixed with || or &&")
        while self.is_("??"):
            self.take()
            right = self.equality()
            left = ("logic", "??", left, right)
        if self.is_("||") or self.is_("&&"):
            raise Refused("?? mixed with || or &&")
        return left

    def logical(self, op: str) -> Node:
        left = self.logical("&&") if op == "||" else self.equality()
        while self.is_(op):
            self.take()
            right = self.logical("&&") if op == "||" else self.equality()
            left = ("logic", op, left, right)
        return left

    def equality(self) -> Node:
        left = self.relational()
        while self.next.kind == "punct" and self.next.text in _EQUALITY:
            op = self.take().text
            left = ("bin", op, left, self.relational())
        return left

    def relational(self) -> Node:
        left = self.additive()
        while self.next.kind == "punct" and self.next.text in _COMPARE:
            op = self.take().text
            left = ("bin", op, left, self.additive())
        return left

    def additive(self) -> Node:
        left = self.multiplicative()
        while self.next.kind == "punct" and self.next.text in ("+", "-"):
            op = self.take().text
            left = ("bin", op, left, self.multiplicative())
        return left

    def multiplicative(self) -> Node:
        left = self.unary()
        while self.next.kind == "punct" and self.next.text in ("*", "/", "%"):
            op = self.take().text
            left = ("bin", op, left, self.unary())
        return left

    def unary(self) -> Node:
        token = self.next
        if (token.kind == "punct" and token.text in ("-", "+", "!")) or (
                token.kind == "name" and token.text == "typeof"):
            self.take()
            return ("unary", token.text, self.unary())
        return self.member()

    def member(self) -> Node:
        node = self.primary()
        while True:
            if self.is_("."):
                self.take()
                key = self.take()
                if key.kind != "name":
                    raise Refused("member name")
                node = self._read(node, key.text)
            elif self.is_("["):
                self.take()
                key = self.take()
                if key.kind != "string":
                    raise Refused("computed member")
                self.expect("]")
                node = self._read(node, key.value)
            elif self.is_("("):
                raise Refused("call")
            else:
                return node

    def _read(self, node: Node, key: str) -> Node:
        if node == ("name", "Math"):
            if self.is_("("):
                self.take()
                args = []
                while not self.is_(")"):
                    args.append(self.expression())
                    if not self.is_(")"):
                        self.expect(",")
                self.take()
                return ("math", key, args)
            return ("math", key, None)
        return ("member", node, key)

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return ("const", token.value)
        if token.kind == "string":
            return ("const", token.value)
        if token.kind == "name":
            if token.text in ("true", "false"):
                return ("const", token.text == "true")
            if token.text == "null":
                return ("const", None)
            return ("name", token.text)
        if token.kind == "punct" and token.text == "(":
            inner = self.expression()
            self.expect(")")
            return ("paren", inner)
        raise Refused(f"operand {token.text!r}")


def parse(text: str) -> list[Node] | None:
    """The syntax tree of a function body, or None when it is outside the subset."""
    try:
        return _Parser(tokenize(text)).body()
    except (Refused, RecursionError, ValueError):
        return None
