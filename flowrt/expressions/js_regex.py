"""JavaScript regular expressions (JSONata's ``/pattern/flags``) in the ``regex`` package's syntax.

JSONata's regular expressions are JavaScript's (without the ``u`` flag, so with the web
compatibility rules of ECMAScript's Annex B), and Python's differ in ways that change results
silently: :func:`translate` rewrites a pattern so that the ``regex`` package matches what
JavaScript matches.

- ``\\d``, ``\\w`` and ``\\b`` are ASCII, ``\\s`` is JavaScript's set, ``.`` stops at every line
  terminator (``\\n``, ``\\r``, U+2028, U+2029), ``[^]`` is any character and ``[]`` none.
- ``$`` is the very end without ``m`` (Python's also matches before a final newline); with
  ``m``, ``^`` and ``$`` stand at every line terminator.
- ``\\cX``, ``\\xHH``, ``\\uHHHH``, ``\\0`` and legacy octal escapes; ``\\/`` and any other
  escaped character that means nothing (``\\p``, ``\\q``) is the character itself.
- ``(?<name>...)`` and ``\\k<name>`` are named groups; a back reference to a group that has not
  matched matches the empty text; ``\\8`` or ``\\12`` beyond the number of groups is a character.
- A ``{`` that does not start a quantifier ``{n}``, ``{n,}``, ``{n,m}`` is a ``{``.

A pattern JavaScript refuses raises ValueError.
"""

from __future__ import annotations

WORD = "A-Za-z0-9_"
DIGIT = "0-9"
SPACE = ("\\t\\n\\x0b\\x0c\\r\\x20\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f"
         "\\u3000\\ufeff")
"""JavaScript's ``\\s``: white space and line terminators."""
LINE_END = "\\n\\r\\u2028\\u2029"

_CLASSES = {"d": (DIGIT, False), "D": (DIGIT, True), "w": (WORD, False), "W": (WORD, True),
            "s": (SPACE, False), "S": (SPACE, True)}
_CONTROL = {"t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r"}
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = "01234567"
_BOUNDARY = f"(?:(?<=[{WORD}])(?![{WORD}])|(?<![{WORD}])(?=[{WORD}]))"
_NOT_BOUNDARY = f"(?:(?<=[{WORD}])(?=[{WORD}])|(?<![{WORD}])(?![{WORD}]))"


def literal(char: str) -> str:
    """One character as a ``regex`` pattern that matches it alone (inside a class too)."""
    if char.isalnum() or char == "_" or ord(char) > 127:
        return char
    if char.isprintable() and char != " ":
        return "\\" + char
    return f"\\x{ord(char):02x}"


