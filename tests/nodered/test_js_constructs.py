"""Function nodes whose JavaScript uses locale formatting outside flowrt's subset (or Intl
services it lacks) are flagged at import with the exact construct; code inside the subset is
imported without a caveat."""

from __future__ import annotations

import pytest

from flowrt.nodered.js_constructs import js_caveats
from tests.nodered.helpers import entry, errors, nr_import, tab


@pytest.mark.parametrize(
    "code",
    [
        "d.toLocaleString()",
        'd.toLocaleString("sv-SE")',
        'd.toLocaleDateString("en-CA")',
        'd.toLocaleTimeString("en-US", {hour: "2-digit", minute: "2-digit", hour12: false})',
        'd.toLocaleString("en-US", {dateStyle: "medium", timeStyle: "short", timeZone: "UTC"})',
        'd.toLocaleDateString("en-US", {dateStyle: "full"})',
        "n.toLocaleString(undefined, {maximumFractionDigits: 2})",
        'new Intl.NumberFormat("en-US", {minimumFractionDigits: 1}).format(x)',
        'new Intl.DateTimeFormat("sv-SE").format(d)',
    ],
)
def test_code_inside_the_subset_has_no_caveat(code: str) -> None:
    assert js_caveats(code) == []


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ('d.toLocaleString("de-DE")', "`toLocaleString(\"de-DE\")`: the locale 'de-DE'"),
        (
            'new Intl.DateTimeFormat("en-US", {timeZone: "Europe/Berlin"}).format(d)',
            "timeZone: 'Europe/Berlin'",
        ),
        ('x.toLocaleString("en-US", {style: "currency", currency: "EUR"})', "style: 'currency'"),
        ('d.toLocaleDateString("sv-SE", {dateStyle: "long"})', "dateStyle: 'long'"),
        ('d.toLocaleTimeString("en-US", {timeStyle: "full"})', "timeStyle: 'full'"),
        ('d.toLocaleString("en-US", {era: "short"})', "the option era"),
        ("d.toLocaleString(locale)", "the locale is not a string"),
        ("d.toLocaleTimeString([], opts)", "the options are not an object"),
        ('new Intl.RelativeTimeFormat("en")', "`Intl.RelativeTimeFormat` does not exist"),
        ('new Intl.DateTimeFormat("en-US").formatToParts(d)', "`formatToParts`"),
    ],
)
def test_code_outside_the_subset_is_named(code: str, named: str) -> None:
    [caveat] = js_caveats(code)
    assert named in caveat


def test_the_importer_flags_the_function_node() -> None:
    func = 'msg.payload = new Date().toLocaleString("de-DE");\nreturn msg;'
    conversion = nr_import([tab(), {"id": "f", "type": "function", "z": "t1", "wires": [[]],
                                    "func": func, "outputs": 1,
                                    "initialize": "x.toLocaleString('fr-FR')"}])
    assert not errors(conversion)
    notes = entry(conversion, "f").notes
    assert any('toLocaleString("de-DE")' in note for note in notes)
    assert any(note.startswith("initialize: `toLocaleString('fr-FR')`") for note in notes)
