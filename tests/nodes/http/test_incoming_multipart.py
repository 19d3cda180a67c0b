"""http-in's multipart/form-data bodies: fields and files, an empty form (only the closing
delimiter, which schemathesis and some clients send) read as no fields, and a body whose
boundary is not the header's refused with 400."""

from __future__ import annotations

import pytest
from flowrt_nodes.http.incoming import BadRequest, parse_multipart

TYPE = "multipart/form-data; boundary=b0undary"


def test_a_field_and_a_file() -> None:
    body = (b"--b0undary\r\nContent-Disposition: form-data; name=\"site\"\r\n\r\nplant-7\r\n"
            b"--b0undary\r\nContent-Disposition: form-data; name=\"log\"; filename=\"a.txt\"\r\n"
            b"Content-Type: text/plain\r\n\r\nhello\r\n--b0undary--\r\n")
    fields, files = parse_multipart(TYPE, body)
    assert fields == {"site": "plant-7"}
    assert [(f["fieldname"], f["originalname"], f["buffer"]) for f in files] == [
        ("log", "a.txt", b"hello")]


@pytest.mark.parametrize("body", [b"--b0undary--\r\n", b"--b0undary--", b"\r\n--b0undary--\r\n"])
def test_only_the_closing_delimiter_is_an_empty_form(body: bytes) -> None:
    assert parse_multipart(TYPE, body) == ({}, [])


@pytest.mark.parametrize("body", [b"--other--\r\n", b"", b"plain text"])
def test_a_body_without_the_header_boundary_is_refused(body: bytes) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_multipart(TYPE, body)
    assert caught.value.status == 400 and "no parts" in str(caught.value)
