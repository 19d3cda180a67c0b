"""JSONata expressions whose result Node-RED 4 gives, checked on flowrt by the fast tests and on
both by tests/nodered/test_same_behaviour_jsonata.py.

Each case is (expression, payload, result), the result being what a change node sets
``msg.payload`` to when the message has that payload and the topic :data:`TOPIC`, or
:data:`FAILS` when the expression fails on the message (Node-RED logs the error; no message goes
on).
"""

from __future__ import annotations

from typing import Any

TOPIC = "sensors/12/temp_c"
FAILS = "<fails>"

REGEX_CASES: list[tuple[str, Any, Any]] = [
    # lookbehind of any width, \/ as /
    (r"$match(topic, /(?<=sensors\/[0-9]+\/)([a-z]|_)+/).match", "", "temp_c"),
    # $ is the very end without m, every line end with m
    (r'$contains("abc\n", /c$/)', "", False),
    (r'$contains("abc\n", /c$/m)', "", True),
    (r'$replace("ab\rcd", /^c/m, "X")', "", "ab\rXd"),
    (r'$replace("ab\u2028c", /b$/m, "X")', "", "aX\u2028c"),
    # \d \w \b are ASCII, \s is JavaScript's set
    (r"$match(payload, /\d+/).match", "\u0663\u0664 42", "42"),
    (r'$replace(payload, /\w+/, "<$0>")', "\u00e9t\u00e9 a_b", "\u00e9<t>\u00e9 <a_b>"),
    (r'$replace(payload, /\bx\b/, "_")', "\u00e9x x\u00e9", "\u00e9_ _\u00e9"),
    (r'$replace(payload, /\s/, "_")', "a b\u00a0c\u001cd\u0085e\ufefff", "a_b_c\u001cd\u0085e_f"),
    (r'$replace(payload, /[^\S\n]/, "_")', "a \n\tb", "a_\n_b"),
    (r'$replace(payload, /[\W\d]/, "_")', "a\u00e91-", "a___"),
    (r'$replace(payload, /[\d-z]/, "_")', "5-zy", "___y"),
    # . stops at every line terminator; [^] is any character
    (r'$replace(payload, /./, "-")', "a\rb\u2028c\nd", "-\r-\u2028-\n-"),
    (r'$replace(payload, /[^]/, "-")', "x\ny", "---"),
    # escapes
    (r'$replace(payload, /\cI/, "-")', "a\tb", "a-b"),
    (r'$replace(payload, /\x41\u0042/, "-")', "zABz", "z-z"),
    (r'$replace(payload, /\xZ/, "-")', "axZ", "a-"),
    (r'$contains(payload, /\p{L}/)', "p{L}", True),
    (r'$replace(payload, /\8/, "-")', "a8", "a-"),
    (r'$replace(payload, /\1/, "-")', "a\u0001b", "a-b"),
    (r'$replace(payload, /[\]]/, "-")', "a]b", "a-b"),
    # a { that is no quantifier is a {
    (r'$replace(payload, /a{b}/, "x")', "a{b}", "x"),
    (r'$replace(payload, /a{,2}/, "x")', "a{,2}", "x"),
    (r"$match(payload, /a{2}/).match", "aaa", "aa"),
    # groups and back references
    (r"$match(payload, /(?<n>X)\k<n>/).groups", "aXXb", ["X"]),
    (r'$replace(payload, /(x)?b\1/, "[$0]")', "ab", "a[b]"),
    (r'$replace(payload, /(a)|b/, "[$1]")', "ab", "[a][]"),
    (r"$split(payload, /(\d+)/)", "a1b22c", ["a", "b", "c"]),
    (r'$replace(payload, /A/i, "b")', "xa", "xb"),
    # $replace walks the matches once, and reads $n in the replacement as JSONata does
    (r'$replace(payload, /a/, "ba", 2)', "aaa", "babaa"),
    (r'$replace(payload, /a/, "\\n$$1")', "xa", "x\\n$1"),
    (r'$replace(payload, /(a)(b)?/, "[$10|$2|$3]")', "ab", "[a0|b|]"),
    (r'$replace(payload, "a", "$0$")', "cab", "c$0$b"),
    (r'$replace(payload, /(a)/, function($m) { $m.match & $m.groups[0] & $string($m.start) })',
     "xa", "xaa1"),
    (r"$match(payload, /(a)|(b)/)", "ab",
     [{"match": "a", "index": 0, "groups": ["a", None]},
      {"match": "b", "index": 1, "groups": [None, "b"]}]),
    (r"$split(payload, /,\s*/, 2)", "a, b,c", ["a", "b"]),
    (r'$contains(payload, /CAF\u00c9/i)', "caf\u00e9", True),
    (r'$replace(payload, /\u{2}/, "-")', "uu", "-"),
    (r"$match(payload, /[\b]/).index", "a\bb", 1),
    # a match of no characters after the first is JSONata's error D1004
    (r"$match(payload, /x*/)", "abc", FAILS),
]

LEGACY_CASES: list[tuple[str, Any, Any]] = [
    ("msg.payload", 5, 5),
    ("$number(msg.payload) + 1", "41", 42),
    ('{"t": msg.topic, "p": msg.payload}', 7, {"t": TOPIC, "p": 7}),
    ('"the msg is " & payload', "x", "the msg is "),
    ("'msg' & payload", "x", "msgx"),
    ("payload.msg", {"msg": 3}, 3),
    ("$string(msg.payload.a)", {"a": [1]}, "[1]"),
]
