"""The dashboard benchmark's Chromium page: how late values reach the DOM, and frame times.

One page (Debian's Chromium through Playwright, as tests/ui runs it) opens the dashboard and
watches its document: a MutationObserver takes every text that is a stamp (13 digits: the
epoch milliseconds the flow sent) outside SVG, i.e. the text widgets' values (gauges draw
in SVG, and node-red-dashboard's animate their numbers), and records the time it changed
minus the stamp; ``requestAnimationFrame`` records the time between frames. Both are cleared
after a warm-up, then read after the measured seconds.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

CHROMIUM = os.environ.get("FLOWRT_TEST_CHROMIUM", "/usr/bin/chromium")

WATCH = """
window.__late = []; window.__frames = [];
document.addEventListener("DOMContentLoaded", () => {
  new MutationObserver((mutations) => {
    const now = Date.now();
    const seen = new Set();
    for (const m of mutations) {
      const el = m.target.nodeType === 3 ? m.target.parentElement : m.target;
      if (!el || seen.has(el) || el.closest("svg")) continue;
      seen.add(el);
      const text = (el.textContent || "").trim();
      if (/^\\d{13}$/.test(text)) window.__late.push(now - Number(text));
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});
  let last = performance.now();
  const frame = (t) => { window.__frames.push(t - last); last = t; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
});
"""


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else -1.0


async def page_figures(url: str, warmup: float, seconds: float) -> dict[str, Any]:
    """Open ``url`` in Chromium; the DOM's lateness and the frame times over ``seconds``."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 2400})
            await page.add_init_script(WATCH)
            await page.goto(url)
            await asyncio.sleep(warmup)
            await page.evaluate("window.__late = []; window.__frames = []")
            await asyncio.sleep(seconds)
            late: list[float] = await page.evaluate("window.__late")
            frames: list[float] = await page.evaluate("window.__frames")
        finally:
            await browser.close()
    return {"dom_values": len(late), "dom_p50_ms": _pct(late, 0.5),
            "dom_p99_ms": _pct(late, 0.99), "frames": len(frames),
            "frame_p50_ms": _pct(frames, 0.5), "frame_p99_ms": _pct(frames, 0.99)}
