"""The editor's markdown() in Chromium: whatever the text (node help, field descriptions and
comments come from flow files and node packs), the result holds only the elements the renderer
makes, links only to http(s) addresses, and no attribute a text could inject."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.security.api_kit import Served
from tests.security.editor_kit import chromium, editor_on


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def editor(browser: Any, tmp_path: Path) -> Iterator[tuple[Any, Served]]:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "demo.yaml").write_text("flowrt: 1\nid: demo\nnodes:\n  note: {type: comment}\n")
    with editor_on(browser, flows) as opened:
        yield opened


ALLOWED = {"p", "ul", "li", "h3", "h4", "h5", "h6", "pre", "code", "strong", "em", "a"}
RENDER = """async (texts) => {
  const { markdown } = await import("/ui/js/markdown.js");
  window.__pwned = 0;
  const out = [];
  for (const text of texts) {
    for (const short of [false, true]) {
      const box = document.createElement("div");
      document.body.append(box);
      box.append(markdown(text, short));
      for (const el of box.querySelectorAll("*")) {  // what a pointer or a focus could fire
        for (const type of ["mouseover", "mouseenter", "focus", "click", "load", "error"]) {
          el.dispatchEvent(new Event(type));
        }
      }
      out.push({ text, short, html: box.innerHTML, elements: [...box.querySelectorAll("*")].map(
        (el) => ({ tag: el.tagName.toLowerCase(),
                   attrs: [...el.attributes].map((a) => [a.name, a.value]) })) });
      box.remove();
    }
  }
  await new Promise((r) => setTimeout(r, 50));
  return { out, pwned: window.__pwned };
}"""


def problems(rendered: dict[str, Any]) -> list[str]:
    found = []
    for result in rendered["out"]:
        for el in result["elements"]:
            where = f"{result['text']!r} (short={result['short']}): {result['html'][:300]}"
            if el["tag"] not in ALLOWED:
                found.append(f"<{el['tag']}> in {where}")
            for name, value in el["attrs"]:
                if el["tag"] != "a" or name not in ("href", "target", "rel"):
                    found.append(f"attribute {name}={value!r} on <{el['tag']}> in {where}")
                elif name == "href" and not value.startswith(("http://", "https://")):
                    found.append(f"href {value!r} in {where}")
                elif name == "target" and value != "_blank" or name == "rel" and \
                        value != "noopener":
                    found.append(f"{name}={value!r} in {where}")
    if rendered["pwned"]:
        found.append("a script ran")
    return found


ATTACKS = [
    '[x](http://a" onmouseover="window.__pwned=1)',
    "[x](http://a' onmouseover='window.__pwned=1)",
    '[x](http://a"onmouseover="window.__pwned=1")',
    '[x](http://a"><img src=x onerror="window.__pwned=1">)',
    "[x](javascript:window.__pwned=1)",
    '[`x](http://a" onfocus="window.__pwned=1" autofocus=")`',
    '**[x](http://a" style="x)** *[y](https://b"onclick="window.__pwned=1)*',
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    "# [h](http://a\" onmouseover=\"window.__pwned=1)\n- [li](http://a\" x=\"1)",
]


def test_links_cannot_break_out_of_their_attribute(editor: tuple[Any, Served]) -> None:
    page, _ = editor
    rendered = page.evaluate(RENDER, ATTACKS)
    assert problems(rendered) == []
    links = [r for r in rendered["out"] if r["text"] == ATTACKS[0] and not r["short"]]
    assert "onmouseover" in links[0]["html"]  # shown as text, not lost


def test_a_plain_link_still_renders(editor: tuple[Any, Served]) -> None:
    page, _ = editor
    rendered = page.evaluate(RENDER, ["see [the docs](https://example.com/a?b=1&c=2) now"])
    [anchor] = [el for el in rendered["out"][0]["elements"] if el["tag"] == "a"]
    assert dict(anchor["attrs"])["href"] == "https://example.com/a?b=1&c=2"


TOKENS = st.sampled_from([
    "[", "]", "(", ")", '"', "'", "<", ">", "&", "*", "**", "`", "```", "#", "- ", " ", "\n",
    "=", "/", "http://", "https://a", "javascript:", "onmouseover=", "onerror=", "x", "img",
    "script", "&quot;", "&#34;", "\\", "src", "style=", "{", "}",
])
SOUP = st.lists(TOKENS, max_size=20).map("".join)
LINK = st.builds(lambda text, scheme, rest: f"[{text}]({scheme}{rest})", SOUP,
                 st.sampled_from(["http://", "https://", "javascript:", ""]),
                 SOUP.map(lambda t: "".join(t.split())))
TEXT = st.lists(st.one_of(SOUP, LINK), max_size=4).map(" ".join)


def test_fuzz_markdown_never_injects(editor: tuple[Any, Served]) -> None:
    page, _ = editor
    seen: list[str] = []

    @settings(max_examples=150, database=None)
    @given(texts=st.lists(TEXT, min_size=1, max_size=8))
    def run(texts: list[str]) -> None:
        seen.extend(texts)
        found = problems(page.evaluate(RENDER, texts))
        assert found == [], found[:5]

    run()
    assert len(seen) >= 150
