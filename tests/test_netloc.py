"""host:port with an IPv6 literal in brackets, everything else as given."""

from __future__ import annotations

import pytest

from flowrt.netloc import bracketed, host_port


@pytest.mark.parametrize(("host", "written"), [
    ("::1", "[::1]:1880"),
    ("[::1]", "[::1]:1880"),
    ("2001:db8::7", "[2001:db8::7]:1880"),
    ("::ffff:127.0.0.1", "[::ffff:127.0.0.1]:1880"),
    ("127.0.0.1", "127.0.0.1:1880"),
    ("localhost", "localhost:1880"),
    ("${DB_HOST:-db}", "${DB_HOST:-db}:1880"),  # a reference, not an address: left alone
])
def test_host_port(host: str, written: str) -> None:
    assert host_port(host, 1880) == written


def test_bracketed_keeps_one_pair() -> None:
    assert bracketed("[fe80::1]") == "[fe80::1]" and bracketed("example.com") == "example.com"
