"""ui-template under `flowrt serve` (in process): markup in a message is escaped, a flow
author's script, event handlers and `javascript:` links never reach a browser, what the
allowlist keeps is written as such, passthru, `store` in the layout, an invalid template is
refused by validation, and the node is declared as evaluating Jinja (the scripts policy)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.evaluated import kinds_of, refused_kinds
from flowrt.registry import discover
from tests.nodes.dashboard.template_boards import TEMPLATES
from tests.nodes.dashboard.test_dashboard_serve import states
from tests.nodes.dashboard.test_dashboard_widgets import debug_messages, feed, layout_widgets
from tests.security.http_kit import client_of

ATTACK = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    with client_of(tmp_path / "flows", {"templates.yaml": TEMPLATES}) as made:
        yield made


def shown(client: Any, wanted: str) -> tuple[dict[str, Any], dict[str, Any]]:
    with client.websocket_connect("/dashboard/ws") as ws:
        hello = ws.receive_json()
        seen = states(ws, {wanted: lambda u: True})  # the replay: a message in is shown
    return hello, {w: u["s"] for w, u in seen.items()}


def test_markup_in_a_message_is_escaped(client: Any) -> None:
    feed(client, "card", ATTACK, topic="<b>hall</b>")
    _, s = shown(client, "card")
    assert s["card"]["html"] == (
        '<div class="card"><h3>&lt;b&gt;hall&lt;/b&gt;</h3>\n'
        '<p class="value" data-style="color: #e53935; font-weight: bold">'
        '&lt;img src=x onerror="alert(1)"&gt;'
        "&lt;script&gt;alert(2)&lt;/script&gt;</p>\n"
        "<ul><li>1</li><li>2</li></ul>\n"
        '<a href="https://x.test/&lt;b&gt;hall&lt;/b&gt;" rel="noopener noreferrer nofollow">'
        "more</a></div>\n")


def test_the_authors_script_handlers_and_links_never_reach_a_browser(client: Any) -> None:
    feed(client, "author", "21 °C")
    _, s = shown(client, "author")
    assert s["author"]["html"] == '<img src="x"><a>go</a><p data-style="color: red">21 °C</p>'


@pytest.mark.parametrize(("html", "kept"), [
    ('<svg onload="alert(1)"><circle/></svg>ok', "ok"),
    ('<iframe srcdoc="<script>alert(1)</script>"></iframe>', ""),
    ('<a href="jav&#x09;ascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href=" JAVASCRIPT:alert(1)">x</a>', "<a>x</a>"),
    ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', "<img>"),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript>', ""),
    ('<math><mi><style><img src=x onerror=alert(1)></style></mi></math>', ""),
    ('<form action="https://x.test"><input name="q" value="v"><button>go</button></form>',
     "go"),
    ('<div id="link" name="x" onmouseover="alert(1)" class="c">t</div>', '<div class="c">t</div>'),
    ('<p style="width: expression(alert(1)); color: blue; x: y">t</p>',
     '<p data-style="color: blue">t</p>'),
    ('<base href="https://x.test/"><meta http-equiv="refresh" content="0;url=javascript:1">', ""),
    ('<!-- <script>alert(1)</script> --><b>b</b>', "<b>b</b>"),
    ("<p title='a\"b<c'>t</p>", '<p title="a&quot;b&lt;c">t</p>'),
    ('<a href="/page?x=1&amp;y=2">r</a>',
     '<a href="/page?x=1&amp;y=2" rel="noopener noreferrer nofollow">r</a>'),
])
def test_the_allowlist_keeps_only_what_it_allows(client: Any, html: str, kept: str) -> None:
    feed(client, "raw", html + "<i>end</i>")
    _, s = shown(client, "raw")
    assert s["raw"]["html"] == kept + "<i>end</i>"


def test_passthru_store_and_the_layout(client: Any) -> None:
    with client.websocket_connect("/api/events") as events:
        feed(client, "card", 3, topic="hall")
        feed(client, "quiet", 4)
        sent = debug_messages(events, 1)
    assert [(m["payload"], m["topic"]) for m in sent] == [(3, "hall")]
    hello, _ = shown(client, "quiet")
    widgets = layout_widgets(hello)
    assert widgets["quiet"]["store"] is False and widgets["card"]["store"] is True
    assert widgets["card"]["type"] == "template"
    assert "script" not in widgets["card"]["allow"]["tags"]
    assert "div" in widgets["card"]["allow"]["tags"]


def test_an_invalid_template_is_refused_before_running(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flowrt.cli.commands import main

    bad = TEMPLATES.replace('template: "<b>{{ msg.payload }}</b>"',
                            'template: "<b>{{ msg.payload </b>"')
    assert bad != TEMPLATES
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "quiet" in result.output and "Jinja" in result.output


def test_it_is_declared_as_evaluating_jinja_under_the_scripts_policy() -> None:
    spec = discover(include_entry_points=False).get("ui-template")
    assert spec is not None
    assert kinds_of(spec.cls) == {"jinja": ("template",)}
    assert refused_kinds(spec.cls, "deny") == []