class _Translator:
    def __init__(self, pattern: str, multiline: bool) -> None:
        self.text = pattern
        self.multiline = multiline
        self.pos = 0
        self.groups, self.names = _count_groups(pattern)

    def fail(self, why: str) -> ValueError:
        return ValueError(f"{why} at position {self.pos}")

    def peek(self, offset: int = 0) -> str:
        at = self.pos + offset
        return self.text[at] if at < len(self.text) else ""

    def run(self) -> str:
        out: list[str] = []
        text, depth = self.text, 0
        while self.pos < len(text):
            char = text[self.pos]
            self.pos += 1
            if char == "\\":
                out.append(self.escape())
            elif char == "[":
                out.append(self.char_class())
            elif char == "(":
                out.append(self.group_open())
                depth += 1
            elif char == ")":
                if depth == 0:
                    raise self.fail("unmatched ')'")
                depth -= 1
                out.append(")")
            elif char == "{":
                quantifier = self.quantifier()
                out.append(quantifier if quantifier is not None else "\\{")
            elif char == ".":
                out.append(f"[^{LINE_END}]")
            elif char == "^":
                out.append(f"(?:^|(?<=[{LINE_END}]))" if self.multiline else "^")
            elif char == "$":
                out.append(f"(?=[{LINE_END}]|\\Z)" if self.multiline else "\\Z")
            elif char in "|*+?":
                out.append(char)
            else:
                out.append(literal(char))
        if depth:
            raise self.fail("missing ')'")
        return "".join(out)

    def quantifier(self) -> str | None:
        """``{n}``, ``{n,}`` or ``{n,m}`` after the ``{`` just read, else None (a ``{``)."""
        end = self.text.find("}", self.pos)
        if end < 0:
            return None
        body = self.text[self.pos:end]
        low, comma, high = body.partition(",")
        if not _number(low) or not (_number(high) or high == ""):
            return None
        if not comma and high:
            return None
        if comma and high and int(low) > int(high):
            raise self.fail("numbers out of order in {} quantifier")
        self.pos = end + 1
        return "{" + body + "}"

    def group_open(self) -> str:
        if self.peek() != "?":
            return "("
        two = self.text[self.pos + 1:self.pos + 3]
        if two[:1] in (":", "=", "!"):
            self.pos += 2
            return "(?" + two[:1]
        if two in ("<=", "<!"):
            self.pos += 3
            return "(?" + two
        if two[:1] == "<":
            end = self.text.find(">", self.pos)
            name = self.text[self.pos + 2:end] if end > 0 else ""
            if not name.isidentifier():
                raise self.fail("invalid capture group name")
            self.pos = end + 1
            return f"(?P<{name}>"
        raise self.fail("invalid group")

    def escape(self) -> str:
        char = self.peek()
        if not char:
            raise self.fail("\\ at end of pattern")
        self.pos += 1
        if char in _CLASSES:
            chars, negated = _CLASSES[char]
            return f"[{'^' if negated else ''}{chars}]"
        if char == "b":
            return _BOUNDARY
        if char == "B":
            return _NOT_BOUNDARY
        if char.isdigit() and char != "0":
            reference = self.back_reference(char)
            if reference is not None:
                return reference
        if char == "k" and self.names and self.peek() == "<":
            end = self.text.find(">", self.pos)
            name = self.text[self.pos + 1:end] if end > 0 else ""
            if name not in self.names:
                raise self.fail("invalid named reference")
            self.pos = end + 1
            return f"(?({name})(?P={name})|)"
        return literal(self.character(char))

    def back_reference(self, first: str) -> str | None:
        """``\\N`` to an existing group (matching empty while the group has not matched), or
        None when N is beyond the groups (then it is a character, as Annex B says)."""
        end = self.pos
        while end < len(self.text) and self.text[end].isdigit():
            end += 1
        number = int(first + self.text[self.pos:end])
        if number > self.groups:
            return None
        self.pos = end
        return f"(?({number})\\{number}|)"

    def character(self, char: str) -> str:
        """The character an escape ``\\char`` (already read) stands for, outside a class or in."""
        if char in _CONTROL:
            return _CONTROL[char]
        if char == "c":
            letter = self.peek()
            if letter.isascii() and letter.isalpha():
                self.pos += 1
                return chr(ord(letter) % 32)
            self.pos -= 1  # "\c" then the character: a backslash, as Annex B says
            return "\\"
        if char in "xu":
            size = 2 if char == "x" else 4
            digits = self.text[self.pos:self.pos + size]
            if len(digits) == size and all(d in _HEX for d in digits):
                self.pos += size
                return chr(int(digits, 16))
            return char
        if char in _OCTAL:
            digits = char
            limit = 3 if char in "0123" else 2
            while len(digits) < limit and self.peek() and self.peek() in _OCTAL:
                digits += self.peek()
                self.pos += 1
            return chr(int(digits, 8))
        return char

    def char_class(self) -> str:
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        items: list[str] = []  # each a piece of a [...] set
        others: list[str] = []  # negated shorthands (\D \W \S), which a set cannot hold
        while True:
            if self.pos >= len(self.text):
                raise self.fail("missing ]")
            char = self.text[self.pos]
            self.pos += 1
            if char == "]":
                break
            start = self.class_atom(char, items, others)
            if start is None or self.peek() != "-" or self.peek(1) in ("]", ""):
                continue
            self.pos += 1
            second = self.text[self.pos]
            self.pos += 1
            end = self.class_atom(second, items, others)
            if end is None:  # a class escape on one side: the "-" is a character (Annex B)
                items.append("\\-")
                continue
            if ord(end) < ord(start):
                raise self.fail("range out of order in character class")
            items.pop()
            items.pop()
            items.append(f"{literal(start)}-{literal(end)}")
        return _class_pattern("".join(items), others, negated)

    def class_atom(self, char: str, items: list[str], others: list[str]) -> str | None:
        """Add one atom of a class; its character, or None for a class escape (``\\d``...)."""
        if char != "\\":
            items.append(literal(char))
            return char
        escaped = self.peek()
        if not escaped:
            raise self.fail("\\ at end of pattern")
        self.pos += 1
        if escaped in _CLASSES:
            chars, negated = _CLASSES[escaped]
            (others if negated else items).append(chars)
            return None
        value = "\b" if escaped == "b" else "-" if escaped == "-" else self.character(escaped)
        items.append(literal(value))
        return value


def _number(text: str) -> bool:
    return text != "" and all(c in "0123456789" for c in text)


def _class_pattern(items: str, others: list[str], negated: bool) -> str:
    """A set of ``items`` and the complements of ``others`` (each a set's content)."""
    parts = ([f"[{items}]"] if items else []) + [f"[^{chars}]" for chars in others]
    if not parts:
        return "[\\s\\S]" if negated else "(?!)"  # JavaScript's [^] and []
    either = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
    if not negated:
        return either
    if not others:
        return f"[^{items}]"
    return f"(?:(?!{either})[\\s\\S])"


def _count_groups(pattern: str) -> tuple[int, frozenset[str]]:
    """The number of capturing groups in a JavaScript pattern, and their names."""
    count, names, at, in_class = 0, set(), 0, False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            if not pattern.startswith("?", at + 1):
                count += 1
            elif pattern.startswith("?<", at + 1) and pattern[at + 3:at + 4] not in ("=", "!"):
                count += 1
                names.add(pattern[at + 3:pattern.find(">", at)])
        at += 1
    return count, frozenset(names)


def translate(pattern: str, multiline: bool = False) -> str:
    """A JavaScript pattern (flags ``i`` and ``m`` as JSONata allows) as a ``regex`` pattern
    with the same matches; ``i`` maps to the IGNORECASE flag, ``m`` is written into the
    pattern. ValueError for a pattern JavaScript refuses."""
    return _Translator(pattern, multiline).run()
